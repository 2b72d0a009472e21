/**
 * npm run results:history — the history's item features (`--history-features`: each clicked item's
 * features through the item MLP into its event in the user tower) on real data, with and without,
 * paired per seed. Writes docs/RESULTS-HISTORY.md and docs/results-history.json.
 *
 * The data is the real data of `npm run results:real` (../shared/data/amazon18-industrial-office,
 * read in place, never copied), imported with the source's semantic ID as the item feature
 * (`import amazon --semantic-ids 1`: without it the items have no features and the switch changes
 * nothing). The same commands as results:real's semantic-ID rows, with the switch on and off:
 * - both domains, 3 epochs, 4 negatives: the full model with and without history features, `--no-id`
 *   and `--no-text` with them, and the full model on the plain import (no feature) for reference;
 * - the cold-start domain: an Office foundation, fine-tuned on Industrial's first 2,000 events
 *   (freeze l0, --l2sp 0), and the same model from scratch, each with and without.
 * Seeds HIST_SEEDS (1-5); the cold-start domain with history features also on HIST_MORE_SEEDS (6-10), for
 * the protocol's target over 10. Runs are cached under .cache/results-history (HIST_DIR; HIST_FRESH=1 redoes
 * them), HIST_JOBS (default 2) at a time; about 3 hours here. Not part of CI.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { PROTOCOL } from './real-data.ts';
import { FT } from './cold-start-settings.ts';
import { COS, historyRuns, POP, runTasks } from './history-runs.ts';
import { mean, pairedCells, type Paired } from './paired-stats.ts';
import { seedRows } from './seed-rows.ts';
import { writeWithReading } from './with-reading.ts';

const SEEDS = (process.env.HIST_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
/** More seeds for the cold-start domain with history features alone (its foundation, fine-tune and scratch): the protocol's target over 10. */
const MORE_SEEDS = (process.env.HIST_MORE_SEEDS ?? '6,7,8,9,10').split(',').filter(Boolean).map(Number);
const JOBS = Number(process.env.HIST_JOBS ?? 2);
const { epochs: EPOCHS, negatives: NEG, cold: COLD, coldEvents: COLD_EVENTS } = PROTOCOL;
const ON = ['--history-features'];
const OFF = ['--no-history-features'];

const { data, dir, readEval, training, both, coldStart, readBoth, readColdStart } = await historyRuns('results:history', !!process.env.HIST_FRESH);
const { plain, all } = data;

/** Rows on both domains: [folder slug, data, flags]. */
const BOTH: Record<string, [string, string, string[]]> = {
  'full, history features (--history-features)': ['full-hist', all, ON],
  'full without history features (--no-history-features; results:real\'s semantic-ID row)': ['full', all, OFF],
  '--no-id, history features': ['noid-hist', all, ['--no-id', ...ON]],
  '--no-text, history features': ['notext-hist', all, ['--no-text', ...ON]],
  'full model on the plain import (no semantic ID, so no item features; results:real\'s "full model")': ['plain-full', plain, []],
};

/** Every run as a task of its own (a foundation and what starts from it are one task), JOBS at a time. */
await runTasks([
  ...SEEDS.flatMap((seed) => [
    ...Object.values(BOTH).map(([slug, on, flags]) => both(seed, slug, on, flags)),
    coldStart(seed, '-hist', ON),
    coldStart(seed, '', OFF),
  ]),
  ...MORE_SEEDS.map((seed) => coldStart(seed, '-hist', ON)),
], JOBS);

// ---- collect
const { rows, add, paired, table, bySlice } = seedRows();
const [FULL_H, FULL, NOID_H, NOTEXT_H, PLAIN] = Object.keys(BOTH);
const CS = {
  zeroH: `${COLD}: Office foundation with history features, as it was (zero-shot)`,
  ftH: `${COLD}: that foundation + fine-tune, freeze l0, --l2sp 0`,
  scratchH: `${COLD}: the same model from scratch (--history-features)`,
  zero: `${COLD}: Office foundation without history features, as it was (zero-shot)`,
  ft: `${COLD}: that foundation + fine-tune, freeze l0, --l2sp 0 (results:real's semantic-ID fine-tune)`,
  scratch: `${COLD}: the same model from scratch (--no-history-features)`,
  pop: `${COLD}: popularity`,
  cos: `${COLD}: text cosine`,
};
const speeds: Record<string, number[]> = {};
let seconds = 0;
for (const seed of SEEDS) {
  for (const [name, t] of Object.entries(readBoth(seed, BOTH, add, FULL_H))) {
    (speeds[name] ??= []).push(t.samplesPerSecond);
    seconds += t.seconds;
  }
  for (const [suffix, zero, ft, scratch] of [['-hist', CS.zeroH, CS.ftH, CS.scratchH], ['', CS.zero, CS.ft, CS.scratch]] as const) {
    const cs = readColdStart(seed, suffix, add, { zero, ft, scratch });
    seconds += cs.seconds;
    if (suffix) {
      add(CS.pop, seed, cs.ft.baselines!.popularity!);
      add(CS.cos, seed, cs.ft.baselines!.text_cosine!);
    }
  }
}
// The cold-start domain with history features over every seed (SEEDS and MORE_SEEDS), under their own names.
const ALL_SEEDS = [...SEEDS, ...MORE_SEEDS];
const allSeeds = (name: string) => `${name} [${ALL_SEEDS.length} seeds]`;
for (const seed of ALL_SEEDS) {
  add(allSeeds(CS.zeroH), seed, readEval(dir(seed, 'ft-l0-l2sp0-hist'), 'foundation-eval.json'));
  add(allSeeds(CS.ftH), seed, readEval(dir(seed, 'ft-l0-l2sp0-hist')));
  add(allSeeds(CS.scratchH), seed, readEval(dir(seed, 'scratch-hist')));
  if (MORE_SEEDS.includes(seed)) for (const d of ['foundation-office-hist', 'ft-l0-l2sp0-hist', 'scratch-hist']) seconds += training(dir(seed, d)).seconds ?? 0;
}
type Target = [string, Paired, number];
const targets: Target[] = [
  ['cold-item AUC: full − text cosine ≥ +0.03', paired(FULL_H, COS, 'cold'), 0.03],
  ['cold-item AUC: full − `--no-text` ≥ +0.05', paired(FULL_H, NOTEXT_H, 'cold'), 0.05],
  ['cold-item AUC: full − `--no-id` ≥ 0', paired(FULL_H, NOID_H, 'cold'), 0],
  ['warm-item AUC: full − the full model on the plain import ≥ −0.005', paired(FULL_H, PLAIN, 'warm'), -0.005],
  ['overall AUC: full − popularity ≥ +0.08', paired(FULL_H, POP, 'auc'), 0.08],
  [`${COLD}: fine-tune − scratch ≥ +0.02 (4 of 5 seeds ahead)`, paired(CS.ftH, CS.scratchH), 0.02],
  [`${COLD}: fine-tune − zero-shot foundation ≥ +0.01 (4 of 5 seeds ahead)`, paired(CS.ftH, CS.zeroH), 0.01],
  ...(MORE_SEEDS.length
    ? ([
        [`${COLD}: fine-tune − scratch ≥ +0.02, over ${ALL_SEEDS.length} seeds (ahead in 80% of them)`, paired(allSeeds(CS.ftH), allSeeds(CS.scratchH)), 0.02],
        [`${COLD}: fine-tune − zero-shot foundation ≥ +0.01, over ${ALL_SEEDS.length} seeds`, paired(allSeeds(CS.ftH), allSeeds(CS.zeroH)), 0.01],
      ] as Target[])
    : []),
];
const holds = ([name, p, min]: Target) => p.mean >= min && (!name.startsWith(COLD) || p.ahead >= Math.ceil(0.8 * p.n));
const diffs: [string, Paired][] = [
  ...bySlice('full, with history features − without', FULL_H, FULL),
  ...bySlice('full with history features − the full model on the plain import', FULL_H, PLAIN),
  ...bySlice(`${COLD} fine-tune, with history features − without`, CS.ftH, CS.ft),
  ...bySlice(`${COLD} from scratch, with history features − without`, CS.scratchH, CS.scratch),
  ['overall: fine-tune − scratch, without history features (results:real\'s semantic-ID protocol)', paired(CS.ft, CS.scratch)],
];

const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js wasm backend`;
const speed = (name: string) => Math.round(mean(speeds[name]));
const md = `# History features on real data: each clicked item's features in the user tower

Written by \`npm run results:history\` (scripts/results-history.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.
${SEEDS.length} seeds (${SEEDS.join(', ')}; the cold-start domain with history features also ${MORE_SEEDS.join(', ')}), ${Math.round(seconds / 60)} minutes of training in all (each run's own seconds; ${JOBS} runs at a time on
the 2 cores). Training speed, samples/s: with history features ${speed(FULL_H)}, without ${speed(FULL)}.

Data: the development period of Amazon Reviews 2018, Industrial_and_Scientific + Office_Products (../shared/data/amazon18-industrial-office;
the later period is kept back), imported as results:real imports it (docs/RESULTS-REAL.md) and with the source's semantic ID
(\`import amazon --semantic-ids 1\`): its first code is the items' one feature. Without an item feature the switch changes nothing.
\`--history-features\` (RankerConfig.historyFeatures): each history event adds its item's features through the item side's sparse
MLP (the one the candidates use) to its event embedding, so the user tower sees what kind of items the user clicked, beside their
IDs and texts. Every run: \`kindling train --epochs ${EPOCHS} --negatives ${NEG} --seed S\`; the cold-start domain as results:real runs it
(an Office foundation; Industrial's first ${COLD_EVENTS} events; \`finetune --freeze l0 --l2sp 0 --epochs ${FT.epochs} --lr ${FT.lr}\`;
scratch \`--epochs ${FT.epochs} --batch ${FT.scratchBatch}\`). Cells: mean ± standard error over seeds; differences paired per seed.

## Both domains
${table([FULL_H, FULL, NOID_H, NOTEXT_H, PLAIN, POP, COS])}

## The cold-start domain
${table(Object.values(CS))}
${MORE_SEEDS.length ? `
With history features, over seeds ${ALL_SEEDS.join(', ')} (the same commands; \`HIST_MORE_SEEDS\` runs only these rows on seeds ${MORE_SEEDS.join(', ')}):
${table([CS.zeroH, CS.ftH, CS.scratchH].map(allSeeds))}
` : ''}
## The targets (issue 7), for the model with history features
| target | difference | standard error | seeds ahead | per seed | holds |
|---|---|---|---|---|---|
${targets.map((t) => `| ${t[0]} | ${pairedCells(t[1])} | ${holds(t) ? 'yes' : '**no**'} |`).join('\n')}

(The warm-item target's reference here is the full model on the plain import, the model results:real reports first; its
other reference, the full model as it was before ID masking, is in docs/RESULTS-REAL.md.)

## What the switch does, paired per seed
| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${diffs.map(([n, p]) => `| ${n} | ${pairedCells(p)} |`).join('\n')}
`;
// The reading is written by hand (docs/RESULTS-HISTORY.reading.md) and appended.
writeWithReading('docs/RESULTS-HISTORY.md', md);
writeFileSync('docs/results-history.json', `${JSON.stringify({ machine, seeds: SEEDS, rows, targets: targets.map(([name, p, min]) => ({ name, ...p, min, holds: holds([name, p, min]) })), diffs: Object.fromEntries(diffs) }, null, 2)}\n`);
console.log(md);
