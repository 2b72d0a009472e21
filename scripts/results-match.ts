/**
 * npm run results:match — history-match features (`--history-match`, RankerConfig.historyMatch: each
 * candidate's `~repeat` and `~covisit`, src/model/history-match.ts) on real data, with and without,
 * paired per seed, on top of the best model so far (the semantic-ID import, history features,
 * `--emb-decay 1`). Writes docs/RESULTS-MATCH.md and docs/results-match.json.
 *
 * The data and commands are results:history's (../shared/data/amazon18-industrial-office, read in
 * place, never copied), and so is the cache (.cache/results-history, HIST_DIR): the runs without the
 * features are results:decay's, and only the runs with them are new:
 * - both domains, 3 epochs, 4 negatives: the full model on the semantic-ID import with history
 *   features and decay, and on the plain import with decay; `--no-id` and `--no-text` on the former;
 * - the cold-start domain: an Office foundation with the features, its fine-tune on Industrial's first
 *   2,000 events (freeze l0, --l2sp 0; the fine-tune adds Industrial's co-visits to its foundation's
 *   table) and the same model from scratch.
 * Seeds MATCH_SEEDS (1-5); MATCH_JOBS (default 2) runs at a time; about 70 minutes here when
 * results:decay's runs are cached, several hours more when not. Not part of CI.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { PROTOCOL } from './real-data.ts';
import { FT } from './cold-start-settings.ts';
import { COS, historyRuns, POP, runTasks } from './history-runs.ts';
import { mean, pairedCells, type Paired } from './paired-stats.ts';
import { seedRows } from './seed-rows.ts';
import { writeWithReading } from './with-reading.ts';

const SEEDS = (process.env.MATCH_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const JOBS = Number(process.env.MATCH_JOBS ?? 2);
const { epochs: EPOCHS, negatives: NEG, cold: COLD, coldEvents: COLD_EVENTS } = PROTOCOL;
const HIST = ['--history-features'];
const DECAY = ['--emb-decay', '1'];
const MATCH = ['--history-match'];

const { data, both, coldStart, readSeeds } = await historyRuns('results:match', !!process.env.MATCH_FRESH);
const { plain, all } = data;

/** Rows on both domains: name -> [folder slug (results:decay's for the runs without the features), data, flags]. */
const BOTH: Record<string, [string, string, string[]]> = {
  'full, semantic ID + history features + decay, --history-match': ['full-hist-decay1-match', all, [...HIST, ...DECAY, ...MATCH]],
  'full, semantic ID + history features + decay (results:decay\'s)': ['full-hist-decay1', all, [...HIST, ...DECAY]],
  'full on the plain import + decay, --history-match': ['plain-full-decay1-match', plain, [...DECAY, ...MATCH]],
  'full on the plain import + decay (results:decay\'s)': ['plain-full-decay1', plain, DECAY],
  '--no-id, semantic ID + history features + decay, --history-match': ['noid-hist-decay1-match', all, ['--no-id', ...HIST, ...DECAY, ...MATCH]],
  '--no-id, semantic ID + history features + decay (results:decay\'s)': ['noid-hist-decay1', all, ['--no-id', ...HIST, ...DECAY]],
  '--no-text, semantic ID + history features + decay, --history-match': ['notext-hist-decay1-match', all, ['--no-text', ...HIST, ...DECAY, ...MATCH]],
  '--no-text, semantic ID + history features + decay (results:decay\'s)': ['notext-hist-decay1', all, ['--no-text', ...HIST, ...DECAY]],
  'full on the plain import (results:real\'s "full model")': ['plain-full', plain, []],
  'full, semantic ID + history features + decay, --history-match --covisit-min 2': ['full-hist-decay1-min2-match', all, [...HIST, ...DECAY, ...MATCH, '--covisit-min', '2']],
};
const run = (seed: number, [slug, on, flags]: [string, string, string[]]) => both(seed, slug, on, flags);
const rowsOf = Object.values(BOTH);
// The new runs first, the most telling first; results:decay's own rows run only where the cache lacks them.
await runTasks([
  ...SEEDS.flatMap((seed) => [run(seed, rowsOf[0]), run(seed, rowsOf[2])]),
  ...SEEDS.map((seed) => coldStart(seed, '-hist-decay1-match', [...HIST, ...DECAY, ...MATCH])),
  ...SEEDS.map((seed) => run(seed, rowsOf[4])),
  ...SEEDS.map((seed) => run(seed, rowsOf[6])),
  ...SEEDS.flatMap((seed) => [rowsOf[1], rowsOf[3], rowsOf[5], rowsOf[7], rowsOf[8]].map((r) => run(seed, r))),
  ...SEEDS.map((seed) => coldStart(seed, '-hist-decay1', [...HIST, ...DECAY])),
  ...SEEDS.map((seed) => run(seed, rowsOf[9])),
], JOBS);

// ---- collect
const { rows, add, paired, table, bySlice } = seedRows();
const [FULL_M, FULL, PLAIN_M, PLAIN_D, NOID_M, NOID, NOTEXT_M, NOTEXT, PLAIN, FULL_M2] = Object.keys(BOTH);
const CS = {
  zeroM: `${COLD}: Office foundation with the features, as it was (zero-shot)`,
  ftM: `${COLD}: that foundation + fine-tune, freeze l0, --l2sp 0 (features and decay from the foundation's config)`,
  scratchM: `${COLD}: the same model from scratch, --history-match`,
  zero: `${COLD}: Office foundation without them, as it was (zero-shot; results:decay's)`,
  ft: `${COLD}: that foundation + fine-tune, freeze l0, --l2sp 0 (results:decay's)`,
  scratch: `${COLD}: the same model from scratch, without them (results:decay's)`,
};
const { speeds, seconds } = readSeeds(SEEDS, BOTH, add, FULL_M, [
  ['-hist-decay1-match', { zero: CS.zeroM, ft: CS.ftM, scratch: CS.scratchM }],
  ['-hist-decay1', { zero: CS.zero, ft: CS.ft, scratch: CS.scratch }],
], '-match');
type Target = [string, Paired, number];
const targets: Target[] = [
  ['cold-item AUC: full (semantic ID, history features, decay, history match) − text cosine ≥ +0.03', paired(FULL_M, COS, 'cold'), 0.03],
  ['cold-item AUC: full − `--no-text` (both with the features) ≥ +0.05', paired(FULL_M, NOTEXT_M, 'cold'), 0.05],
  ['cold-item AUC: full − `--no-id` (both with the features) ≥ 0', paired(FULL_M, NOID_M, 'cold'), 0],
  ['warm-item AUC: full − the full model on the plain import ≥ −0.005', paired(FULL_M, PLAIN, 'warm'), -0.005],
  ['overall AUC: full − popularity ≥ +0.08', paired(FULL_M, POP, 'auc'), 0.08],
  ['overall AUC: full on the plain import with decay and the features − popularity ≥ +0.08', paired(PLAIN_M, POP, 'auc'), 0.08],
  [`${COLD}: fine-tune − scratch, both with the features, ≥ +0.02 (4 of 5 seeds ahead)`, paired(CS.ftM, CS.scratchM), 0.02],
  [`${COLD}: fine-tune − zero-shot foundation, both with the features, ≥ +0.01 (4 of 5 seeds ahead)`, paired(CS.ftM, CS.zeroM), 0.01],
];
const holds = ([name, p, min]: Target) => p.mean >= min && (!name.startsWith(COLD) || p.ahead >= Math.ceil(0.8 * p.n));
const diffs: [string, Paired][] = [
  ...bySlice('semantic ID + history features + decay, with the features − without', FULL_M, FULL),
  ...bySlice('plain import + decay, with the features − without', PLAIN_M, PLAIN_D),
  ...bySlice('`--no-id`, with the features − without', NOID_M, NOID),
  ...bySlice('`--no-text`, with the features − without', NOTEXT_M, NOTEXT),
  ...bySlice(`${COLD} fine-tune, with the features − without`, CS.ftM, CS.ft),
  ...bySlice(`${COLD} from scratch, with the features − without`, CS.scratchM, CS.scratch),
  ['overall: fine-tune − scratch, without the features (results:decay\'s)', paired(CS.ft, CS.scratch)],
  ...bySlice('full, `--covisit-min 2` (only pairs two users or more made) − every pair', FULL_M2, FULL_M),
  ['overall: full with `--covisit-min 2` − popularity', paired(FULL_M2, POP, 'auc')],
];

const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js wasm backend`;
const speed = (name: string) => Math.round(mean(speeds[name]));
const md = `# History-match features (repeat and co-visitation), on real data

Written by \`npm run results:match\` (scripts/results-match.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.
${SEEDS.length} seeds (${SEEDS.join(', ')}), ${Math.round(seconds / 60)} minutes of training for the runs with the features (each run's own seconds; ${JOBS} runs at a time on
the 2 cores). Training speed, samples/s, the full model: with the features ${speed(FULL_M)}, without ${speed(FULL)} (each as its
runs went: when other runs share the cores the speed falls, so the two compare only when both were made alike).

Data and commands: results:history's (docs/RESULTS-HISTORY.md): the development period of Amazon Reviews 2018,
Industrial_and_Scientific + Office_Products (../shared/data/amazon18-industrial-office; the later period is kept back), imported
plain and with the source's semantic ID (\`import amazon --semantic-ids 1\`); every run \`kindling train --epochs ${EPOCHS} --negatives ${NEG} --seed S\`
with \`--history-features --emb-decay 1\` (the plain import has no item features, so only decay there);
the cold-start domain an Office foundation, Industrial's first ${COLD_EVENTS} events, \`finetune --freeze l0 --l2sp 0 --epochs ${FT.epochs} --lr ${FT.lr}\`,
scratch \`--epochs ${FT.epochs} --batch ${FT.scratchBatch}\`. The rows without the features are results:decay's runs, read from the cache.
\`--history-match\` (RankerConfig.historyMatch, src/model/history-match.ts): two more numeric item features per candidate,
\`~repeat\` (the candidate is among the clicked items of the user's behaviour sequence) and \`~covisit\` (ln(1 + the sum, over
those clicked items, of how many training users clicked both), from a co-visitation table of the training split that ships in
the model's config; in training each sample's own user is left out of the counts). Cells: mean ± standard error over seeds; differences paired per seed.

## Both domains
${table([FULL_M, FULL_M2, FULL, PLAIN_M, PLAIN_D, NOID_M, NOID, NOTEXT_M, NOTEXT, PLAIN, POP, COS])}

## The cold-start domain (semantic ID + history features + decay)
${table(Object.values(CS))}

## The targets (issue 7), for the model with the features
| target | difference | standard error | seeds ahead | per seed | holds |
|---|---|---|---|---|---|
${targets.map((t) => `| ${t[0]} | ${pairedCells(t[1])} | ${holds(t) ? 'yes' : '**no**'} |`).join('\n')}

(The warm-item target's reference is the full model on the plain import without decay or the features, the model results:real reports first.)

## What the features do, paired per seed
| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${diffs.map(([n, p]) => `| ${n} | ${pairedCells(p)} |`).join('\n')}
`;
// The reading is written by hand (docs/RESULTS-MATCH.reading.md) and appended.
writeWithReading('docs/RESULTS-MATCH.md', md);
writeFileSync('docs/results-match.json', `${JSON.stringify({ machine, seeds: SEEDS, rows, targets: targets.map(([name, p, min]) => ({ name, ...p, min, holds: holds([name, p, min]) })), diffs: Object.fromEntries(diffs) }, null, 2)}\n`);
console.log(md);
