/**
 * npm run results:same — `--match-features` (RankerConfig.matchFeatures: a third history-match column,
 * `~same`, how many of the user's other clicks share a categorical feature value with the candidate;
 * src/model/history-match.ts) on real data, on top of the best model so far (the semantic-ID import,
 * history features, `--emb-decay 1`, `--history-match`), paired per seed against results:match's runs
 * without it. results:signals found the signal outside that model (+0.0098 overall, +0.0164 on new
 * items, as a ceiling with its weight picked on the test); this measures it learnt, as a feature.
 * Writes docs/RESULTS-SAME.md and docs/results-same.json.
 *
 * Runs (cache and data as results:match's, HIST_DIR; SAME_JOBS, default 2, at a time):
 * - both domains: full, `--no-id` and `--no-text` with the feature (`s<S>-<setting>-hist-decay1-match-same`);
 *   the full model and `--no-id` also distilled from two teachers (`--teachers` the next two seeds' runs
 *   of the same setting with the feature, as `--distill 2` trains them);
 * - history match without the co-visitation table (`--covisit-min 1000000` keeps no pair: `~repeat` and
 *   `~same` from the user's own history only, no training users' co-clicks in the model), with the feature
 *   (one run and `--distill 2`), and on the plain import (`~repeat` only);
 * - scored, not trained: for seed S, the other seeds' full and `--no-id` runs with the feature, their
 *   logits averaged on seed S's test samples: what each network knows of new items without one run's
 *   seed noise (not what ships);
 * - the cold-start domain with the feature: an Office foundation, its fine-tune on Industrial's first
 *   2,000 events (freeze l0, --l2sp 0), the same model from scratch.
 * The runs without the feature are read where they are: results:match's from the cache (the runs on
 * both domains) or from docs/results-match.json (the cold-start rows, the plain import's full model),
 * results:distill's from docs/results-distill.json (the distilled rows). Seeds SAME_SEEDS (1-5). Not part of CI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { averagedRuns } from './averaged-runs.ts';
import { FT } from './cold-start-settings.ts';
import { COS, historyRuns, POP, runTasks } from './history-runs.ts';
import { mean, pairedCells, type Paired } from './paired-stats.ts';
import { PROTOCOL } from './real-data.ts';
import { seedRows, type SeedRow } from './seed-rows.ts';
import { writeWithReading } from './with-reading.ts';

const SEEDS = (process.env.SAME_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const JOBS = Number(process.env.SAME_JOBS ?? 2);
const { epochs: EPOCHS, negatives: NEG, cold: COLD, coldEvents: COLD_EVENTS } = PROTOCOL;
const FLAGS = ['--history-features', '--emb-decay', '1', '--history-match'];
const SAME = ['--match-features'];
/**
 * History match without the co-visitation table: `--covisit-min 1000000` keeps no pair (no pair of items
 * was clicked by that many users), so `~covisit` is 0 everywhere and the model ships no co-clicks of
 * the training users; `~repeat` and `~same` come from the user's own history alone.
 */
const NO_TABLE = ['--covisit-min', '1000000'];
const PLAIN_FLAGS = ['--emb-decay', '1', '--history-match'];
const SETTINGS = {
  full: { slug: 'full-hist-decay1-match', flags: FLAGS, name: 'full' },
  noid: { slug: 'noid-hist-decay1-match', flags: ['--no-id', ...FLAGS], name: '`--no-id`' },
  notext: { slug: 'notext-hist-decay1-match', flags: ['--no-text', ...FLAGS], name: '`--no-text`' },
};
type Setting = keyof typeof SETTINGS;
const KEYS = Object.keys(SETTINGS) as Setting[];
if (SEEDS.length < 3) throw new Error('SAME_SEEDS: the distilled row learns from the next two seeds\' runs; give at least three seeds');

const { data, both, coldStart, dir, readEval, training, readColdStart } = await historyRuns('results:same', false);
const withSame = (k: Setting) => `${SETTINGS[k].slug}-same`;
const twoOf = (seed: number) => [1, 2].map((j) => SEEDS[(SEEDS.indexOf(seed) + j) % SEEDS.length]);
const KD2 = `${withSame('full')}-kd2`;
await runTasks([
  ...SEEDS.map((seed) => both(seed, withSame('full'), data.all, [...SETTINGS.full.flags, ...SAME])),
  ...SEEDS.map((seed) => both(seed, withSame('noid'), data.all, [...SETTINGS.noid.flags, ...SAME])),
  ...SEEDS.map((seed) => both(seed, withSame('notext'), data.all, [...SETTINGS.notext.flags, ...SAME])),
  ...SEEDS.map((seed) => coldStart(seed, '-hist-decay1-match-same', [...FLAGS, ...SAME])),
  // Results:match's runs without the feature, where the cache lacks them.
  ...KEYS.flatMap((k) => SEEDS.map((seed) => both(seed, SETTINGS[k].slug, data.all, SETTINGS[k].flags))),
], JOBS);
const NOID_KD2 = `${withSame('noid')}-kd2`;
const LOCAL = 'full-hist-decay1-localmatch-same';
const PLAIN_LOCAL = 'plain-full-decay1-localmatch';
await runTasks([
  ...SEEDS.map((seed) => both(seed, LOCAL, data.all, [...FLAGS, ...NO_TABLE, ...SAME])),
  ...SEEDS.map((seed) => both(seed, PLAIN_LOCAL, data.plain, [...PLAIN_FLAGS, ...NO_TABLE])),
], JOBS);
await runTasks([
  ...SEEDS.map((seed) => both(seed, KD2, data.all, [...SETTINGS.full.flags, ...SAME, '--teachers', twoOf(seed).map((s) => dir(s, withSame('full'))).join(','), '--distill-weight', '0.5'])),
  // New items against `--no-id` like for like: that model distilled alike, from its own next two seeds.
  ...SEEDS.map((seed) => both(seed, `${LOCAL}-kd2`, data.all, [...FLAGS, ...NO_TABLE, ...SAME, '--teachers', twoOf(seed).map((s) => dir(s, LOCAL)).join(','), '--distill-weight', '0.5'])),
  ...SEEDS.map((seed) => both(seed, NOID_KD2, data.all, [...SETTINGS.noid.flags, ...SAME, '--teachers', twoOf(seed).map((s) => dir(s, withSame('noid'))).join(','), '--distill-weight', '0.5'])),
], JOBS);

// ---- collect
const { rows, add, paired, table, bySlice } = seedRows();
const on = (k: Setting) => `${SETTINGS[k].name} + \`--match-features\``;
const off = (k: Setting) => `${SETTINGS[k].name} without it (results:match's)`;
const KD2_ON = 'full + `--match-features`, `--distill 2` (teachers: the next two seeds\' runs with the feature)';
const NOID_KD2_ON = '`--no-id` + `--match-features`, `--distill 2` (teachers: the next two seeds\' `--no-id` runs with the feature)';
const LOCAL_ON = 'full + history match without the table (`--covisit-min 1000000`) + `--match-features`: `~repeat` and `~same` only';
const LOCAL_KD2_ON = `${LOCAL_ON}, \`--distill 2\``;
const PLAIN_LOCAL_ON = 'full on the plain import + decay, history match without the table (`--covisit-min 1000000`): `~repeat` only';
const NO_MATCH = "full, semantic ID + history features + decay, no history match (results:decay's)";
const PLAIN_NO_MATCH = "full on the plain import + decay, no history match (results:decay's)";
const PLAIN_MATCH = 'full on the plain import + decay, `--history-match` (results:match\'s)';
/** The other seeds' single runs of a setting with the feature, their logits averaged on seed S's test samples. */
const averaged = (k: Setting) => `${SETTINGS[k].name} + \`--match-features\`: the other ${SEEDS.length - 1} seeds' runs, logits averaged (${SEEDS.length - 1} networks; not what ships)`;
const CS = {
  zero: `${COLD}: Office foundation + \`--match-features\`, as it was (zero-shot)`,
  ft: `${COLD}: that foundation + fine-tune, freeze l0, --l2sp 0 (the feature from the foundation's config)`,
  scratch: `${COLD}: the same model from scratch + \`--match-features\``,
};
const seconds: number[] = [];
for (const seed of SEEDS) {
  for (const k of KEYS) {
    const r = readEval(dir(seed, withSame(k)));
    add(on(k), seed, r);
    add(off(k), seed, readEval(dir(seed, SETTINGS[k].slug)));
    seconds.push(training(dir(seed, withSame(k))).seconds);
    if (k === 'full') {
      add(POP, seed, r.baselines!.popularity!);
      add(COS, seed, r.baselines!.text_cosine!);
    }
  }
  add(KD2_ON, seed, readEval(dir(seed, KD2)));
  add(NOID_KD2_ON, seed, readEval(dir(seed, NOID_KD2)));
  add(LOCAL_ON, seed, readEval(dir(seed, LOCAL)));
  add(LOCAL_KD2_ON, seed, readEval(dir(seed, `${LOCAL}-kd2`)));
  add(PLAIN_LOCAL_ON, seed, readEval(dir(seed, PLAIN_LOCAL)));
  readColdStart(seed, '-hist-decay1-match-same', add, CS);
}

// What the full model and `--no-id` know of new items, with one network's seed noise averaged away:
// the other seeds' runs of each, scored on seed S's test samples (the samples its eval.json reports).
await useTrainingBackend();
const started = Date.now();
for (const seed of SEEDS) {
  for (const k of ['full', 'noid'] as const) {
    const others = SEEDS.filter((s) => s !== seed).map((s) => dir(s, withSame(k)));
    add(averaged(k), seed, await averagedRuns(others, data.all, seed, readEval(dir(seed, withSame(k))).overall.samples));
  }
  console.log(`seed ${seed}: new items, ${SEEDS.length - 1} runs averaged: full ${rows[averaged('full')].at(-1)!.cold.toFixed(4)}, --no-id ${rows[averaged('noid')].at(-1)!.cold.toFixed(4)}`);
}
const scoring = Math.round((Date.now() - started) / 1000);

/** Rows of an earlier script's JSON, for these seeds, under `as`. */
function borrow(file: string, name: string, as: string) {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { rows: Record<string, SeedRow[]> };
  const list = json.rows[name];
  if (!list) throw new Error(`${file} has no row ${JSON.stringify(name)}`);
  rows[as] = SEEDS.map((seed) => {
    const r = list.find((x) => x.seed === seed);
    if (!r) throw new Error(`${file}: row ${JSON.stringify(name)} has no seed ${seed}`);
    return r;
  });
}
const REF = 'full on the plain import, results:real\'s "full model" (from docs/results-match.json)';
const KD2_OFF = 'full without it, `--distill 2` (results:distill\'s)';
const NONE = 'no text at all (`--no-text` on the plain import), distilled from 4 teachers (results:distill\'s)';
const CS_OFF = {
  zero: `${COLD}: the foundation without it, as it was (zero-shot; results:match's)`,
  ft: `${COLD}: its fine-tune (results:match's)`,
  scratch: `${COLD}: from scratch without it (results:match's)`,
};
borrow('docs/results-match.json', 'full on the plain import (results:real\'s "full model")', REF);
borrow('docs/results-match.json', "full, semantic ID + history features + decay (results:decay's)", NO_MATCH);
borrow('docs/results-match.json', "full on the plain import + decay (results:decay's)", PLAIN_NO_MATCH);
borrow('docs/results-match.json', 'full on the plain import + decay, --history-match', PLAIN_MATCH);
borrow('docs/results-distill.json', "full: distilled from 2 teachers (the next two seeds' runs, as `--distill 2` trains them)", KD2_OFF);
borrow('docs/results-distill.json', 'no text at all (`--no-text` on the plain import): distilled from 4 teachers (`--teachers`, weight 0.5)', NONE);
borrow('docs/results-match.json', `${COLD}: Office foundation with the features, as it was (zero-shot)`, CS_OFF.zero);
borrow('docs/results-match.json', `${COLD}: that foundation + fine-tune, freeze l0, --l2sp 0 (features and decay from the foundation's config)`, CS_OFF.ft);
borrow('docs/results-match.json', `${COLD}: the same model from scratch, --history-match`, CS_OFF.scratch);
// Not vacuous: the runs read from the cache are the ones results:match reported.
const matchJson = JSON.parse(readFileSync('docs/results-match.json', 'utf8')) as { rows: Record<string, SeedRow[]> };
for (const r of rows[off('full')]) {
  const m = matchJson.rows['full, semantic ID + history features + decay, --history-match'].find((x) => x.seed === r.seed);
  if (!m || Math.abs(m.auc - r.auc) > 1e-9) throw new Error(`seed ${r.seed}: the cached full run (${r.auc}) is not the one docs/results-match.json reports (${m?.auc})`);
}

type Target = [string, Paired, number];
const targets: Target[] = [
  ['cold-item AUC: full + the feature − text cosine ≥ +0.03', paired(on('full'), COS, 'cold'), 0.03],
  ['cold-item AUC: full − `--no-text`, both with the feature (the semantic ID kept) ≥ +0.05', paired(on('full'), on('notext'), 'cold'), 0.05],
  ['cold-item AUC: full + the feature, distilled − no text at all, distilled ≥ +0.05', paired(KD2_ON, NONE, 'cold'), 0.05],
  ['cold-item AUC: full − `--no-id`, both with the feature ≥ 0', paired(on('full'), on('noid'), 'cold'), 0],
  ['cold-item AUC: full − `--no-id`, both with the feature, both `--distill 2` ≥ 0', paired(KD2_ON, NOID_KD2_ON, 'cold'), 0],
  [`cold-item AUC: full − \`--no-id\`, both with the feature, ${SEEDS.length - 1} runs of each averaged (not what ships) ≥ 0`, paired(averaged('full'), averaged('noid'), 'cold'), 0],
  ['warm-item AUC: full + the feature − the full model on the plain import ≥ −0.005', paired(on('full'), REF, 'warm'), -0.005],
  ['overall AUC: full + the feature − popularity ≥ +0.08', paired(on('full'), POP, 'auc'), 0.08],
  ['overall AUC: full + the feature, distilled (`--distill 2`) − popularity ≥ +0.08', paired(KD2_ON, POP, 'auc'), 0.08],
  ['overall AUC: history match without the table + the feature − popularity ≥ +0.08', paired(LOCAL_ON, POP, 'auc'), 0.08],
  ['overall AUC: history match without the table + the feature, distilled (`--distill 2`) − popularity ≥ +0.08', paired(LOCAL_KD2_ON, POP, 'auc'), 0.08],
  ['cold-item AUC: history match without the table + the feature, distilled − text cosine ≥ +0.03', paired(LOCAL_KD2_ON, COS, 'cold'), 0.03],
  [`${COLD}: fine-tune − scratch, both with the feature, ≥ +0.02 (4 of 5 seeds ahead)`, paired(CS.ft, CS.scratch), 0.02],
  [`${COLD}: fine-tune − zero-shot foundation, both with the feature, ≥ +0.01 (4 of 5 seeds ahead)`, paired(CS.ft, CS.zero), 0.01],
];
const holds = ([name, p, min]: Target) => p.mean >= min && (!name.startsWith(COLD) || p.ahead >= Math.ceil(0.8 * p.n));
const diffs: [string, Paired][] = [
  ...KEYS.flatMap((k) => bySlice(`${SETTINGS[k].name}, with the feature − without`, on(k), off(k))),
  ...bySlice('full, `--distill 2`, with the feature − without', KD2_ON, KD2_OFF),
  ...bySlice('full with the feature, `--distill 2` − one run', KD2_ON, on('full')),
  ...bySlice('`--no-id` with the feature, `--distill 2` − one run', NOID_KD2_ON, on('noid')),
  ...bySlice(`full with the feature, ${SEEDS.length - 1} runs averaged − \`--distill 2\``, averaged('full'), KD2_ON),
  ...bySlice('history match without the table (`~repeat`, `~same`) − no history match (semantic-ID import)', LOCAL_ON, NO_MATCH),
  ...bySlice('history match without the table − with it (both with `--match-features`)', LOCAL_ON, on('full')),
  ...bySlice('history match without the table, `--distill 2` − with it, `--distill 2`', LOCAL_KD2_ON, KD2_ON),
  ...bySlice('plain import: history match without the table (`~repeat`) − no history match', PLAIN_LOCAL_ON, PLAIN_NO_MATCH),
  ...bySlice('plain import: history match without the table − with it', PLAIN_LOCAL_ON, PLAIN_MATCH),
  ...bySlice(`${COLD} fine-tune, with the feature − without`, CS.ft, CS_OFF.ft),
  ...bySlice(`${COLD} from scratch, with the feature − without`, CS.scratch, CS_OFF.scratch),
];

const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js wasm backend`;
const md = `# \`--match-features\`: the candidate's categories matched against the user's clicks, on real data

Written by \`npm run results:same\` (scripts/results-same.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.
${SEEDS.length} seeds (${SEEDS.join(', ')}); a run on both domains with the feature took ${Math.round(mean(seconds))} s on average (${JOBS} runs at a time on the 2 cores).

Data and commands: results:match's (docs/RESULTS-MATCH.md): the development period of Amazon Reviews 2018,
Industrial_and_Scientific + Office_Products (../shared/data/amazon18-industrial-office; the later period is kept back), imported
with the source's semantic ID (\`import amazon --semantic-ids 1\`, whose level-1 code is the items' one categorical feature); every run
\`kindling train --epochs ${EPOCHS} --negatives ${NEG} --seed S ${FLAGS.join(' ')}\` (and \`--no-id\` or \`--no-text\`), here with
\`${SAME.join(' ')}\`: a third history-match column, \`~same\` = ln(1 + how many of the user's other clicked items in the window
share the candidate's value of a categorical item feature, summed over the features), on the CTR logit through its own
weight, as \`~repeat\` and \`~covisit\` are (src/model/history-match.ts). The distilled rows: \`--teachers\` the next two seeds' runs
of the same setting with the feature, \`--distill-weight 0.5\` (as \`--distill 2\` trains). The averaged rows: for seed S, the
other seeds' single runs of that setting, their logits averaged on seed S's test samples (scoring them took ${scoring} s).
The rows "without the table": the same command with \`${NO_TABLE.join(' ')}\`, which keeps no co-visitation pair, so the
model reads only \`~repeat\` and \`~same\`, both from the user's own history, and ships none of the training users' co-clicks;
on the plain import (\`${PLAIN_FLAGS.join(' ')} ${NO_TABLE.join(' ')}\`, no item features) that leaves \`~repeat\` alone. The cold-start domain: an Office foundation, Industrial's
first ${COLD_EVENTS} events, \`finetune --freeze l0 --l2sp 0 --epochs ${FT.epochs} --lr ${FT.lr}\`, scratch \`--epochs ${FT.epochs} --batch ${FT.scratchBatch}\`.
Rows "without it" are results:match's and results:distill's own runs (read from the cache, checked against
docs/results-match.json, or read from the two JSON files). Cells: mean ± standard error over seeds; differences paired per seed.

## Both domains
${table([on('full'), off('full'), KD2_ON, KD2_OFF, averaged('full'), LOCAL_ON, LOCAL_KD2_ON, NO_MATCH, on('noid'), off('noid'), NOID_KD2_ON, averaged('noid'), on('notext'), off('notext'), NONE, REF, PLAIN_LOCAL_ON, PLAIN_MATCH, PLAIN_NO_MATCH, POP, COS])}

## The cold-start domain
${table([...Object.values(CS), ...Object.values(CS_OFF)])}

## The targets (issue 7), for the model with the feature
| target | difference | standard error | seeds ahead | per seed | holds |
|---|---|---|---|---|---|
${targets.map((t) => `| ${t[0]} | ${pairedCells(t[1])} | ${holds(t) ? 'yes' : '**no**'} |`).join('\n')}

## What the feature does, paired per seed
| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${diffs.map(([n, p]) => `| ${n} | ${pairedCells(p)} |`).join('\n')}
`;
// The reading is written by hand (docs/RESULTS-SAME.reading.md) and appended.
writeWithReading('docs/RESULTS-SAME.md', md);
writeFileSync('docs/results-same.json', `${JSON.stringify({ machine, seeds: SEEDS, rows, targets: targets.map(([name, p, min]) => ({ name, ...p, min, holds: holds([name, p, min]) })), diffs: Object.fromEntries(diffs) }, null, 2)}\n`);
console.log(md);
