/**
 * npm run results:blend — a diagnostic for the one target of issue 7 that no change has reached
 * (overall AUC ≥ popularity + 0.08): how much would the models gain if their score leaned on
 * popularity more? Each trained model of results:history is scored again on its own test samples
 * (scoreModel, the same samples and AUC as its eval.json), and its logit is blended with the
 * popularity baseline's score: logit(ctr) + α · ln(1 + training clicks of the item), for a grid of α.
 *
 * α is picked on the test samples themselves, so the best cell is a ceiling, not a result: it says
 * whether a popularity prior (a learnt per-item bias, a popularity input, a blend) could close the
 * gap at all. Reads the runs cached by `npm run results:history` (.cache/results-history, HIST_DIR)
 * and stops with a message where they are absent; writes docs/RESULTS-BLEND.md and
 * docs/results-blend.json. A few minutes here. Not part of CI.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../src/eval/report.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { scoreModel } from '../src/train/evaluate.ts';
import { mean, pairedBySeed, pairedCells, se } from './paired-stats.ts';
import { PROTOCOL } from './real-data.ts';
import { writeWithReading } from './with-reading.ts';

const ROOT = process.env.HIST_DIR ?? '.cache/results-history';
const SEEDS = (process.env.HIST_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const ALPHAS = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 1];
/** The models: [name, run folder slug, data folder]. */
const MODELS: [string, string, string][] = [
  ['full model, plain import (no item features)', 'plain-full', 'data-both'],
  ['full, semantic ID, no history features', 'full', 'data-both-sid1'],
  ['full, semantic ID, history features', 'full-hist', 'data-both-sid1'],
];
const SLICES = ['overall', 'warm', 'cold'] as const;
type Slice = (typeof SLICES)[number];

for (const [, slug, data] of MODELS)
  for (const seed of SEEDS)
    if (!existsSync(join(ROOT, `s${seed}-${slug}`, 'eval.json')) || !existsSync(join(ROOT, data, 'items.jsonl'))) {
      console.error(`results:blend: the run ${join(ROOT, `s${seed}-${slug}`)} (or its data ${join(ROOT, data)}) is missing: run \`npm run results:history\` first; nothing was written.`);
      process.exit(2);
    }

await useTrainingBackend();
const logit = (p: number) => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** auc[model][α][slice] per seed; popularity[slice] per seed. */
const auc: Record<string, Record<number, Record<Slice, Map<number, number>>>> = {};
const popularity: Record<Slice, Map<number, number>> = { overall: new Map(), warm: new Map(), cold: new Map() };
const started = Date.now();
for (const [name, slug, data] of MODELS) {
  auc[name] = {};
  for (const seed of SEEDS) {
    const dir = join(ROOT, `s${seed}-${slug}`);
    const s = await scoreModel({ model: dir, data: join(ROOT, data), negatives: Number(PROTOCOL.negatives), seed });
    const recorded = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')).overall.auc as number;
    const z = Float32Array.from(s.ctr, logit);
    const pop = Float32Array.from(s.baselines.popularity, (c) => Math.log1p(c));
    for (const a of ALPHAS) {
      const r = evaluate(s.test, Float32Array.from(z, (x, i) => sigmoid(x + a * pop[i])));
      // Not vacuous: α = 0 is the model as its eval.json measured it, on the same samples.
      if (a === 0 && Math.abs(r.overall.auc - recorded) > 1e-6) throw new Error(`${dir}: scored ${r.overall.auc}, but its eval.json says ${recorded}: not the same samples`);
      const cell = ((auc[name][a] ??= { overall: new Map(), warm: new Map(), cold: new Map() }));
      for (const k of SLICES) cell[k].set(seed, r[k].auc);
    }
    const p = evaluate(s.test, s.ctr, { popularity: s.baselines.popularity }).baselines!.popularity!;
    for (const k of SLICES) popularity[k].set(seed, p[k].auc);
    console.log(`${name}, seed ${seed}: ${ALPHAS.map((a) => `α ${a} ${auc[name][a].overall.get(seed)!.toFixed(4)}`).join(', ')}`);
  }
}
const seconds = (Date.now() - started) / 1000;

const f4 = (x: number) => x.toFixed(4);
const cellOf = (m: Map<number, number>) => `${f4(mean([...m.values()]))} ± ${f4(se([...m.values()]))}`;
const best = (name: string, k: Slice) => ALPHAS.reduce((b, a) => (mean([...auc[name][a][k].values()]) > mean([...auc[name][b][k].values()]) ? a : b), 0);
const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js wasm backend`;
const lines = [
  '# Leaning on popularity: a ceiling for the overall target (diagnostic)',
  '',
  `Written by \`npm run results:blend\` (scripts/results-blend.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}; ${Math.round(seconds)} s.`,
  `The models of \`npm run results:history\` (seeds ${SEEDS.join(', ')}; the development split of the real data, both domains, the`,
  `protocol's ${PROTOCOL.negatives} negatives per click), each scored again on its own test samples, its logit blended with the popularity`,
  'baseline: `logit(ctr) + α · ln(1 + training clicks of the item)`. α = 0 is the model as its eval.json reports it',
  '(checked to 1e-6). **α is picked on these test samples**, so the best cell of a row is a ceiling for what any',
  'popularity prior could add here, not a result. Cells: mean ± standard error over seeds.',
  '',
  '## Overall AUC by α',
  `| model | ${ALPHAS.map((a) => `α ${a}`).join(' | ')} |`,
  `|---|${ALPHAS.map(() => '---').join('|')}|`,
  ...MODELS.map(([name]) => `| ${name} | ${ALPHAS.map((a) => cellOf(auc[name][a].overall)).join(' | ')} |`),
  `| popularity alone | ${cellOf(popularity.overall)} | ${ALPHAS.slice(1).map(() => '').join(' | ')} |`,
  '',
  '## Against popularity, paired by seed (the target is overall + 0.08)',
  '| model | slice | α | minus popularity | standard error | seeds ahead | per seed |',
  '|---|---|---|---|---|---|---|',
  ...MODELS.flatMap(([name]) =>
    SLICES.flatMap((k) => [0, best(name, k)].filter((a, i, xs) => xs.indexOf(a) === i).map((a) => `| ${name} | ${k} | ${a}${a && a === best(name, k) ? ' (best on test)' : ''} | ${pairedCells(pairedBySeed(auc[name][a][k], popularity[k]))} |`)),
  ),
];
const json = {
  machine, seconds, seeds: SEEDS, alphas: ALPHAS,
  popularity: Object.fromEntries(SLICES.map((k) => [k, Object.fromEntries(popularity[k])])),
  models: Object.fromEntries(MODELS.map(([name]) => [name, Object.fromEntries(ALPHAS.map((a) => [a, Object.fromEntries(SLICES.map((k) => [k, Object.fromEntries(auc[name][a][k])]))]))])),
};
writeFileSync('docs/results-blend.json', `${JSON.stringify(json, null, 1)}\n`);
// The reading is written by hand (docs/RESULTS-BLEND.reading.md) and appended.
const md = `${lines.join('\n')}\n`;
writeWithReading('docs/RESULTS-BLEND.md', md);
console.log(md);
