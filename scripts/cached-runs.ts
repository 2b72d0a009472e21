/**
 * What the results scripts share: a step run once as a child process (skipped while its output
 * exists), and a trained ranker's copy relabelled to read other text vectors.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vectorFileEncoder } from '../src/node/vector-file.ts';

/**
 * Runs `script` (a .ts through tsx, or a .mjs) with `args` as a child process (TF.js keeps global
 * state: runs in parallel need processes of their own), unless `done` exists and `fresh` is false.
 */
export function runOnce(script: string, args: string[], done: string, fresh: boolean): Promise<void> {
  if (existsSync(done) && !fresh) return Promise.resolve();
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, script.endsWith('.ts') ? ['--max-old-space-size=6144', '--import', 'tsx', script, ...args] : [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`${script} ${args.join(' ')} exited ${code}:\n${err}`));
      console.log(`done: ${script} ${args.join(' ')}`);
      ok();
    });
  });
}

/**
 * A copy of the ranker trained in `trained`, its weights byte for byte, under the encoder id of the
 * vector file `vectors`, so that `kindling eval --text-vectors` reads it with those vectors. The
 * copy's eval.json (the trained run's own) is removed: the copy gets its own.
 */
export function relabelledCopy(trained: string, out: string, vectors: string) {
  rmSync(out, { recursive: true, force: true });
  cpSync(trained, out, { recursive: true });
  rmSync(join(out, 'eval.json'), { force: true });
  const model = readFileSync(join(out, 'model.json'), 'utf8');
  writeFileSync(join(out, 'model.json'), model.split(JSON.parse(model).kindling.encoderId).join(vectorFileEncoder(vectors).id));
}
