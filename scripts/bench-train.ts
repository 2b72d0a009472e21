/**
 * npm run bench:train — the trainers side by side on this machine, one run: `kindling train` (Node,
 * TF.js wasm), the PyTorch trainer with one process and with two (gloo), on the same synthetic world
 * and the same samples (`kindling export` of it). Reports samples/s, test AUC after the same epochs,
 * the export's speed and bytes per sample, and peak memory (max RSS, from /usr/bin/time) of the export
 * and of PyTorch training at 1x and 10x the events. Writes bench/TRAIN.md and bench/train.json.
 * A benchmark, not a test: nothing here fails on a slow machine. About 10 minutes on 2 cores.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { writeWorld } from '../src/node/world-files.ts';
import { COLD_DOMAIN } from '../src/world/generate.ts';

const ROOT = resolve(process.env.BENCH_TRAIN_DIR ?? '.cache/bench-train');
const PY = process.env.KINDLING_PYTHON ?? '/usr/bin/python3';
const SCALE = Number(process.env.BENCH_TRAIN_SCALE ?? '0.5');
const EPOCHS = process.env.BENCH_TRAIN_EPOCHS ?? '2';

interface Run {
  seconds: number;
  maxRssMb: number;
  stderr: string;
}

/** Runs a command under /usr/bin/time; its wall seconds and peak resident memory. */
function timed(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M', ...cmd], { cwd: opts.cwd, env: { ...process.env, PYTHONUNBUFFERED: '1', ...opts.env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    child.on('exit', (code) => {
      const m = /TIME ([\d.]+) (\d+)\s*$/.exec(stderr);
      if (code !== 0 || !m) fail(new Error(`${cmd.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      else done({ seconds: Number(m[1]), maxRssMb: Number(m[2]) / 1024, stderr });
    });
  });
}

const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
const dirBytes = (d: string, prefix: string) => readdirSync(d).filter((f) => f.startsWith(prefix)).reduce((n, f) => n + statSync(join(d, f)).size, 0);
const kindling = (...args: string[]) => ['node', 'bin/kindling.mjs', ...args];
const torch = (...args: string[]) => [PY, '-m', 'kindling_torch.train', ...args];

rmSync(ROOT, { recursive: true, force: true });
mkdirSync(ROOT, { recursive: true });
const rows: Record<string, unknown>[] = [];
const exports: Record<string, { samples: number; seconds: number; maxRssMb: number; bytesPerSample: number }> = {};
for (const [label, scale] of [['1x', SCALE], ['10x', SCALE * 10]] as const) {
  const data = join(ROOT, `world-${label}`);
  const w = writeWorld(data, { seed: 1, scale });
  const out = join(ROOT, `export-${label}`);
  const run = await timed(kindling('export', '--data', data, '--out', out, '--seed', '1', '--exclude-domains', COLD_DOMAIN, '--shards', '4'));
  const m = json(join(out, 'manifest.json'));
  const samples = m.counts.train + m.counts.test;
  exports[label] = { samples, seconds: run.seconds, maxRssMb: run.maxRssMb, bytesPerSample: (dirBytes(out, 'train-') + dirBytes(out, 'test-')) / samples };
  console.log(`export ${label}: ${w.events.length} events, ${samples} samples in ${run.seconds}s, peak ${run.maxRssMb.toFixed(0)} MB`);
}

const e1 = join(ROOT, 'export-1x');
const node = await timed(kindling('train', '--data', join(ROOT, 'world-1x'), '--out', join(ROOT, 'node'), '--epochs', EPOCHS, '--seed', '1', '--exclude-domains', COLD_DOMAIN));
const nodeModel = json(join(ROOT, 'node', 'model.json')).kindling.training;
rows.push({ trainer: 'kindling train (Node, TF.js wasm), 1 process', samplesPerSecond: nodeModel.samplesPerSecond, auc: json(join(ROOT, 'node', 'eval.json')).overall.auc, seconds: node.seconds, maxRssMb: node.maxRssMb });
console.log('node done');

const py1 = await timed(torch('--export', e1, '--out', join(ROOT, 'torch-1'), '--epochs', EPOCHS, '--seed', '1'), { cwd: 'python' });
rows.push({ trainer: 'kindling_torch.train (PyTorch, CPU), 1 process, batch 512', samplesPerSecond: json(join(ROOT, 'torch-1', 'model.json')).kindling.training.samplesPerSecond, auc: json(join(ROOT, 'torch-1', 'eval.json')).auc, seconds: py1.seconds, maxRssMb: py1.maxRssMb });
console.log('torch 1 done');

const env = (rank: number) => ({ RANK: String(rank), WORLD_SIZE: '2', LOCAL_WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: '29577' });
const py2 = await Promise.all([0, 1].map((r) => timed(torch('--export', e1, '--out', join(ROOT, 'torch-2'), '--epochs', EPOCHS, '--seed', '1', '--batch', '256'), { cwd: 'python', env: env(r) })));
rows.push({ trainer: 'kindling_torch.train (PyTorch, CPU), 2 processes (gloo), batch 256 each', samplesPerSecond: json(join(ROOT, 'torch-2', 'model.json')).kindling.training.samplesPerSecond, auc: json(join(ROOT, 'torch-2', 'eval.json')).auc, seconds: Math.max(...py2.map((r) => r.seconds)), maxRssMb: Math.max(...py2.map((r) => r.maxRssMb)) });
console.log('torch 2 done');

const py10 = await timed(torch('--export', join(ROOT, 'export-10x'), '--out', join(ROOT, 'torch-10x'), '--epochs', '1', '--seed', '1'), { cwd: 'python' });
const memory = { torch1x: py1.maxRssMb, torch10x: py10.maxRssMb, torch10xSamplesPerSecond: json(join(ROOT, 'torch-10x', 'model.json')).kindling.training.samplesPerSecond };

const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const pyVersion = json(join(ROOT, 'torch-1', 'model.json')).generatedBy;
const f = (x: number, d = 0) => x.toFixed(d);
const md = `# Training throughput: Node and PyTorch

Written by \`npm run bench:train\` (scripts/bench-train.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine};
PyTorch: ${pyVersion} (${PY}). One run; wall times on this machine are noisy, so read the ratios.
Data: the synthetic world (\`kindling generate --seed 1 --scale ${SCALE}\`, ${COLD_DOMAIN} held out), ${EPOCHS} epochs, seed 1;
every trainer trains on the same samples (\`kindling export\` builds them with \`kindling train\`'s own code)
and is tested on the same test split.

## Trainers
| trainer | samples/s | test AUC after ${EPOCHS} epochs | wall s | peak memory MB |
|---|---|---|---|---|
${rows.map((r) => `| ${r.trainer} | ${f(r.samplesPerSecond as number)} | ${(r.auc as number).toFixed(4)} | ${f(r.seconds as number, 1)} | ${f(r.maxRssMb as number)} |`).join('\n')}

The AUCs differ by the order the samples are seen in (one run each; on this world a single pair of runs
differs by up to about 0.016, test/torch.test.ts). Two processes share this machine's ${cpus().length} cores.

## Export (\`kindling export\`)
| events | samples | seconds | samples/s | bytes per sample | peak memory MB |
|---|---|---|---|---|---|
${Object.entries(exports).map(([k, v]) => `| ${k} | ${v.samples} | ${f(v.seconds, 1)} | ${f(v.samples / v.seconds)} | ${f(v.bytesPerSample)} | ${f(v.maxRssMb)} |`).join('\n')}

The export builds and writes one shard at a time (at most 50,000 samples each), so the samples are never
all in memory; what still grows with the events is the events themselves, which it holds whole (read,
split by time, the users' histories). A streaming reader is open work (issue 8).

## PyTorch training memory
| events | peak memory MB | samples/s |
|---|---|---|
| 1x | ${f(memory.torch1x)} | ${f(rows[1].samplesPerSecond as number)} |
| 10x | ${f(memory.torch10x)} | ${f(memory.torch10xSamplesPerSecond)} |

Each rank loads its shards whole: its memory grows with its share of the data, so a larger data set wants
more shards and more ranks.
`;
mkdirSync('bench', { recursive: true });
writeFileSync('bench/TRAIN.md', md);
writeFileSync('bench/train.json', JSON.stringify({ machine, python: PY, scale: SCALE, epochs: EPOCHS, trainers: rows, exports, memory }, null, 1) + '\n');
console.log(md);
