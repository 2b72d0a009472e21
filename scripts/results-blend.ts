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
import type { EventRow } from '../src/data/schema.ts';
import { readDataSet, splitData } from '../src/node/pipeline.ts';
import { historySignals } from './history-signals.ts';
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
  ['full, semantic ID, history features, --emb-decay 1 (results:decay\'s)', 'full-hist-decay1', 'data-both-sid1'],
];
/** The second table's grid: popularity (α), co-occurrence (β) and repeat (γ) weights. */
const GRID = { a: [0, 0.3, 0.5], b: [0, 0.5, 1, 2, 3, 4], g: [0, 1, 2, 4, 8] };
const combos = GRID.a.flatMap((a) => GRID.b.flatMap((b) => GRID.g.map((g) => [a, b, g] as const)));
const comboKey = (c: readonly number[]) => c.join(',');
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
const slicesMap = (): Record<Slice, Map<number, number>> => ({ overall: new Map(), warm: new Map(), cold: new Map() });
/** grid[model][α,β,γ][slice] per seed; signals[name][slice] per seed (each signal alone, no model). */
const grid: Record<string, Record<string, Record<Slice, Map<number, number>>>> = {};
const signals: Record<string, Record<Slice, Map<number, number>>> = { repeat: slicesMap(), 'co-occurrence': slicesMap(), 'popularity + co-occurrence (β 1)': slicesMap() };
const dataSets = new Map<string, { all: EventRow[]; train: EventRow[] }>();
const eventsOf = (data: string) => {
  let d = dataSets.get(data);
  if (!d) {
    const set = readDataSet(data);
    d = { all: set.events, train: splitData(set, { trainFraction: 0.8, negatives: 0, seed: 1 }).train };
    dataSets.set(data, d);
  }
  return d;
};
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
    // The ceiling with the signals the network does not read (scripts/history-signals.ts).
    const { all, train } = eventsOf(join(ROOT, data));
    const h = historySignals(all, train, s.events, JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).kindling.config.historyLength);
    const g = (grid[name] ??= {});
    for (const c of combos) {
      const [a, b, gm] = c;
      const r = evaluate(s.test, Float32Array.from(z, (x, i) => sigmoid(x + a * pop[i] + b * h.cooc[i] + gm * h.repeat[i])));
      const cell = (g[comboKey(c)] ??= slicesMap());
      for (const k of SLICES) cell[k].set(seed, r[k].auc);
    }
    if (name === MODELS[0][0])
      for (const [key, sc] of [['repeat', h.repeat], ['co-occurrence', h.cooc], ['popularity + co-occurrence (β 1)', Float32Array.from(pop, (p, i) => p + h.cooc[i])]] as const) {
        const r = evaluate(s.test, sc);
        for (const k of SLICES) signals[key][k].set(seed, r[k].auc);
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
/** The best cell of the grid (mean overall AUC over seeds) among the combinations `keep` allows. */
const bestCombo = (name: string, keep: (c: readonly number[]) => boolean) =>
  combos.filter(keep).reduce((b, c) => (mean([...grid[name][comboKey(c)].overall.values()]) > mean([...grid[name][comboKey(b)].overall.values()]) ? c : b));
const VARIANTS: [string, (c: readonly number[]) => boolean][] = [
  ['the model as it is', ([a, b, g]) => !a && !b && !g],
  ['+ β · co-occurrence', ([a, , g]) => !a && !g],
  ['+ γ · repeat', ([a, b]) => !a && !b],
  ['+ α · popularity + β · co-occurrence + γ · repeat', () => true],
];
const signalRows = MODELS.flatMap(([name]) =>
  VARIANTS.map(([label, keep]) => {
    const c = bestCombo(name, keep);
    const cell = grid[name][comboKey(c)];
    return `| ${name} | ${label} | ${c.join(', ')} | ${cellOf(cell.overall)} | ${cellOf(cell.warm)} | ${cellOf(cell.cold)} | ${pairedCells(pairedBySeed(cell.overall, popularity.overall))} |`;
  }),
);
lines.push(
  '',
  '## Signals the network does not read: co-occurrence and repeats (diagnostic)',
  'Two signals that sequence recommenders read and Kindling\'s network has no direct path for, computed from the events',
  'with no parameters (scripts/history-signals.ts; items compared by their real IDs): **repeat**, 1 where the candidate is',
  'among the user\'s own clicks before the sample (the last 50, as the model\'s history); **co-occurrence**,',
  '`ln(1 + Σ_h c(h, item))` over those clicks h, where c counts the training users who clicked both. Blended into the',
  `logit as \`logit(ctr) + α · ln(1 + clicks) + β · co-occurrence + γ · repeat\`, α in {${GRID.a.join(', ')}}, β in {${GRID.b.join(', ')}}, γ in`,
  `{${GRID.g.join(', ')}}, **the weights picked on these test samples** (best mean overall AUC): a ceiling for what a network that read`,
  'these signals could gain, not a result.',
  '',
  '| signal alone (no model) | overall AUC | warm items | cold items |',
  '|---|---|---|---|',
  ...Object.entries(signals).map(([k, m]) => `| ${k} | ${cellOf(m.overall)} | ${cellOf(m.warm)} | ${cellOf(m.cold)} |`),
  '',
  '| model | blend | α, β, γ (best on test) | overall AUC | warm items | cold items | overall − popularity | standard error | seeds ahead | per seed |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...signalRows,
);
const json = {
  machine, seconds, seeds: SEEDS, alphas: ALPHAS,
  popularity: Object.fromEntries(SLICES.map((k) => [k, Object.fromEntries(popularity[k])])),
  grid: GRID,
  signals: Object.fromEntries(Object.entries(signals).map(([k, m]) => [k, Object.fromEntries(SLICES.map((sl) => [sl, Object.fromEntries(m[sl])]))])),
  withSignals: Object.fromEntries(MODELS.map(([name]) => [name, Object.fromEntries(VARIANTS.map(([label, keep]) => {
    const c = bestCombo(name, keep);
    return [label, { weights: c, ...Object.fromEntries(SLICES.map((sl) => [sl, Object.fromEntries(grid[name][comboKey(c)][sl])])) }];
  }))])),
  models: Object.fromEntries(MODELS.map(([name]) => [name, Object.fromEntries(ALPHAS.map((a) => [a, Object.fromEntries(SLICES.map((k) => [k, Object.fromEntries(auc[name][a][k])]))]))])),
};
writeFileSync('docs/results-blend.json', `${JSON.stringify(json, null, 1)}\n`);
// The reading is written by hand (docs/RESULTS-BLEND.reading.md) and appended.
const md = `${lines.join('\n')}\n`;
writeWithReading('docs/RESULTS-BLEND.md', md);
console.log(md);
