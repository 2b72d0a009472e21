/**
 * npm run results:decay — decoupled weight decay on the embedding tables (`--emb-decay L`,
 * RankerConfig.embDecay: after each Adam step every trainable `emb.*` row is scaled by 1 − lr·L) on
 * real data, with and without, paired per seed. Writes docs/RESULTS-DECAY.md and docs/results-decay.json.
 *
 * The data and commands are results:history's (../shared/data/amazon18-industrial-office, read in
 * place, never copied), and so is the cache: the runs without decay are its rows, the same folders
 * (.cache/results-history, HIST_DIR), and only the runs with decay are new:
 * - both domains, 3 epochs, 4 negatives: the full model on the plain import and on the import with the
 *   source's semantic ID and history features (the best model so far), and `--no-id` on the latter;
 * - the cold-start domain on the semantic-ID import with history features: an Office foundation with
 *   decay, its fine-tune on Industrial's first 2,000 events (freeze l0, --l2sp 0; the fine-tune keeps
 *   its foundation's config, decay included) and the same model from scratch with decay.
 * L = DECAY_LAMBDA (default 1). Seeds DECAY_SEEDS (1-5); DECAY_JOBS (default 2) runs at a time; about 1
 * hour here when results:history's runs are cached (2 jobs, beside other runs), about 3 more when not. Not part of CI.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { PROTOCOL } from './real-data.ts';
import { FT } from './cold-start-settings.ts';
import { COS, historyRuns, POP, runTasks } from './history-runs.ts';
import { mean, pairedCells, type Paired } from './paired-stats.ts';
import { seedRows } from './seed-rows.ts';
import { writeWithReading } from './with-reading.ts';

const SEEDS = (process.env.DECAY_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const LAMBDA = process.env.DECAY_LAMBDA ?? '1';
const JOBS = Number(process.env.DECAY_JOBS ?? 2);
const { epochs: EPOCHS, negatives: NEG, cold: COLD, coldEvents: COLD_EVENTS } = PROTOCOL;
const HIST = ['--history-features'];
const DECAY = ['--emb-decay', LAMBDA];
const tag = `decay${LAMBDA}`;

const { data, both, coldStart, readSeeds } = await historyRuns('results:decay', !!process.env.DECAY_FRESH);
const { plain, all } = data;

/** Rows on both domains: name -> [folder slug (results:history's for the runs without decay), data, flags]. */
const BOTH: Record<string, [string, string, string[]]> = {
  [`full on the plain import, --emb-decay ${LAMBDA}`]: [`plain-full-${tag}`, plain, DECAY],
  'full on the plain import (results:real\'s "full model")': ['plain-full', plain, []],
  [`full, semantic ID + history features, --emb-decay ${LAMBDA}`]: [`full-hist-${tag}`, all, [...HIST, ...DECAY]],
  'full, semantic ID + history features (results:history\'s)': ['full-hist', all, HIST],
  [`--no-id, semantic ID + history features, --emb-decay ${LAMBDA}`]: [`noid-hist-${tag}`, all, ['--no-id', ...HIST, ...DECAY]],
  '--no-id, semantic ID + history features (results:history\'s)': ['noid-hist', all, ['--no-id', ...HIST]],
  '--no-text, semantic ID + history features (results:history\'s)': ['notext-hist', all, ['--no-text', ...HIST]],
  [`--no-text, semantic ID + history features, --emb-decay ${LAMBDA}`]: [`notext-hist-${tag}`, all, ['--no-text', ...HIST, ...DECAY]],
};
const run = (seed: number, [slug, on, flags]: [string, string, string[]]) => both(seed, slug, on, flags);
const rowsOf = Object.values(BOTH);
// The new runs first, the most telling first; results:history's own rows run only where its cache lacks them.
await runTasks([
  ...SEEDS.map((seed) => run(seed, rowsOf[2])),
  ...SEEDS.map((seed) => coldStart(seed, `-hist-${tag}`, [...HIST, ...DECAY])),
  ...SEEDS.map((seed) => run(seed, rowsOf[0])),
  ...SEEDS.map((seed) => run(seed, rowsOf[4])),
  ...SEEDS.map((seed) => run(seed, rowsOf[7])),
  ...SEEDS.flatMap((seed) => [rowsOf[1], rowsOf[3], rowsOf[5], rowsOf[6]].map((r) => run(seed, r))),
  ...SEEDS.map((seed) => coldStart(seed, '-hist', HIST)),
], JOBS);

// ---- collect
const { rows, add, paired, table, bySlice } = seedRows();
const [PLAIN_D, PLAIN, FULL_D, FULL, NOID_D, NOID, NOTEXT, NOTEXT_D] = Object.keys(BOTH);
const CS = {
  zeroD: `${COLD}: Office foundation with decay, as it was (zero-shot)`,
  ftD: `${COLD}: that foundation + fine-tune, freeze l0, --l2sp 0 (decay from the foundation's config)`,
  scratchD: `${COLD}: the same model from scratch, --emb-decay ${LAMBDA}`,
  zero: `${COLD}: Office foundation without decay, as it was (zero-shot; results:history's)`,
  ft: `${COLD}: that foundation + fine-tune, freeze l0, --l2sp 0 (results:history's)`,
  scratch: `${COLD}: the same model from scratch, without decay (results:history's)`,
};
const { speeds, seconds } = readSeeds(SEEDS, BOTH, add, FULL_D, [
  [`-hist-${tag}`, { zero: CS.zeroD, ft: CS.ftD, scratch: CS.scratchD }],
  ['-hist', { zero: CS.zero, ft: CS.ft, scratch: CS.scratch }],
], tag);
type Target = [string, Paired, number];
const targets: Target[] = [
  ['cold-item AUC: full (semantic ID, history features, decay) − text cosine ≥ +0.03', paired(FULL_D, COS, 'cold'), 0.03],
  ['cold-item AUC: full − `--no-text` (both with decay) ≥ +0.05', paired(FULL_D, NOTEXT_D, 'cold'), 0.05],
  ['cold-item AUC: full − `--no-id` (both with decay) ≥ 0', paired(FULL_D, NOID_D, 'cold'), 0],
  ['warm-item AUC: full − the full model on the plain import ≥ −0.005', paired(FULL_D, PLAIN, 'warm'), -0.005],
  ['overall AUC: full − popularity ≥ +0.08', paired(FULL_D, POP, 'auc'), 0.08],
  ['overall AUC: full on the plain import with decay − popularity ≥ +0.08', paired(PLAIN_D, POP, 'auc'), 0.08],
  [`${COLD}: fine-tune − scratch, both with decay, ≥ +0.02 (4 of 5 seeds ahead)`, paired(CS.ftD, CS.scratchD), 0.02],
  [`${COLD}: fine-tune − zero-shot foundation, both with decay, ≥ +0.01 (4 of 5 seeds ahead)`, paired(CS.ftD, CS.zeroD), 0.01],
];
const holds = ([name, p, min]: Target) => p.mean >= min && (!name.startsWith(COLD) || p.ahead >= Math.ceil(0.8 * p.n));
const diffs: [string, Paired][] = [
  ...bySlice('plain import, with decay − without', PLAIN_D, PLAIN),
  ...bySlice('semantic ID + history features, with decay − without', FULL_D, FULL),
  ...bySlice('`--no-id`, with decay − without', NOID_D, NOID),
  ...bySlice('`--no-text`, with decay − without', NOTEXT_D, NOTEXT),
  ...bySlice(`${COLD} fine-tune, with decay − without`, CS.ftD, CS.ft),
  ...bySlice(`${COLD} from scratch, with decay − without`, CS.scratchD, CS.scratch),
  ['overall: fine-tune − scratch, without decay (results:history\'s)', paired(CS.ft, CS.scratch)],
];

const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js wasm backend`;
const speed = (name: string) => Math.round(mean(speeds[name]));
const md = `# Weight decay on the embedding tables, on real data

Written by \`npm run results:decay\` (scripts/results-decay.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.
${SEEDS.length} seeds (${SEEDS.join(', ')}), ${Math.round(seconds / 60)} minutes of training for the runs with decay (each run's own seconds; ${JOBS} runs at a time on
the 2 cores). Training speed, samples/s, semantic ID + history features: with decay ${speed(FULL_D)}, without ${speed(FULL)} (each as its
runs went: when other runs share the cores the speed falls, so the two compare only when both were made alike).

Data and commands: results:history's (docs/RESULTS-HISTORY.md): the development period of Amazon Reviews 2018,
Industrial_and_Scientific + Office_Products (../shared/data/amazon18-industrial-office; the later period is kept back), imported
plain and with the source's semantic ID (\`import amazon --semantic-ids 1\`); every run \`kindling train --epochs ${EPOCHS} --negatives ${NEG} --seed S\`;
the cold-start domain an Office foundation, Industrial's first ${COLD_EVENTS} events, \`finetune --freeze l0 --l2sp 0 --epochs ${FT.epochs} --lr ${FT.lr}\`,
scratch \`--epochs ${FT.epochs} --batch ${FT.scratchBatch}\`. The rows without decay are results:history's runs, read from its cache.
\`--emb-decay ${LAMBDA}\` (RankerConfig.embDecay): decoupled weight decay (AdamW's, Loshchilov & Hutter 2019) on the embedding
tables only: after each Adam step every trainable row of \`emb.id\`, \`emb.sparse\`, \`emb.domain\`, \`emb.action\` and \`emb.position\`
is scaled by 1 − lr·${LAMBDA}. Training only: no parameter, kernel or file changes. Cells: mean ± standard error over seeds; differences paired per seed.

## Both domains
${table([PLAIN_D, PLAIN, FULL_D, FULL, NOID_D, NOID, NOTEXT_D, NOTEXT, POP, COS])}

## The cold-start domain (semantic ID + history features)
${table(Object.values(CS))}

## The targets (issue 7), for the model with decay
| target | difference | standard error | seeds ahead | per seed | holds |
|---|---|---|---|---|---|
${targets.map((t) => `| ${t[0]} | ${pairedCells(t[1])} | ${holds(t) ? 'yes' : '**no**'} |`).join('\n')}

(The warm-item target's reference here is the full model on the plain import without decay, the model results:real reports first.)

## What decay does, paired per seed
| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${diffs.map(([n, p]) => `| ${n} | ${pairedCells(p)} |`).join('\n')}
`;
// The reading is written by hand (docs/RESULTS-DECAY.reading.md) and appended.
writeWithReading('docs/RESULTS-DECAY.md', md);
writeFileSync('docs/results-decay.json', `${JSON.stringify({ machine, seeds: SEEDS, lambda: Number(LAMBDA), rows, targets: targets.map(([name, p, min]) => ({ name, ...p, min, holds: holds([name, p, min]) })), diffs: Object.fromEntries(diffs) }, null, 2)}\n`);
console.log(md);
