/**
 * npm run results:distill — distillation (`kindling train --teachers`, src/train/distill.ts) on real
 * data, on top of the best model so far (the semantic-ID import, history features, `--emb-decay 1`,
 * `--history-match`: results:match's runs). Writes docs/RESULTS-DISTILL.md and docs/results-distill.json.
 *
 * For each setting (full, `--no-id`, `--no-text`, and no text at all: `--no-text` on the plain import,
 * since the semantic ID is made from the item's text) and seed S of DISTILL_SEEDS (1-5):
 * - the single run: results:match's `s<S>-<setting>-hist-decay1-match` (trained here where the cache lacks
 *   it; the text-free setting's `s<S>-plain-notext-decay1-match` is this script's own);
 * - the student: the same command with `--teachers` the other seeds' single runs of that setting (4
 *   teachers, each with its own seed, as `--distill 4` would train them) and `--distill-weight 0.5`;
 * - the teachers' own average (their logits averaged, scored on seed S's test samples): what the
 *   student learns from, and what shipping the four networks instead of one would rank.
 * The full model also with two teachers (the next two seeds' runs, cyclically), the cheaper `--distill 2`.
 * Every row is paired per seed; the issue's targets are read for the students (the ablations distilled
 * alike, so each comparison keeps one recipe). The warm-item target's reference is results:real's full
 * model on the plain import, read from docs/results-match.json (its per-seed rows).
 * Cache and data as results:match's (HIST_DIR, .cache/results-history); DISTILL_JOBS (2) runs at a time.
 * Not part of CI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { averagedRuns } from './averaged-runs.ts';
import { COS, historyRuns, POP, runTasks } from './history-runs.ts';
import { mean, pairedCells, type Paired } from './paired-stats.ts';
import { PROTOCOL } from './real-data.ts';
import { seedRows } from './seed-rows.ts';
import { writeWithReading } from './with-reading.ts';

const SEEDS = (process.env.DISTILL_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const JOBS = Number(process.env.DISTILL_JOBS ?? 2);
const WEIGHT = '0.5';
const FLAGS = ['--history-features', '--emb-decay', '1', '--history-match'];
/** Plain-import runs have no item features, so no history features either (results:match's plain rows). */
const PLAIN_FLAGS = ['--emb-decay', '1', '--history-match'];
const SETTINGS = {
  full: { slug: 'full-hist-decay1-match', flags: FLAGS, name: 'full', on: 'all' },
  noid: { slug: 'noid-hist-decay1-match', flags: ['--no-id', ...FLAGS], name: '`--no-id`', on: 'all' },
  notext: { slug: 'notext-hist-decay1-match', flags: ['--no-text', ...FLAGS], name: '`--no-text`', on: 'all' },
  // No text at all: `--no-text` drops the title's vector, but the semantic ID is made from the title
  // (and description) too, so `--no-text` on the semantic-ID import still reads it. This is the same
  // command on the plain import: the model that never sees any item's text.
  notextPlain: { slug: 'plain-notext-decay1-match', flags: ['--no-text', ...PLAIN_FLAGS], name: 'no text at all (`--no-text` on the plain import)', on: 'plain' },
} as const;
type Setting = keyof typeof SETTINGS;
const KEYS = Object.keys(SETTINGS) as Setting[];
if (SEEDS.length < 2) throw new Error('DISTILL_SEEDS: the teachers are the other seeds\' runs; give at least two seeds');

const { data, both, dir, readEval, training } = await historyRuns('results:distill', false);
const teachersOf = (k: Setting, seed: number) => SEEDS.filter((s) => s !== seed).map((s) => dir(s, SETTINGS[k].slug));
const studentSlug = (k: Setting) => `${SETTINGS[k].slug}-kd${SEEDS.length - 1}`;
const dataOf = (k: Setting) => data[SETTINGS[k].on];
await runTasks(KEYS.flatMap((k) => SEEDS.map((seed) => both(seed, SETTINGS[k].slug, dataOf(k), [...SETTINGS[k].flags]))), JOBS);
await runTasks(KEYS.flatMap((k) => SEEDS.map((seed) => both(seed, studentSlug(k), dataOf(k), [...SETTINGS[k].flags, '--teachers', teachersOf(k, seed).join(','), '--distill-weight', WEIGHT]))), JOBS);
/** The cheaper recipe, `--distill 2`: the full model with two teachers, the next two seeds (cyclically among SEEDS). */
const twoOf = (seed: number) => [1, 2].map((j) => SEEDS[(SEEDS.indexOf(seed) + j) % SEEDS.length]);
const TWO = `${SETTINGS.full.slug}-kd2`;
await runTasks(SEEDS.map((seed) => both(seed, TWO, data.all, [...SETTINGS.full.flags, '--teachers', twoOf(seed).map((s) => dir(s, SETTINGS.full.slug)).join(','), '--distill-weight', WEIGHT])), JOBS);

// ---- collect
const { rows, add, paired, table, bySlice } = seedRows();
const single = (k: Setting) => `${SETTINGS[k].name}: one run${k === 'notextPlain' ? '' : " (results:match's)"}`;
const student = (k: Setting) => `${SETTINGS[k].name}: distilled from ${SEEDS.length - 1} teachers (\`--teachers\`, weight ${WEIGHT})`;
const averaged = (k: Setting) => `${SETTINGS[k].name}: the ${SEEDS.length - 1} teachers' logits averaged (${SEEDS.length - 1} networks; not what ships)`;
const studentOfTwo = `full: distilled from 2 teachers (the next two seeds' runs, as \`--distill 2\` trains them)`;
const seconds: number[] = [];
await useTrainingBackend();
const started = Date.now();
for (const seed of SEEDS) {
  for (const k of KEYS) {
    add(single(k), seed, readEval(dir(seed, SETTINGS[k].slug)));
    const s = readEval(dir(seed, studentSlug(k)));
    add(student(k), seed, s);
    if (k === 'full') add(studentOfTwo, seed, readEval(dir(seed, TWO)));
    if (k === 'full') {
      add(POP, seed, s.baselines!.popularity!);
      add(COS, seed, s.baselines!.text_cosine!);
      seconds.push(training(dir(seed, studentSlug(k))).seconds);
    }
    // The teachers scored on this seed's test samples (the same samples as the student's eval.json).
    add(averaged(k), seed, await averagedRuns(teachersOf(k, seed), dataOf(k), seed, s.overall.samples));
  }
  console.log(`seed ${seed}: full ${rows[single('full')].at(-1)!.auc.toFixed(4)} → distilled ${rows[student('full')].at(-1)!.auc.toFixed(4)}, teachers averaged ${rows[averaged('full')].at(-1)!.auc.toFixed(4)}`);
}
const scoring = (Date.now() - started) / 1000;

// results:real's full model on the plain import (the warm-item target's reference), from results:match's per-seed rows.
const REF = 'full on the plain import, results:real\'s "full model" (per seed from docs/results-match.json)';
const match = JSON.parse(readFileSync('docs/results-match.json', 'utf8')) as { rows: Record<string, { seed: number; auc: number; gauc: number; ndcg10: number; warm: number; cold: number }[]> };
const refRows = match.rows['full on the plain import (results:real\'s "full model")'];
for (const seed of SEEDS) {
  const r = refRows.find((x) => x.seed === seed);
  if (!r) throw new Error(`docs/results-match.json has no seed ${seed} for the plain import's full model`);
  rows[REF] = [...(rows[REF] ?? []), r];
}

type Target = [string, Paired, number];
const [S_FULL, S_NOID, S_NOTEXT, S_NONE] = KEYS.map(student);
const targets: Target[] = [
  ['cold-item AUC: distilled full − text cosine ≥ +0.03', paired(S_FULL, COS, 'cold'), 0.03],
  ['cold-item AUC: distilled full − distilled `--no-text` ≥ +0.05', paired(S_FULL, S_NOTEXT, 'cold'), 0.05],
  ['cold-item AUC: distilled full − distilled `--no-id` ≥ 0', paired(S_FULL, S_NOID, 'cold'), 0],
  ['warm-item AUC: distilled full − the full model on the plain import ≥ −0.005', paired(S_FULL, REF, 'warm'), -0.005],
  ['overall AUC: distilled full − popularity ≥ +0.08', paired(S_FULL, POP, 'auc'), 0.08],
  ['cold-item AUC: distilled full − one run of `--no-text` ≥ +0.05', paired(S_FULL, single('notext'), 'cold'), 0.05],
  ['cold-item AUC: distilled full − one run of `--no-id` ≥ 0', paired(S_FULL, single('noid'), 'cold'), 0],
  ['overall AUC: full distilled from 2 teachers − popularity ≥ +0.08', paired(studentOfTwo, POP, 'auc'), 0.08],
  ['cold-item AUC: distilled full − distilled, no text at all ≥ +0.05', paired(S_FULL, S_NONE, 'cold'), 0.05],
  ['cold-item AUC: full distilled from 2 teachers − distilled `--no-text` ≥ +0.05', paired(studentOfTwo, S_NOTEXT, 'cold'), 0.05],
  ['cold-item AUC: full distilled from 2 teachers − distilled, no text at all ≥ +0.05', paired(studentOfTwo, S_NONE, 'cold'), 0.05],
];
const diffs: [string, Paired][] = [
  ...bySlice('full, distilled from 2 teachers − one run', studentOfTwo, single('full')),
  ...bySlice('full, distilled from 4 teachers − from 2', S_FULL, studentOfTwo),
].concat(KEYS.flatMap((k) => [
  ...bySlice(`${SETTINGS[k].name}, distilled − one run`, student(k), single(k)),
  ...bySlice(`${SETTINGS[k].name}, the teachers averaged − distilled`, averaged(k), student(k)),
]), [
  ...bySlice('distilled `--no-text` (semantic ID) − distilled, no text at all: what the semantic ID reads of the title', S_NOTEXT, S_NONE),
  ...bySlice('distilled full − distilled, no text at all: all that reading text gives', S_FULL, S_NONE),
]);

const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js wasm backend`;
const json = { machine, seeds: SEEDS, weight: Number(WEIGHT), rows, targets: targets.map(([name, p, min]) => ({ name, ...p, min, holds: p.mean >= min })), diffs: diffs.map(([name, p]) => ({ name, ...p })) };
const md = `# Distillation: one network trained on the average of several, on real data

Written by \`npm run results:distill\` (scripts/results-distill.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.
${SEEDS.length} seeds (${SEEDS.join(', ')}); a student's training took ${Math.round(mean(seconds))} s on average (${JOBS} runs at a time on the 2 cores; its teachers
are ${SEEDS.length - 1} runs of the same length, so \`--distill ${SEEDS.length - 1}\` costs ${SEEDS.length} times one run); scoring the teachers here took ${Math.round(scoring)} s.

Data and commands: results:match's (docs/RESULTS-MATCH.md): the development period of Amazon Reviews 2018,
Industrial_and_Scientific + Office_Products (../shared/data/amazon18-industrial-office; the later period is kept back), imported
with the source's semantic ID (\`import amazon --semantic-ids 1\`); every run \`kindling train --epochs ${PROTOCOL.epochs} --negatives ${PROTOCOL.negatives} --seed S ${FLAGS.join(' ')}\`
(and \`--no-id\` or \`--no-text\` for those rows). **No text at all**: \`--no-text\` drops the title's vector, but the semantic ID is
made from the title and description too, so \`--no-text\` on the semantic-ID import still reads them through it; the rows
"no text at all" are \`--no-text ${PLAIN_FLAGS.join(' ')}\` on the plain import (no semantic ID, so no item features and no history
features): a model that never sees an item's text. **The student** of seed S: the same command with \`--teachers\` the other
${SEEDS.length - 1} seeds' runs of the same setting and \`--distill-weight ${WEIGHT}\`: each training sample's target is
${1 - Number(WEIGHT)} × its click label + ${WEIGHT} × σ(the teachers' mean logit) (src/train/distill.ts). Teachers with seeds other than S are
what \`--distill ${SEEDS.length - 1}\` trains (seeds S+1 … S+${SEEDS.length - 1}); here they are the other seeds' runs, so every run serves as a teacher
${SEEDS.length - 1} times. **The teachers averaged**: their logits averaged, on seed S's test samples (a ceiling for the student, and
what shipping ${SEEDS.length - 1} networks would rank). **Two teachers**: the next two seeds' runs, cyclically among the seeds (seed ${SEEDS.at(-2)} learns from ${SEEDS.at(-1)} and ${SEEDS[0]}), as the cheaper \`--distill 2\` would. Cells: mean ± standard error over seeds; differences paired per seed.

## Both domains
${table([...KEYS.flatMap((k) => [student(k), ...(k === 'full' ? [studentOfTwo] : []), single(k), averaged(k)]), REF, POP, COS])}

## The targets (issue 7), for the distilled models
| target | difference | standard error | seeds ahead | per seed | holds |
|---|---|---|---|---|---|
${targets.map((t) => `| ${t[0]} | ${pairedCells(t[1])} | ${t[1].mean >= t[2] ? 'yes' : '**no**'} |`).join('\n')}

(Two rows set the distilled model against one run of each ablation, as results:match set one run against one run.
The cold-start domain's targets are results:match's (docs/RESULTS-MATCH.md): fine-tuning is not distilled here.)

## What distillation does, paired per seed
| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${diffs.map(([n, p]) => `| ${n} | ${pairedCells(p)} |`).join('\n')}
`;
// The reading is written by hand (docs/RESULTS-DISTILL.reading.md) and appended.
writeWithReading('docs/RESULTS-DISTILL.md', md);
writeFileSync('docs/results-distill.json', JSON.stringify(json, null, 1) + '\n');
console.log(md);
