/**
 * npm run results:signals — a diagnostic for the overall target of issue 7 (overall AUC ≥ popularity
 * + 0.08) after history match: what is left outside the best model? Each of results:match's best runs
 * (semantic-ID import, history features, `--emb-decay 1`, `--history-match`; trained here where the
 * cache lacks them) is scored again on its own test samples (scoreModel, checked against its
 * eval.json), and one signal at a time is added to its logit: `logit(ctr) + w · signal`, w picked on
 * the test samples themselves (a ceiling, not a result). The signals, from the events alone:
 * - sequential: training users' transitions from the user's last click to the candidate (next), and
 *   from the last 3 within 3 clicks (near), which the order-free co-visitation table does not hold;
 * - co-visitation divided by both items' click counts (cosine);
 * - popularity (ln(1 + the item's training clicks)); a new-item offset (−1 for an item with no
 *   training click); a domain offset (1 for the first domain);
 * - text (session 21): the text-cosine baseline, the largest cosine of the candidate's text vector with
 *   one of the window's clicks, and how many of those clicks share its semantic ID: the signals a new
 *   item has. For these the table also gives w picked for new items alone.
 * Writes docs/RESULTS-SIGNALS.md and docs/results-signals.json. Cache and data as results:match's
 * (HIST_DIR); seeds SIGNALS_SEEDS (1-5). Not part of CI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { evaluate } from '../src/eval/report.ts';
import { readDataSet, splitData } from '../src/node/pipeline.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { scoreModel } from '../src/train/evaluate.ts';
import { actionRow } from '../src/features/actions.ts';
import { historySignals, sequenceSignals, textSignals } from './history-signals.ts';
import { historyRuns, runTasks } from './history-runs.ts';
import { mean, pairedBySeed, pairedCells, se } from './paired-stats.ts';
import { PROTOCOL } from './real-data.ts';
import { writeWithReading } from './with-reading.ts';

const SEEDS = (process.env.SIGNALS_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const WEIGHTS = [0, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8];
const SLUG = 'full-hist-decay1-match';
const FLAGS = ['--history-features', '--emb-decay', '1', '--history-match'];
const SLICES = ['overall', 'warm', 'cold'] as const;
type Slice = (typeof SLICES)[number];
const SIGNALS = {
  'next: transitions from the last click': 'ln(1 + training users who clicked the candidate right after the user\'s last click)',
  'near: transitions from the last 3 clicks, within 3': 'ln(1 + Σ over the last 3 clicks h of users who clicked the candidate within 3 clicks after h)',
  'co-visitation, cosine': 'Σ over the window\'s clicks h of c(h, item) / √(clicks(h) · clicks(item))',
  'co-visitation, as the model\'s table (a check: the model has it)': 'ln(1 + Σ c(h, item)) over the window (results:blend\'s)',
  popularity: 'ln(1 + the item\'s clicks in the training split)',
  'new-item offset': '−1 for an item with no click in the training split',
  'domain offset': '1 for the first domain\'s samples',
  'text: cosine with the mean of the last 10 clicks': 'the text-cosine baseline (the shipped encoder\'s vectors)',
  'text: the largest cosine with one of the window\'s clicks': 'max over the window\'s clicks h of cos(v(item), v(h)) (the shipped encoder\'s vectors)',
  'semantic ID shared with the window\'s clicks': 'how many of the window\'s other clicked items have the candidate\'s semantic ID (level 1)',
} as const;
type Signal = keyof typeof SIGNALS;

const { data, both, dir } = await historyRuns('results:signals', false);
await runTasks(SEEDS.map((seed) => both(seed, SLUG, data.all, FLAGS)), 2);

await useTrainingBackend();
const set = readDataSet(data.all);
const train = splitData(set, { trainFraction: 0.8, negatives: 0, seed: 1 }).train;
const logit = (p: number) => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const slices = (): Record<Slice, Map<number, number>> => ({ overall: new Map(), warm: new Map(), cold: new Map() });
const model = slices();
const popularity = slices();
/** Per signal: the signal alone, and the model + w · signal at the w best on each seed's test. */
const alone = {} as Record<Signal, Record<Slice, Map<number, number>>>;
/** coldBest: the cold-item AUC at the w best for cold items on each seed's test (coldW). */
const blended = {} as Record<Signal, Record<Slice, Map<number, number>> & { w: Map<number, number>; coldBest: Map<number, number>; coldW: Map<number, number> }>;
/** All together: popularity, cosine co-visitation, near transitions and the new-item offset, their weights picked jointly on the test. */
const JOINT: [Signal, number[]][] = [
  ['popularity', [0, 0.1, 0.25, 0.5]],
  ['co-visitation, cosine', [0, 1, 2, 4]],
  ['near: transitions from the last 3 clicks, within 3', [0, 1, 2]],
  ['new-item offset', [0, 0.1, 0.25]],
];
const jointGrid = JOINT.reduce<number[][]>((acc, [, ws]) => acc.flatMap((c) => ws.map((w) => [...c, w])), [[]]);
const joint = { ...slices(), w: new Map<number, string>() };
const started = Date.now();
for (const seed of SEEDS) {
  const run = dir(seed, SLUG);
  const s = await scoreModel({ model: run, data: data.all, negatives: Number(PROTOCOL.negatives), seed });
  const recorded = JSON.parse(readFileSync(`${run}/eval.json`, 'utf8')).overall.auc as number;
  const base = evaluate(s.test, s.ctr, { popularity: s.baselines.popularity });
  // Not vacuous: the samples are the ones its eval.json measured.
  if (Math.abs(base.overall.auc - recorded) > 1e-6) throw new Error(`${run}: scored ${base.overall.auc}, but its eval.json says ${recorded}`);
  for (const k of SLICES) {
    model[k].set(seed, base[k].auc);
    popularity[k].set(seed, base.baselines!.popularity![k].auc);
  }
  const config = JSON.parse(readFileSync(`${run}/model.json`, 'utf8')).kindling.config;
  const historyLength = config.historyLength as number;
  const text = textSignals(s.test, s.text.table, s.text.dim, historyLength, actionRow(config, 'click'), s.events, set.events, (item) => set.items.get(item)?.features?.semantic_id_1);
  const seq = sequenceSignals(set.events, train, s.events, historyLength);
  const first = s.events[0]?.domain;
  const values: Record<Signal, Float32Array> = {
    'next: transitions from the last click': seq.next,
    'near: transitions from the last 3 clicks, within 3': seq.near,
    'co-visitation, cosine': seq.cosine,
    "co-visitation, as the model's table (a check: the model has it)": historySignals(set.events, train, s.events, historyLength).cooc,
    popularity: Float32Array.from(s.baselines.popularity, (c) => Math.log1p(c)),
    'new-item offset': Float32Array.from(s.test.cold, (c) => -c),
    'domain offset': Float32Array.from(s.events, (e) => (e.domain === first ? 1 : 0)),
    'text: cosine with the mean of the last 10 clicks': s.baselines.text_cosine,
    "text: the largest cosine with one of the window's clicks": text.maxCosine,
    "semantic ID shared with the window's clicks": text.sameSid,
  };
  const z = Float32Array.from(s.ctr, logit);
  for (const [name, v] of Object.entries(values) as [Signal, Float32Array][]) {
    const a = evaluate(s.test, v);
    for (const k of SLICES) (alone[name] ??= slices())[k].set(seed, a[k].auc);
    let best = { w: 0, r: base };
    let bestCold = { w: 0, r: base };
    for (const w of WEIGHTS.slice(1)) {
      const r = evaluate(s.test, Float32Array.from(z, (x, i) => sigmoid(x + w * v[i])));
      if (r.overall.auc > best.r.overall.auc) best = { w, r };
      if (r.cold.auc > bestCold.r.cold.auc) bestCold = { w, r };
    }
    const cell = (blended[name] ??= { ...slices(), w: new Map(), coldBest: new Map(), coldW: new Map() });
    for (const k of SLICES) cell[k].set(seed, best.r[k].auc);
    cell.w.set(seed, best.w);
    cell.coldBest.set(seed, bestCold.r.cold.auc);
    cell.coldW.set(seed, bestCold.w);
  }
  let bestJoint = { w: jointGrid[0], r: base };
  for (const ws of jointGrid.slice(1)) {
    const r = evaluate(s.test, Float32Array.from(z, (x, i) => sigmoid(x + ws.reduce((a, w, j) => a + w * values[JOINT[j][0]][i], 0))));
    if (r.overall.auc > bestJoint.r.overall.auc) bestJoint = { w: ws, r };
  }
  for (const k of SLICES) joint[k].set(seed, bestJoint.r[k].auc);
  joint.w.set(seed, bestJoint.w.join('/'));
  console.log(`seed ${seed}: model ${base.overall.auc.toFixed(4)}; ${Object.keys(values).map((n) => `${n.split(':')[0]} +${(blended[n as Signal].overall.get(seed)! - base.overall.auc).toFixed(4)}`).join(', ')}`);
}
const seconds = (Date.now() - started) / 1000;

const f4 = (x: number) => x.toFixed(4);
const cellOf = (m: Map<number, number>) => `${f4(mean([...m.values()]))} ± ${f4(se([...m.values()]))}`;
const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js wasm backend`;
const names = Object.keys(SIGNALS) as Signal[];
const lines = [
  '# What is left outside the best model: signals added to its logit (diagnostic)',
  '',
  `Written by \`npm run results:signals\` (scripts/results-signals.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}; ${Math.round(seconds)} s of scoring.`,
  `The model: results:match's best (\`import amazon --semantic-ids 1\`; \`kindling train --epochs ${PROTOCOL.epochs} --negatives ${PROTOCOL.negatives} ${FLAGS.join(' ')} --seed S\`,`,
  `seeds ${SEEDS.join(', ')}, the development split of the real data, both domains), each scored again on its own test samples`,
  '(checked against its eval.json to 1e-6). One signal at a time is added to its logit, `logit(ctr) + w · signal`, with',
  `w in {${WEIGHTS.slice(1).join(', ')}} or 0 **picked on each seed's test samples**: a ceiling for what a network that read the`,
  'signal could gain, not a result. Items are compared by their real IDs (scripts/history-signals.ts).',
  '',
  '| signal | what it is |',
  '|---|---|',
  ...names.map((n) => `| ${n} | ${SIGNALS[n]} |`),
  '',
  '## Each signal alone (no model)',
  '| signal | overall AUC | warm items | cold items |',
  '|---|---|---|---|',
  ...names.map((n) => `| ${n} | ${cellOf(alone[n].overall)} | ${cellOf(alone[n].warm)} | ${cellOf(alone[n].cold)} |`),
  '',
  '## The model + w · signal (w best on the test), paired by seed against the model',
  `The model: overall ${cellOf(model.overall)}, warm ${cellOf(model.warm)}, cold ${cellOf(model.cold)}; popularity ${cellOf(popularity.overall)};`,
  `the model − popularity: ${pairedCells(pairedBySeed(model.overall, popularity.overall))} (mean | standard error | seeds ahead | per seed).`,
  '',
  '| signal | w per seed | overall AUC | gain | standard error | seeds ahead | per seed | cold-item gain | then − popularity |',
  '|---|---|---|---|---|---|---|---|---|',
  ...names.map((n) => {
    const b = blended[n];
    return `| ${n} | ${[...b.w.values()].join(', ')} | ${cellOf(b.overall)} | ${pairedCells(pairedBySeed(b.overall, model.overall))} | ${f4(pairedBySeed(b.cold, model.cold).mean)} | ${f4(pairedBySeed(b.overall, popularity.overall).mean)} |`;
  }),
  `| all four together: ${JOINT.map(([n]) => n.split(':')[0]).join(' / ')} (weights picked jointly, ${jointGrid.length} combinations) | ${[...joint.w.values()].join('; ')} | ${cellOf(joint.overall)} | ${pairedCells(pairedBySeed(joint.overall, model.overall))} | ${f4(pairedBySeed(joint.cold, model.cold).mean)} | ${f4(pairedBySeed(joint.overall, popularity.overall).mean)} |`,
  '',
  '## New items only: the model + w · signal, w best for new items on the test, paired by seed against the model',
  'A ceiling for what each signal could add to the ranking of new items (items with no click in the training split),',
  'whatever it costs the rest. The co-visitation, transition and popularity signals are 0 for every new item.',
  '',
  '| signal | w per seed | cold-item AUC | gain | standard error | seeds ahead | per seed |',
  '|---|---|---|---|---|---|---|',
  ...names.map((n) => {
    const b = blended[n];
    return `| ${n} | ${[...b.coldW.values()].join(', ')} | ${cellOf(b.coldBest)} | ${pairedCells(pairedBySeed(b.coldBest, model.cold))} |`;
  }),
];
const json = {
  machine, seconds, seeds: SEEDS, weights: WEIGHTS, model: Object.fromEntries(SLICES.map((k) => [k, Object.fromEntries(model[k])])),
  popularity: Object.fromEntries(SLICES.map((k) => [k, Object.fromEntries(popularity[k])])),
  joint: { signals: JOINT.map(([n, ws]) => ({ signal: n, weights: ws })), w: Object.fromEntries(joint.w), ...Object.fromEntries(SLICES.map((k) => [k, Object.fromEntries(joint[k])])) },
  signals: Object.fromEntries(names.map((n) => [n, {
    alone: Object.fromEntries(SLICES.map((k) => [k, Object.fromEntries(alone[n][k])])),
    blended: { w: Object.fromEntries(blended[n].w), ...Object.fromEntries(SLICES.map((k) => [k, Object.fromEntries(blended[n][k])])) },
    coldBest: { w: Object.fromEntries(blended[n].coldW), cold: Object.fromEntries(blended[n].coldBest) },
  }])),
};
writeFileSync('docs/results-signals.json', `${JSON.stringify(json, null, 1)}\n`);
const md = `${lines.join('\n')}\n`;
writeWithReading('docs/RESULTS-SIGNALS.md', md);
console.log(md);
