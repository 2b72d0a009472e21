/**
 * npm run results:widths — what storing the word-vector table in fewer bits does to the ranking on
 * the synthetic world (the real-data rows are in docs/RESULTS-REAL.md, `npm run results:real`).
 * For each seed: the world (`kindling generate`), the table built at each width (int8, and codes of
 * 6, 5 and 4 bits: `npm run build:encoder -- --bits B`), every text through each; the full model
 * pretrained on the three warm domains on the int8 table's vectors (`--text-vectors`), then that
 * same trained ranker evaluated with each width's vectors: the quantisation error alone, without a
 * second training run's noise. Writes docs/RESULTS-WIDTHS.md and docs/results-widths.json.
 * Runs are cached under .cache/results-widths (WIDTHS_FRESH=1 redoes them). About 10 minutes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { EvalReport } from '../src/eval/report.ts';
import { relabelledCopy, runOnce } from './cached-runs.ts';
import { COLD_DOMAIN } from '../src/world/generate.ts';
import { mean, sign } from './paired-stats.ts';

const SEEDS = (process.env.WIDTHS_SEEDS ?? '1,2,3').split(',').map(Number);
const ROOT = process.env.WIDTHS_DIR ?? '.cache/results-widths';
const EPOCHS = '5';
const WIDTHS = ['8', '6', '5', '4'];
const READS = ['float', ...WIDTHS];

const run = (script: string, args: string[], done: string) => runOnce(script, args, done, !!process.env.WIDTHS_FRESH);
const kindling = (args: string[], done: string) => run('bin/kindling.mjs', args, done);
const readEval = (dir: string): EvalReport => JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'));

mkdirSync(ROOT, { recursive: true });
for (const bits of WIDTHS) {
  const build = join(ROOT, `glove-${bits}bit-build`);
  await run('scripts/build-encoder.ts', ['--bits', bits, '--out', join(build, 'encoder')], join(build, 'encoder', 'kindling-glove-100d', 'MODEL_CARD.md'));
}
type Row = { seed: number; bits: string; auc: number; warm: number; cold: number };
const rows: Row[] = [];
for (const seed of SEEDS) {
  const world = join(ROOT, `world-${seed}`);
  await kindling(['generate', '--seed', String(seed), '--out', world], join(world, 'events.jsonl'));
  const vectors = (bits: string) => join(ROOT, `world-${seed}-glove-${bits}bit`);
  for (const bits of WIDTHS) await run('scripts/encode-static.ts', ['--data', world, '--models', join(ROOT, `glove-${bits}bit-build`), '--out', vectors(bits)], `${vectors(bits)}.bin`);
  // The float32 vectors the tables are quantised from, through the same tokens: the unquantised reference.
  await run('scripts/encode-static.ts', ['--data', world, '--models', join(ROOT, 'glove-8bit-build'), '--out', vectors('float'), '--float'], `${vectors('float')}.bin`);
  const trained = join(ROOT, `s${seed}-full-int8`);
  await kindling(['train', '--data', world, '--out', trained, '--exclude-domains', COLD_DOMAIN, '--epochs', EPOCHS, '--seed', String(seed), '--text-vectors', vectors('8')], join(trained, 'eval.json'));
  for (const bits of READS) {
    // The int8 run's weights, byte for byte, under the other vectors' encoder id.
    const out = join(ROOT, `s${seed}-same-ranker-${bits}bit`);
    if (!existsSync(join(out, 'eval.json')) || process.env.WIDTHS_FRESH) relabelledCopy(trained, out, vectors(bits));
    await kindling(['eval', '--data', world, '--model', out, '--json', join(out, 'eval.json'), '--exclude-domains', COLD_DOMAIN, '--seed', String(seed), '--text-vectors', vectors(bits)], join(out, 'eval.json'));
    const r = readEval(out);
    rows.push({ seed, bits, auc: r.overall.auc, warm: r.warm.auc, cold: r.cold.auc });
  }
}

const name = (bits: string) => (bits === '8' ? 'int8 (the vectors it was trained on)' : bits === 'float' ? 'float32 (unquantised)' : `${bits}-bit codes`);
const of = (bits: string, seed: number) => rows.find((r) => r.bits === bits && r.seed === seed)!;
const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const md = `# The word-vector table's width, on the synthetic world

Written by \`npm run results:widths\` (scripts/results-widths.ts) on ${new Date().toISOString().slice(0, 10)}; ${machine}.
Seeds ${SEEDS.join(', ')}: each generates its world; the full model is pretrained on the three warm domains
(${EPOCHS} epochs, \`--exclude-domains ${COLD_DOMAIN}\`) on the int8 table's vectors, then that same trained ranker is evaluated
on the test split with the vectors of each width (the table built with \`npm run build:encoder -- --bits B\`).
The differences are the quantisation error alone; a second training run would add its own noise (on real data,
docs/RESULTS-REAL.md shows both). The shipped encoder stores 5-bit codes.

| vectors the ranker reads | AUC | warm-item AUC | cold-item AUC | AUC − int8, per seed | cold-item AUC − int8, per seed |
|---|---|---|---|---|---|
${READS.map((b) => `| ${name(b)} | ${mean(SEEDS.map((s) => of(b, s).auc)).toFixed(4)} | ${mean(SEEDS.map((s) => of(b, s).warm)).toFixed(4)} | ${mean(SEEDS.map((s) => of(b, s).cold)).toFixed(4)} | ${SEEDS.map((s) => sign(of(b, s).auc - of('8', s).auc)).join(', ')} | ${SEEDS.map((s) => sign(of(b, s).cold - of('8', s).cold)).join(', ')} |`).join('\n')}
`;
mkdirSync('docs', { recursive: true });
writeFileSync('docs/results-widths.json', JSON.stringify({ machine, seeds: SEEDS, epochs: EPOCHS, rows }, null, 1) + '\n');
writeFileSync('docs/RESULTS-WIDTHS.md', md);
console.log(md);
