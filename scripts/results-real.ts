/**
 * npm run results:real — Kindling on real data (Amazon Reviews 2018, Industrial_and_Scientific +
 * Office_Products; the development period in ../shared/data/amazon18-industrial-office, read in
 * place and never copied into the repository). Writes docs/RESULTS-REAL.md and
 * docs/results-real.json:
 * - both domains, the earliest 80% of each domain's events train (`kindling import amazon`),
 *   4 sampled negatives per positive, 3 epochs: the full model, its ablations and the two
 *   parameter-free baselines on the same test samples;
 * - the cold-start domain: a foundation pretrained on Office, then Industrial with only its first
 *   2,000 events: zero-shot, fine-tuned with both freeze splits, and from scratch.
 * Five seeds, paired per seed. Runs are cached under .cache/results-real (REAL_DIR; REAL_FRESH=1
 * redoes them) and run REAL_JOBS (default 2) at a time as child processes. Not part of CI.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { EvalReport } from '../src/eval/report.ts';
import { itemKey } from '../src/features/history.ts';
import { DEFAULT_RANKER } from '../src/model/config.ts';
import { bucket } from '../src/util/hash.ts';
import { FT } from './cold-start-settings.ts';
import { relabelledCopy, runOnce } from './cached-runs.ts';
import { PROTOCOL, realDataDir } from './real-data.ts';
import { basicTokenize } from './encoder/vocab.ts';
import { mean, se, sign } from './paired-stats.ts';
import { writeWithReading } from './with-reading.ts';
import { seedRows } from './seed-rows.ts';

const DATA = realDataDir('results:real');
const SEEDS = (process.env.REAL_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
/**
 * Seeds beyond SEEDS for the one close call, full against `--no-id` on new items, and what the SIF weighting
 * does to it: only those four rows (CLOSE_ROWS) run on them, and the section "The close call" reads all seeds.
 */
const CLOSE_SEEDS = (process.env.REAL_CLOSE_SEEDS ?? '6,7,8,9,10').split(',').filter(Boolean).map(Number);
const ROOT = process.env.REAL_DIR ?? '.cache/results-real';
const JOBS = Number(process.env.REAL_JOBS ?? 2);
const { epochs: EPOCHS, negatives: NEG, cold: COLD, warm: WARM, coldEvents: COLD_EVENTS } = PROTOCOL;
/** The validation share for the rows that pick their epoch (`--valid`). */
const VALID = '0.1';

/** The rows on both domains: flags on top of `kindling train`. The first is the full model. */
// Rows measured before history-ID dropout existed keep it off (--hist-id-dropout 0), so that they
// compare with each other and with the row "full without history-ID dropout" as they did.
const HD0 = ['--hist-id-dropout', '0'];
// Rows measured before the shipped table was weighted by smooth inverse frequency read the unweighted
// table (the 5-bit one below, built with --sif 0: the encoder that shipped then, byte for byte), so that
// they compare with each other as they did.
const UNWEIGHTED = () => ['--text-vectors', join(ROOT, 'glove-5bit')];
const MODELS: Record<string, string[]> = {
  'full model': [],
  '--no-text': ['--no-text'],
  '--no-id': ['--no-id'],
  'masking without ID dropout (--id-dropout 0 --hist-id-dropout 0; on the unweighted table)': ['--id-dropout', '0', ...HD0, ...UNWEIGHTED()],
  'full as before this change: unknown IDs read their hashed bucket, no ID dropout (--unknown-ids hash --id-dropout 0; the unweighted table, --text-vectors)': ['--unknown-ids', 'hash', '--id-dropout', '0', ...UNWEIGHTED()],
  'full on Universal Sentence Encoder Lite vectors (--text-vectors, encoded offline; --hist-id-dropout 0)': ['--text-vectors', join(ROOT, 'use-lite'), ...HD0],
  'full on the GloVe table stored as int8 (--text-vectors; --hist-id-dropout 0)': ['--text-vectors', join(ROOT, 'glove-8bit'), ...HD0],
  'full on the GloVe table stored as 5-bit codes (--text-vectors; --hist-id-dropout 0)': ['--text-vectors', join(ROOT, 'glove-5bit'), ...HD0],
  'full on the float32 GloVe vectors, unquantised (--text-vectors; --hist-id-dropout 0)': ['--text-vectors', join(ROOT, 'glove-floatbit'), ...HD0],
  'full without history-ID dropout (--hist-id-dropout 0; on the unweighted table)': [...HD0, ...UNWEIGHTED()],
  'full on a 100,000-word table (5-bit codes, unweighted; --text-vectors; not shipped: 5.8 MB more to download)': ['--text-vectors', join(ROOT, 'glove-100k')],
  'full on the table weighted by smooth inverse frequency, a = 0.001 (build:encoder --sif 0.001; --text-vectors)': ['--text-vectors', join(ROOT, 'glove-sif0.001')],
  'full on the unweighted table, as shipped until the table was weighted (build:encoder --sif 0; --text-vectors)': UNWEIGHTED(),
  '--no-id on the unweighted table (--text-vectors)': ['--no-id', ...UNWEIGHTED()],
  // Its validation run (OUT/refit-validation) is the row "epoch picked on validation AUC" (REFIT_PICKED).
  'full, epoch picked on validation AUC, then refit on the whole training period (--valid 0.1 --refit)': ['--valid', VALID, '--refit'],
};
/**
 * The semantic-ID runs were measured before history features (on by default since 2026-11-28; they
 * read the items' features, and only these data have any) and keep them off: results:history measures them.
 */
const SID_OFF = ['--no-history-features'];
/**
 * The rows on items with the source's semantic ID as a feature (\`import amazon --semantic-ids 1\`: the
 * first code of each item's three, a cluster of items by their text that MiniOneRec computed with a large
 * text encoder; docs/DATA.md). The full model and \`--no-id\` also run on CLOSE_SEEDS.
 */
const SID_MODELS: Record<string, string[]> = {
  "full, items with the source's semantic ID (level 1) as a feature (import --semantic-ids 1)": SID_OFF,
  '--no-id, items with the semantic ID (import --semantic-ids 1)': ['--no-id', ...SID_OFF],
  '--no-text, items with the semantic ID (import --semantic-ids 1)': ['--no-text', ...SID_OFF],
};
/** A foundation and its fine-tune (and scratch) with more of the ID hidden in training: what leans on text transfers. */
const DROP = ['--id-dropout', '0.5', '--hist-id-dropout', '0.8'];
const slug = (s: string) => s.replace(/\(.*$/, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();

/** One CLI run (or a script), once (REAL_FRESH=1 redoes it). */
const kindling = (args: string[], done: string, script = 'bin/kindling.mjs') => runOnce(script, args, done, !!process.env.REAL_FRESH);
const readEval = (dir: string, file = 'eval.json'): EvalReport => JSON.parse(readFileSync(join(dir, file), 'utf8'));

const all = join(ROOT, 'data-both');
const office = join(ROOT, 'data-office');
const industrial = join(ROOT, `data-industrial-${COLD_EVENTS}`);
const allSid = join(ROOT, 'data-both-sid1');
const officeSid = join(ROOT, 'data-office-sid1');
const industrialSid = join(ROOT, `data-industrial-${COLD_EVENTS}-sid1`);
mkdirSync(ROOT, { recursive: true });
await kindling(['import', 'amazon', '--from', DATA, '--out', all], join(all, 'import.json'));
await kindling(['import', 'amazon', '--from', DATA, '--out', office, '--domains', WARM], join(office, 'import.json'));
await kindling(['import', 'amazon', '--from', DATA, '--out', industrial, '--domains', COLD, '--max-train', COLD_EVENTS], join(industrial, 'import.json'));
await kindling(['import', 'amazon', '--from', DATA, '--out', allSid, '--semantic-ids', '1'], join(allSid, 'import.json'));
await kindling(['import', 'amazon', '--from', DATA, '--out', officeSid, '--domains', WARM, '--semantic-ids', '1'], join(officeSid, 'import.json'));
await kindling(['import', 'amazon', '--from', DATA, '--out', industrialSid, '--domains', COLD, '--max-train', COLD_EVENTS, '--semantic-ids', '1'], join(industrialSid, 'import.json'));
// Every text of both domains through USE-Lite, once (the USE row; a measurement, not a shipped encoder).
await kindling(['--data', all, '--out', join(ROOT, 'use-lite')], join(ROOT, 'use-lite.bin'), 'scripts/encode-use-lite.ts');
// The word-vector table built at each width (int8, and codes of 6, 5 and 4 bits) and every text through
// each: what storing the table in fewer bits costs the ranking, whichever width ships.
/** A word table built with these `build:encoder` flags into ROOT/NAME-build, and every text through it (ROOT/NAME, for `--text-vectors`). */
async function tableVectors(name: string, buildFlags: string[]) {
  const build = join(ROOT, `${name}-build`);
  await kindling([...buildFlags, '--out', join(build, 'encoder')], join(build, 'encoder', 'kindling-glove-100d', 'MODEL_CARD.md'), 'scripts/build-encoder.ts');
  await kindling(['--data', all, '--models', build, '--out', join(ROOT, name)], join(ROOT, `${name}.bin`), 'scripts/encode-static.ts');
}
const WIDTHS = ['8', '6', '5', '4'];
// These were measured on the unweighted table (--sif 0), as it shipped then; the 5-bit one is that encoder.
for (const bits of WIDTHS) await tableVectors(`glove-${bits}bit`, ['--bits', bits, '--sif', '0']);
// A vocabulary of 100,000 words instead of 30,000 (5-bit codes, unweighted): what the words the shipped
// table leaves out as [UNK] (filament, toner, pencils, epson, ...) are worth to the ranking.
await tableVectors('glove-100k', ['--top', '100000', '--sif', '0']);
// The table with each word weighted by smooth inverse frequency (scripts/encoder/sif.ts): the words every
// title has ("with", "for", "and") count for less in the mean. a = 0.001 is the paper's usual weight,
// 0.0001 a stronger one, picked here (over 10 seeds, and by a hair on the validation split) and shipped
// since: the full model and `--no-id` read it as the shipped encoder.
await tableVectors('glove-sif0.001', ['--sif', '0.001']);
// The float32 vectors the tables are quantised from, through the same tokens: the unquantised reference,
// and (trained on) the measure of how far two training runs on all but identical vectors drift apart.
await kindling(['--data', all, '--models', join(ROOT, 'glove-8bit-build'), '--out', join(ROOT, 'glove-floatbit'), '--float'], join(ROOT, 'glove-floatbit.bin'), 'scripts/encode-static.ts');
const READS = ['float', ...WIDTHS];

const common = (seed: number) => ['--negatives', NEG, '--seed', String(seed)];
async function seedRuns(seed: number) {
  for (const [name, flags] of Object.entries(MODELS)) {
    const out = join(ROOT, `s${seed}-${slug(name)}`);
    await kindling(['train', '--data', all, '--out', out, '--epochs', EPOCHS, ...common(seed), ...flags], join(out, 'eval.json'));
  }
  for (const [name, flags] of Object.entries(SID_MODELS)) {
    const out = join(ROOT, `s${seed}-${slug(name)}`);
    await kindling(['train', '--data', allSid, '--out', out, '--epochs', EPOCHS, ...common(seed), ...flags], join(out, 'eval.json'));
  }
  const foundation = join(ROOT, `s${seed}-foundation-office`);
  await kindling(['train', '--data', office, '--out', foundation, '--epochs', EPOCHS, ...common(seed)], join(foundation, 'eval.json'));
  const dropFoundation = join(ROOT, `s${seed}-foundation-office-drop`);
  await kindling(['train', '--data', office, '--out', dropFoundation, '--epochs', EPOCHS, ...common(seed), ...DROP], join(dropFoundation, 'eval.json'));
  const sidFoundation = join(ROOT, `s${seed}-foundation-office-sid1`);
  await kindling(['train', '--data', officeSid, '--out', sidFoundation, '--epochs', EPOCHS, ...common(seed), ...SID_OFF], join(sidFoundation, 'eval.json'));
  const ftRun = (name: string, flags: string[], from = foundation, data = industrial) => {
    const out = join(ROOT, `s${seed}-${name}`);
    return kindling(['finetune', '--from', from, '--data', data, '--domain', COLD, '--epochs', String(FT.epochs), '--lr', String(FT.lr), '--out', out, ...flags, ...common(seed)], join(out, 'eval.json'));
  };
  const scratchRun = (name: string, flags: string[], data = industrial) => {
    const out = join(ROOT, `s${seed}-${name}`);
    return kindling(['train', '--data', data, '--out', out, '--epochs', String(FT.epochs), '--batch', String(FT.scratchBatch), ...flags, ...common(seed)], join(out, 'eval.json'));
  };
  for (const freeze of ['l0', 'l0+encoder']) {
    // With the L2-SP weight picked on synthetic worlds, and without it (finetune's default).
    for (const [suffix, l2sp] of [['', String(FT.l2sp)], ['-l2sp0', '0']]) await ftRun(`ft-${freeze.replace('+', '-')}${suffix}`, ['--freeze', freeze, '--l2sp', l2sp]);
  }
  // As fine-tuning was before: a clicked ID in a row the foundation trained reads that (frozen) row.
  await ftRun('ft-l0-l2sp0-frozen-known', ['--freeze', 'l0', '--l2sp', '0', '--frozen-ids', 'known']);
  // The epoch picked on a validation split (the latest 10% of the 2,000 events), for fine-tune and scratch alike;
  // the fine-tunes' validation losses also compare the two L2-SP weights without looking at the test period.
  // Picked on AUC (--valid's default), and on logloss as before that default existed.
  await ftRun('ft-l0-valid', ['--freeze', 'l0', '--l2sp', String(FT.l2sp), '--valid', VALID, '--valid-metric', 'logloss']);
  await ftRun('ft-l0-l2sp0-valid', ['--freeze', 'l0', '--l2sp', '0', '--valid', VALID, '--valid-metric', 'logloss']);
  await ftRun('ft-l0-l2sp0-valid-auc', ['--freeze', 'l0', '--l2sp', '0', '--valid', VALID]);
  // The same choices, then each trained again on all 2,000 events for the epochs it picked (--refit).
  await ftRun('ft-l0-l2sp0-valid-auc-refit', ['--freeze', 'l0', '--l2sp', '0', '--valid', VALID, '--refit']);
  await scratchRun('scratch', []);
  await scratchRun('scratch-valid', ['--valid', VALID, '--valid-metric', 'logloss']);
  await scratchRun('scratch-valid-auc', ['--valid', VALID]);
  await scratchRun('scratch-valid-auc-refit', ['--valid', VALID, '--refit']);
  // Foundation, fine-tune and scratch with the ID hidden more often in training (the fine-tune keeps its foundation's rates).
  await ftRun('ft-l0-l2sp0-drop', ['--freeze', 'l0', '--l2sp', '0'], dropFoundation);
  await scratchRun('scratch-drop', DROP);
  // Items with the source's semantic ID (each domain has its own codebooks: Industrial's codes are rows the
  // Office foundation never trained, which the fine-tune's freeze lets learn).
  await ftRun('ft-l0-l2sp0-sid1', ['--freeze', 'l0', '--l2sp', '0'], sidFoundation, industrialSid);
  await scratchRun('scratch-sid1', SID_OFF, industrialSid);
}
const queue = [...SEEDS];
await Promise.all(Array.from({ length: Math.min(JOBS, queue.length) }, async () => {
  while (queue.length) await seedRuns(queue.shift()!);
}));
const CLOSE_ROWS = [0, 2, 12, 13].map((i) => Object.keys(MODELS)[i]);
const closeRuns = CLOSE_SEEDS.flatMap((seed) => CLOSE_ROWS.map((name) => () => {
  const out = join(ROOT, `s${seed}-${slug(name)}`);
  return kindling(['train', '--data', all, '--out', out, '--epochs', EPOCHS, ...common(seed), ...MODELS[name]], join(out, 'eval.json'));
}));
await Promise.all(Array.from({ length: Math.min(JOBS, closeRuns.length) }, async () => {
  while (closeRuns.length) await closeRuns.shift()!();
}));
// The full model with its ID and sparse tables stored as int8 (kindling quantize), as a page downloads it.
const int8Dir = (seed: number) => join(ROOT, `int8-s${seed}-full-model`);
for (const seed of SEEDS) {
  await kindling(['quantize', '--model', join(ROOT, `s${seed}-full-model`), '--out', int8Dir(seed)], join(int8Dir(seed), 'model.json'));
  await kindling(['eval', '--data', all, '--model', int8Dir(seed), '--json', join(int8Dir(seed), 'eval.json'), ...common(seed)], join(int8Dir(seed), 'eval.json'));
}

// The same trained ranker (the full model on the int8 table's vectors) read with each width's vectors:
// what the table's quantisation error alone does to a ranking, without a second training run's noise.
// Its copy names the other vectors' encoder (the weights are the int8 run's, byte for byte).
const SAME = (seed: number, bits: string) => join(ROOT, `s${seed}-same-ranker-${bits}bit-vectors`);
for (const seed of SEEDS) {
  const trained = join(ROOT, `s${seed}-${slug(Object.keys(MODELS)[6])}`);
  for (const bits of READS) {
    const out = SAME(seed, bits);
    if (!existsSync(join(out, 'eval.json')) || process.env.REAL_FRESH) relabelledCopy(trained, out, join(ROOT, `glove-${bits}bit`));
    await kindling(['eval', '--data', all, '--model', out, '--json', join(out, 'eval.json'), '--text-vectors', join(ROOT, `glove-${bits}bit`), ...common(seed)], join(out, 'eval.json'));
  }
}

// ---- collect
const { rows, add, paired, table, bySlice } = seedRows();
const POP = 'popularity (clicks in the training split)';
const USE = Object.keys(MODELS)[5];
const V100K = Object.keys(MODELS)[10];
const SIF3 = Object.keys(MODELS)[11];
const FULL_UNW = Object.keys(MODELS)[12];
const NOID_UNW = Object.keys(MODELS)[13];
const REFIT = Object.keys(MODELS)[14];
const REFIT_PICKED = `full, epoch picked on validation AUC (--valid ${VALID}: the refit's validation run)`;
const COS_USE = 'text cosine as above, on the USE-Lite vectors';
const COS_100K = 'text cosine as above, on the 100,000-word table (unweighted)';
const COS_UNW = 'text cosine as above, on the unweighted table (the encoder as shipped before)';
const COS = 'text cosine with the mean of the last 10 clicked items (shipped encoder, no parameters)';
const INT8 = 'full model with its ID and sparse tables as int8 (`kindling quantize`: what a page downloads)';
const sameRow = (bits: string) => `the int8-table ranker read with ${bits === '8' ? 'the int8 table (itself)' : bits === 'float' ? 'the float32 vectors (unquantised)' : `${bits}-bit code vectors`}`;
const TABLE8 = Object.keys(MODELS)[6];
const TABLE5 = Object.keys(MODELS)[7];
const TABLEF = Object.keys(MODELS)[8];
const training = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).kindling.training;
const speeds: number[] = [];
// Every run this table reads: its training seconds come from its own manifest.
const runs = readdirSync(ROOT).filter((d) => /^s\d+-/.test(d) && !d.includes('-same-ranker-') && existsSync(join(ROOT, d, 'model.json')) && [...SEEDS, ...CLOSE_SEEDS].includes(Number(/^s(\d+)-/.exec(d)![1])));
// A refit is two runs: its validation run (refit-validation/) counts too.
const runSeconds = (dir: string): number => (training(dir).seconds ?? 0) + (existsSync(join(dir, 'refit-validation', 'model.json')) ? runSeconds(join(dir, 'refit-validation')) : 0);
const trainSeconds = runs.reduce((n, d) => n + runSeconds(join(ROOT, d)), 0);
let samples = { train: 0, test: 0 };
for (const seed of SEEDS) {
  for (const name of Object.keys(MODELS)) {
    const dir = join(ROOT, `s${seed}-${slug(name)}`);
    const r = readEval(dir);
    add(name, seed, r);
    if (name === 'full model') {
      add(POP, seed, r.baselines!.popularity!);
      add(COS, seed, r.baselines!.text_cosine!);
      speeds.push(training(dir).samplesPerSecond);
      samples = { train: training(dir).trainSamples, test: r.overall.samples };
    }
    if (name === USE) add(COS_USE, seed, r.baselines!.text_cosine!);
    if (name === V100K) add(COS_100K, seed, r.baselines!.text_cosine!);
    if (name === FULL_UNW) add(COS_UNW, seed, r.baselines!.text_cosine!);
    if (name === REFIT) add(REFIT_PICKED, seed, readEval(join(dir, 'refit-validation')));
  }
  for (const name of Object.keys(SID_MODELS)) add(name, seed, readEval(join(ROOT, `s${seed}-${slug(name)}`)));
  add(INT8, seed, readEval(int8Dir(seed)));
  for (const bits of READS) add(sameRow(bits), seed, readEval(SAME(seed, bits)));
}
/** The close call's rows over every seed (SEEDS and CLOSE_SEEDS), under their own names. */
const ALL_SEEDS = [...SEEDS, ...CLOSE_SEEDS];
const allSeeds = (name: string) => `${name} [${ALL_SEEDS.length} seeds]`;
for (const seed of ALL_SEEDS) {
  for (const name of CLOSE_ROWS) add(allSeeds(name), seed, readEval(join(ROOT, `s${seed}-${slug(name)}`)));
}
const CS = {
  zero: `${COLD}: Office foundation as it was (zero-shot)`,
  l0: `${COLD}: foundation + fine-tune, freeze l0, --l2sp ${FT.l2sp}`,
  enc: `${COLD}: foundation + fine-tune, freeze l0+encoder, --l2sp ${FT.l2sp}`,
  l0free: `${COLD}: foundation + fine-tune, freeze l0, --l2sp 0 (finetune's defaults)`,
  encfree: `${COLD}: foundation + fine-tune, freeze l0+encoder, --l2sp 0`,
  frozenKnown: `${COLD}: foundation + fine-tune, freeze l0, --l2sp 0, --frozen-ids known (as before: colliding IDs read the frozen row)`,
  l0valid: `${COLD}: foundation + fine-tune, freeze l0, --l2sp ${FT.l2sp}, epoch picked on validation logloss (--valid ${VALID} --valid-metric logloss)`,
  l0freevalid: `${COLD}: foundation + fine-tune, freeze l0, --l2sp 0, epoch picked on validation logloss (--valid ${VALID} --valid-metric logloss)`,
  l0freevalidAuc: `${COLD}: foundation + fine-tune, freeze l0, --l2sp 0, epoch picked on validation AUC (--valid ${VALID})`,
  scratch: `${COLD}: the same model from scratch on the 2,000 events`,
  scratchValid: `${COLD}: the same model from scratch, epoch picked on validation logloss (--valid ${VALID} --valid-metric logloss)`,
  scratchValidAuc: `${COLD}: the same model from scratch, epoch picked on validation AUC (--valid ${VALID})`,
  l0freevalidAucRefit: `${COLD}: foundation + fine-tune, freeze l0, --l2sp 0, epoch picked on validation AUC, then refit on all ${COLD_EVENTS} events (--valid ${VALID} --refit)`,
  scratchValidAucRefit: `${COLD}: the same model from scratch, epoch picked on validation AUC, then refit (--valid ${VALID} --refit)`,
  dropFoundation: `${COLD}: Office foundation trained with the ID hidden more often (--id-dropout 0.5 --hist-id-dropout 0.8), as it was (zero-shot)`,
  drop: `${COLD}: that foundation + fine-tune, freeze l0, --l2sp 0 (it keeps the foundation's dropout rates)`,
  scratchDrop: `${COLD}: the same model from scratch with the same rates (--id-dropout 0.5 --hist-id-dropout 0.8)`,
  sidZero: `${COLD}: items with the semantic ID (import --semantic-ids 1): Office foundation as it was (zero-shot)`,
  sid: `${COLD}: items with the semantic ID: foundation + fine-tune, freeze l0, --l2sp 0`,
  sidScratch: `${COLD}: items with the semantic ID: the same model from scratch`,
  pop: `${COLD}: popularity`,
  cos: `${COLD}: text cosine`,
};
for (const seed of SEEDS) {
  const ft = readEval(join(ROOT, `s${seed}-ft-l0`));
  add(CS.zero, seed, readEval(join(ROOT, `s${seed}-ft-l0`), 'foundation-eval.json'));
  add(CS.l0, seed, ft);
  add(CS.enc, seed, readEval(join(ROOT, `s${seed}-ft-l0-encoder`)));
  add(CS.l0free, seed, readEval(join(ROOT, `s${seed}-ft-l0-l2sp0`)));
  add(CS.encfree, seed, readEval(join(ROOT, `s${seed}-ft-l0-encoder-l2sp0`)));
  add(CS.frozenKnown, seed, readEval(join(ROOT, `s${seed}-ft-l0-l2sp0-frozen-known`)));
  add(CS.l0valid, seed, readEval(join(ROOT, `s${seed}-ft-l0-valid`)));
  add(CS.l0freevalid, seed, readEval(join(ROOT, `s${seed}-ft-l0-l2sp0-valid`)));
  add(CS.scratch, seed, readEval(join(ROOT, `s${seed}-scratch`)));
  add(CS.scratchValid, seed, readEval(join(ROOT, `s${seed}-scratch-valid`)));
  add(CS.l0freevalidAuc, seed, readEval(join(ROOT, `s${seed}-ft-l0-l2sp0-valid-auc`)));
  add(CS.scratchValidAuc, seed, readEval(join(ROOT, `s${seed}-scratch-valid-auc`)));
  add(CS.l0freevalidAucRefit, seed, readEval(join(ROOT, `s${seed}-ft-l0-l2sp0-valid-auc-refit`)));
  add(CS.scratchValidAucRefit, seed, readEval(join(ROOT, `s${seed}-scratch-valid-auc-refit`)));
  add(CS.dropFoundation, seed, readEval(join(ROOT, `s${seed}-ft-l0-l2sp0-drop`), 'foundation-eval.json'));
  add(CS.drop, seed, readEval(join(ROOT, `s${seed}-ft-l0-l2sp0-drop`)));
  add(CS.scratchDrop, seed, readEval(join(ROOT, `s${seed}-scratch-drop`)));
  add(CS.sidZero, seed, readEval(join(ROOT, `s${seed}-ft-l0-l2sp0-sid1`), 'foundation-eval.json'));
  add(CS.sid, seed, readEval(join(ROOT, `s${seed}-ft-l0-l2sp0-sid1`)));
  add(CS.sidScratch, seed, readEval(join(ROOT, `s${seed}-scratch-sid1`)));
  add(CS.pop, seed, ft.baselines!.popularity!);
  add(CS.cos, seed, ft.baselines!.text_cosine!);
}

/**
 * The hashed-ID suspicion, measured on the import: how many items share an ID bucket with another
 * item, and how many cold test items (never clicked in training) land in a bucket that training
 * filled, i.e. would wear a known item's embedding if their ID were read.
 */
function collisions() {
  const events = readFileSync(join(all, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { item: string; split: string });
  const items = readFileSync(join(all, 'items.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
  const B = DEFAULT_RANKER.idBuckets;
  const of = (id: string) => bucket(itemKey(id), B);
  const perBucket = new Map<number, number>();
  for (const id of items) perBucket.set(of(id), (perBucket.get(of(id)) ?? 0) + 1);
  const trained = new Set(events.filter((e) => e.split === 'train').map((e) => e.item));
  const trainedBuckets = new Set([...trained].map(of));
  const cold = [...new Set(events.filter((e) => e.split === 'test' && !trained.has(e.item)).map((e) => e.item))];
  return {
    buckets: B,
    items: items.length,
    shared: items.filter((id) => perBucket.get(of(id))! > 1).length,
    coldTest: cold.length,
    coldInTrainedBucket: cold.filter((id) => trainedBuckets.has(of(id))).length,
    negativeDraws: (events.filter((e) => e.split === 'train').length * Number(NEG)) / items.length,
    // Industrial's items whose bucket the Office foundation trained: finetune --freeze l0 keeps those rows frozen.
    coldDomainInFrozenBuckets: (() => {
      const seen = Buffer.from(training(join(ROOT, `s${SEEDS[0]}-foundation-office`)).idBucketsSeen as string, 'base64');
      const own = items.filter((id) => id.startsWith(`${COLD}:`));
      return own.filter((id) => seen[of(id) >> 3] & (1 << (of(id) & 7))).length / own.length;
    })(),
  };
}
const hashing = collisions();
/** How many distinct first semantic-ID codes the items have (clusters). */
const distinctFirstCodes = new Set(readFileSync(join(allSid, 'items.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { features?: Record<string, string> }).features?.semantic_id_1)).size;

/**
 * The fine-tunes that pick their epoch on validation, read from their manifests: each one's best
 * validation logloss (the foundation itself competes: epoch 0) and the epoch it kept. This compares
 * the two L2-SP weights on the training period's own held-out end, not on the test period.
 */
function validationChoices() {
  const pick = (name: string) =>
    SEEDS.map((seed) => {
      const t = training(join(ROOT, `s${seed}-${name}`));
      return { seed, best: Math.min(t.startValidLoss ?? Infinity, ...(t.validLoss as number[])), epoch: t.bestEpoch as number };
    });
  // A refit's own record keeps its validation run's choice (training.refit).
  const kept = (name: string) => SEEDS.map((seed) => { const t = training(join(ROOT, `s${seed}-${name}`)); return (t.bestEpoch ?? t.refit.bestEpoch) as number; });
  return { l2sp: pick('ft-l0-valid'), none: pick('ft-l0-l2sp0-valid'), scratch: kept('scratch-valid'), noneAuc: kept('ft-l0-l2sp0-valid-auc'), scratchAuc: kept('scratch-valid-auc'), fullAuc: kept(slug(REFIT)) };
}
const validation = validationChoices();

/** The shipped encoder's vocabulary against both domains' item titles: how many title tokens it knows. */
function vocabularyCoverage() {
  const vocab = JSON.parse(readFileSync('models/encoder/kindling-glove-100d/tokenizer.json', 'utf8')).model.vocab as Record<string, number>;
  const unknown = new Map<string, number>();
  let tokens = 0;
  for (const line of readFileSync(join(all, 'items.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    for (const t of basicTokenize((JSON.parse(line) as { text?: string }).text ?? '')) {
      tokens++;
      if (!Object.prototype.hasOwnProperty.call(vocab, t)) unknown.set(t, (unknown.get(t) ?? 0) + 1);
    }
  }
  const unknownTokens = [...unknown.values()].reduce((a, b) => a + b, 0);
  const words = [...unknown].filter(([t]) => /^[a-z]{3,}$/.test(t)).sort((a, b) => b[1] - a[1]).slice(0, 8);
  return { tokens, unknownTokens, distinctUnknown: unknown.size, topUnknownWords: words };
}
const coverage = vocabularyCoverage();

const FULL = 'full model';
const DROP0 = Object.keys(MODELS)[3];
const HASH = Object.keys(MODELS)[4];
const NOHD = Object.keys(MODELS)[9];
type Target = [string, ReturnType<typeof paired>, number];
const targets: Target[] = [
  ['cold-item AUC: full − text cosine ≥ +0.03', paired(FULL, COS, 'cold'), 0.03],
  ['cold-item AUC: full − `--no-text` ≥ +0.05', paired(FULL, '--no-text', 'cold'), 0.05],
  ['cold-item AUC: full − `--no-id` ≥ 0', paired(FULL, '--no-id', 'cold'), 0],
  ['warm-item AUC: full − the full model as it was (`--unknown-ids hash --id-dropout 0`) ≥ −0.005', paired(FULL, HASH, 'warm'), -0.005],
  ['overall AUC: full − popularity ≥ +0.08', paired(FULL, POP, 'auc'), 0.08],
  [`${COLD}: fine-tune (freeze l0, --l2sp ${FT.l2sp}) − scratch ≥ +0.02`, paired(CS.l0, CS.scratch), 0.02],
  [`${COLD}: fine-tune (freeze l0+encoder, --l2sp ${FT.l2sp}) − scratch ≥ +0.02`, paired(CS.enc, CS.scratch), 0.02],
  [`${COLD}: fine-tune (freeze l0, --l2sp 0: finetune's defaults) − scratch ≥ +0.02`, paired(CS.l0free, CS.scratch), 0.02],
  [`${COLD}: fine-tune (freeze l0, --l2sp 0) − scratch, each with its epoch picked on validation AUC (\`--valid ${VALID}\`), ≥ +0.02`, paired(CS.l0freevalidAuc, CS.scratchValidAuc), 0.02],
  [`${COLD}: fine-tune (freeze l0, --l2sp 0) − scratch, each with its epoch picked on validation AUC and then refit on all ${COLD_EVENTS} events (\`--valid ${VALID} --refit\`), ≥ +0.02`, paired(CS.l0freevalidAucRefit, CS.scratchValidAucRefit), 0.02],
  [`${COLD}: fine-tune (freeze l0, --l2sp 0: finetune's defaults) − zero-shot ≥ +0.01`, paired(CS.l0free, CS.zero), 0.01],
  [`${COLD}: fine-tune (freeze l0+encoder, --l2sp 0) − zero-shot ≥ +0.01`, paired(CS.encfree, CS.zero), 0.01],
];
const holds = ([name, p, min]: Target) => p.mean >= min && (!name.startsWith(COLD) || p.ahead >= Math.ceil(0.8 * p.n));
const diffs: [string, ReturnType<typeof paired>][] = [
  ['cold items: full − as before (`--unknown-ids hash --id-dropout 0`)', paired(FULL, HASH, 'cold')],
  ['warm items: full − as before', paired(FULL, HASH, 'warm')],
  ['overall: full − as before', paired(FULL, HASH, 'auc')],
  ['cold items: masking alone (`--id-dropout 0 --hist-id-dropout 0`) − as before', paired(DROP0, HASH, 'cold')],
  ['warm items: masking alone − as before', paired(DROP0, HASH, 'warm')],
  ['cold items: ID dropout 0.2 on top of masking (`--hist-id-dropout 0` − masking alone)', paired(NOHD, DROP0, 'cold')],
  ['warm items: ID dropout 0.2 on top of masking', paired(NOHD, DROP0, 'warm')],
  ['cold items: history-ID dropout 0.5 on top of both (full − `--hist-id-dropout 0`, both on the unweighted table)', paired(FULL_UNW, NOHD, 'cold')],
  ['warm items: history-ID dropout 0.5 on top of both', paired(FULL_UNW, NOHD, 'warm')],
  ['overall: history-ID dropout 0.5 on top of both', paired(FULL_UNW, NOHD, 'auc')],
  ...bySlice(`the shipped table, weighted by smooth inverse frequency (a = 0.0001) − unweighted (full model)`, FULL, FULL_UNW),
  ['cold items: `--no-id` on the weighted table − on the unweighted one', paired('--no-id', NOID_UNW, 'cold')],
  ['cold items: full − `--no-id`, both on the unweighted table', paired(FULL_UNW, NOID_UNW, 'cold')],
  ['warm items: full − `--no-id`', paired(FULL, '--no-id', 'warm')],
  ...(['warm', 'cold'] as const).map((k): [string, ReturnType<typeof paired>] => [`${k} items: text cosine on the weighted table − on the unweighted one`, paired(COS, COS_UNW, k)]),
  ['cold items: on USE-Lite vectors − on the unweighted table (both `--hist-id-dropout 0`)', paired(USE, NOHD, 'cold')],
  ['overall: on USE-Lite vectors − on the unweighted table (both `--hist-id-dropout 0`)', paired(USE, NOHD, 'auc')],
  ['cold items: text cosine on USE-Lite − on the unweighted table', paired(COS_USE, COS_UNW, 'cold')],
  ...bySlice(`a 100,000-word table − 30,000 words (both unweighted)`, V100K, FULL_UNW),
  ['cold items: text cosine on the 100,000-word table − on the 30,000 words (both unweighted)', paired(COS_100K, COS_UNW, 'cold')],
  ...bySlice(`the table weighted by smooth inverse frequency with a = 0.001 − unweighted`, SIF3, FULL_UNW),
  ...bySlice(`epoch picked on validation AUC (\`--valid ${VALID}\`) − ${EPOCHS} epochs`, REFIT_PICKED, FULL),
  ...bySlice(`picked, then refit (\`--valid ${VALID} --refit\`) − ${EPOCHS} epochs`, REFIT, FULL),
  ['overall: picked and refit − picked alone', paired(REFIT, REFIT_PICKED, 'auc')],
  ['overall: int8 tables − float32 (`kindling quantize`)', paired(INT8, FULL, 'auc')],
  ['warm items: int8 tables − float32', paired(INT8, FULL, 'warm')],
  ['cold items: int8 tables − float32', paired(INT8, FULL, 'cold')],
];
// The word-vector table's width: the same trained ranker read with each width's vectors, and a ranker
// trained on the 5-bit vectors (a second training run: its seeds' noise is in the difference too).
const widthDiffs: [string, ReturnType<typeof paired>][] = [
  ...READS.filter((b) => b !== '8').flatMap((b) => bySlice(`the same ranker, ${b === 'float' ? 'float32' : `${b}-bit`} − int8 vectors`, sameRow(b), sameRow('8'))),
  ...bySlice(`trained on 5-bit − trained on int8 vectors`, TABLE5, TABLE8),
  ...bySlice(`trained on float32 − trained on int8 vectors (two runs on all but identical vectors)`, TABLEF, TABLE8),
];
// Which encoder the rows that read the shipped encoder were trained on (a cached run keeps its encoder).
const encodersUsed = [...new Set(SEEDS.map((seed) => JSON.parse(readFileSync(join(ROOT, `s${seed}-full-model`, 'model.json'), 'utf8')).kindling.encoderId as string))];
const coldEncoders = [...new Set(SEEDS.map((seed) => JSON.parse(readFileSync(join(ROOT, `s${seed}-foundation-office`, 'model.json'), 'utf8')).kindling.encoderId as string))];
// The close call over every seed: the targets' "not below `--no-id`" on new items, and the weighting that decides it.
const [C_FULL, C_NOID, C_FULL_UNW, C_NOID_UNW] = CLOSE_ROWS.map(allSeeds);
const closeDiffs: [string, ReturnType<typeof paired>][] = [
  ['cold items: full − `--no-id`', paired(C_FULL, C_NOID, 'cold')],
  ['warm items: full − `--no-id`', paired(C_FULL, C_NOID, 'warm')],
  ['cold items: full − `--no-id`, both on the unweighted table', paired(C_FULL_UNW, C_NOID_UNW, 'cold')],
  ...bySlice(`full, the weighted table − the unweighted one`, C_FULL, C_FULL_UNW),
  ['cold items: `--no-id`, the weighted table − the unweighted one', paired(C_NOID, C_NOID_UNW, 'cold')],
];
// Items with the source's semantic ID as a feature: the same targets, and what the feature does to each row.
const [SID_FULL, SID_NOID, SID_NOTEXT] = Object.keys(SID_MODELS);
const sidTargets: Target[] = [
  ['cold-item AUC: full − text cosine ≥ +0.03', paired(SID_FULL, COS, 'cold'), 0.03],
  ['cold-item AUC: full − `--no-text` ≥ +0.05', paired(SID_FULL, SID_NOTEXT, 'cold'), 0.05],
  ['cold-item AUC: full − `--no-id` ≥ 0', paired(SID_FULL, SID_NOID, 'cold'), 0],
  ['warm-item AUC: full − the full model as it was (`--unknown-ids hash --id-dropout 0`, no semantic ID) ≥ −0.005', paired(SID_FULL, HASH, 'warm'), -0.005],
  ['overall AUC: full − popularity ≥ +0.08', paired(SID_FULL, POP, 'auc'), 0.08],
  [`${COLD}: fine-tune (freeze l0, --l2sp 0) − scratch ≥ +0.02 (both with the semantic ID; the cold-start section)`, paired(CS.sid, CS.sidScratch), 0.02],
  [`${COLD}: fine-tune (freeze l0, --l2sp 0) − zero-shot ≥ +0.01 (both with the semantic ID)`, paired(CS.sid, CS.sidZero), 0.01],
];
const sidDiffs: [string, ReturnType<typeof paired>][] = [
  ...bySlice(`full, with the semantic ID − without`, SID_FULL, FULL),
  ...bySlice(`\`--no-id\`, with the semantic ID − without`, SID_NOID, '--no-id'),
  ['cold items: `--no-text`, with the semantic ID − without', paired(SID_NOTEXT, '--no-text', 'cold')],
];
const pline = (p: ReturnType<typeof paired>) => `${sign(p.mean)} | ${p.se.toFixed(4)} | ${p.ahead} of ${p.n} | ${p.all.map(sign).join(', ')}`;
const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js wasm backend`;
const imp = JSON.parse(readFileSync(join(all, 'import.json'), 'utf8'));
const vdiff = validation.none.map((r, i) => r.best - validation.l2sp[i].best);
const validationPart = `
The two L2-SP weights on validation (the latest ${Number(VALID) * 100}% of the ${COLD_EVENTS} training events, held out; lower is better):
best validation logloss with \`--l2sp 0\` − with \`--l2sp ${FT.l2sp}\`: ${sign(mean(vdiff))} ± ${se(vdiff).toFixed(4)} (per seed ${vdiff.map(sign).join(', ')}; lower without the pull in ${vdiff.filter((d) => d < 0).length} of ${vdiff.length}).
Epochs kept on validation logloss (0: the foundation as it was): fine-tune \`--l2sp ${FT.l2sp}\` ${validation.l2sp.map((r) => r.epoch).join(', ')}; \`--l2sp 0\` ${validation.none.map((r) => r.epoch).join(', ')}; scratch ${validation.scratch.join(', ')}.
Epochs kept on validation AUC (\`--valid\`'s default): fine-tune \`--l2sp 0\` ${validation.noneAuc.join(', ')}; scratch ${validation.scratchAuc.join(', ')};
on both domains, the full model (of ${EPOCHS}) ${validation.fullAuc.join(', ')}. The refits train that many epochs on the whole training period.
`;
const md = `# Results on real data: Amazon Reviews 2018, Industrial_and_Scientific + Office_Products

Written by \`npm run results:real\` (scripts/results-real.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.
${SEEDS.length} seeds (${SEEDS.join(', ')}), ${runs.length} training runs, ${Math.round(trainSeconds / 60)} minutes of training in all (the sum of each run's own
seconds, from its manifest; runs went ${JOBS} at a time on the 2 cores, so each was slowed by the other); the full model trains at
${Math.round(mean(speeds))} samples/s (mean over seeds, ${samples.train.toLocaleString('en-US')} training samples, ${samples.test.toLocaleString('en-US')} test samples).

Data: the development period only (../shared/data/amazon18-industrial-office, SOURCE.md; the later period is
kept back and none of it is here). \`kindling import amazon\` (docs/DATA.md): ${Object.entries(imp.stats as Record<string, { train: number; test: number; users: number }>).map(([d, s]) => `${d} ${s.train} train + ${s.test} test events, ${s.users} users`).join('; ')}.
Time is row order; each domain's earliest 80% of events train. ${NEG} negatives per positive drawn from the same domain's
catalogue, the same for every model of a seed, so each seed's models and baselines are scored on the same test samples.
Cold items: no click in the training split. Cells: mean ± standard error over seeds. Every model: \`kindling train
--epochs ${EPOCHS} --negatives ${NEG} --seed S\`; the baselines are the full model's \`eval.json\` \`baselines\`.

## Both domains
${table([FULL, '--no-text', '--no-id', FULL_UNW, NOID_UNW, NOHD, DROP0, HASH, USE, V100K, SIF3, REFIT_PICKED, REFIT, INT8, TABLE8, TABLE5, POP, COS, COS_UNW, COS_USE, COS_100K])}

The shipped encoder's word table is weighted by smooth inverse frequency (a = 0.0001); the rows that say "unweighted"
read the table as it shipped before (\`build:encoder --sif 0\`, through \`--text-vectors\`). The full model's runs name their
encoder as: ${encodersUsed.map((e) => `\`${e}\``).join(', ')} (runs are cached; a run through \`--text-vectors\` of a table trains to the
same weights, byte for byte, as one on that table as the shipped encoder; \`REAL_FRESH=1\` redoes them all on today's encoder).

## The word-vector table's width (issue 9: the first visit's bytes)
The table ships as 5-bit codes (1.88 MB of codes, was 3.0 MB as int8). Measured on the unweighted table (\`--sif 0\`), as it
shipped when the width was chosen; the weighting scales rows and changes no width's codes. Two measures, paired per seed: the same
trained ranker (the full model trained on the int8 table's vectors, row "${TABLE8}")
read with each width's vectors (and the float32 ones), which isolates the quantisation error; and rankers trained on
the 5-bit and on the float32 vectors, whose differences also hold a second training run's noise: float32 and int8
vectors are all but identical (mean cosine 0.99998), so what separates those two runs is that noise alone.
${table([...READS.map(sameRow), TABLE8, TABLE5, TABLEF])}

| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${widthDiffs.map(([n, p]) => `| ${n} | ${pline(p)} |`).join('\n')}

## The targets (issue 7), paired per seed
| target | difference | standard error | seeds ahead | per seed | holds |
|---|---|---|---|---|---|
${targets.map((t) => `| ${t[0]} | ${pline(t[1])} | ${holds(t) ? 'yes' : '**no**'} |`).join('\n')}

(The warm-item target is "no more than 0.005 below today's full model": today's full model is the same network
with \`--unknown-ids hash --id-dropout 0\` on the unweighted table, the row above. A cold-start-domain target also needs 4 of 5 seeds ahead.)

## The close call: new items, full against \`--no-id\`, over ${ALL_SEEDS.length} seeds
The one target decided by less than its noise on ${SEEDS.length} seeds, run again on seeds ${CLOSE_SEEDS.join(', ')} as well (only these four rows;
the same commands, \`REAL_CLOSE_SEEDS\`), with the table weighting that decides it.
${table([C_FULL, C_NOID, C_FULL_UNW, C_NOID_UNW])}

| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${closeDiffs.map(([n, p]) => `| ${n} | ${pline(p)} |`).join('\n')}

## The source's semantic ID as an item feature (\`import amazon --semantic-ids 1\`)
This data carries no categories, but its source gives every item a semantic ID (\`<Domain>.info.txt\`): three codes
that MiniOneRec computed by quantising a large text encoder's embedding of the item's title and description (RQ-VAE),
coarse to fine. They come from the item's text alone, so a new item has them too; the first code groups
${distinctFirstCodes} clusters of items over both domains (about ${Math.round(hashing.items / distinctFirstCodes)} items each), and it is the only level
measured here (the second and third codes name nearly one item each: as features they behave like unmasked item IDs). Not the default
import: the rows above are without it. Same events, same test samples (the baselines are the same numbers).
${table([SID_FULL, SID_NOID, SID_NOTEXT, FULL, '--no-id', '--no-text', POP, COS])}

| target, with the semantic ID | difference | standard error | seeds ahead | per seed | holds |
|---|---|---|---|---|---|
${sidTargets.map((t) => `| ${t[0]} | ${pline(t[1])} | ${holds(t) ? 'yes' : '**no**'} |`).join('\n')}

(The cold-start pair here is ${SEEDS.length} seeds, one of whose scratch runs collapsed; "Reading the numbers" below has it on seeds 6 to 10 as well, where it is lower.)

| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${sidDiffs.map(([n, p]) => `| ${n} | ${pline(p)} |`).join('\n')}

## The suspicions, measured
- **Hashed IDs.** ${hashing.items.toLocaleString('en-US')} items in ${hashing.buckets.toLocaleString('en-US')} buckets: ${hashing.shared.toLocaleString('en-US')} (${((100 * hashing.shared) / hashing.items).toFixed(0)}%) share their bucket with
  another item. Of the ${hashing.coldTest.toLocaleString('en-US')} items first clicked in the test period, ${hashing.coldInTrainedBucket.toLocaleString('en-US')} (${((100 * hashing.coldInTrainedBucket) / hashing.coldTest).toFixed(0)}%) hash into a bucket that a
  training click filled, so before this change they wore a known item's embedding; the others read a row that
  training only ever saw through sampled negatives (a catalogue item is drawn about ${hashing.negativeDraws.toFixed(0)} times as a negative,
  on average): an ID that says "never clicked". Both are what \`--unknown-ids mask\` removes.
  In the cold-start protocol, ${(100 * hashing.coldDomainInFrozenBuckets).toFixed(0)}% of ${COLD}'s items hash into a bucket the ${WARM} foundation trained,
  which \`finetune --freeze l0\` keeps frozen.
- **Unknown words.** Of the ${coverage.tokens.toLocaleString('en-US')} tokens of both domains' item titles (the tokenizer's basic split), ${coverage.unknownTokens.toLocaleString('en-US')}
  (${((100 * coverage.unknownTokens) / coverage.tokens).toFixed(0)}%) are not in the shipped encoder's vocabulary and read as \`[UNK]\` (${coverage.distinctUnknown.toLocaleString('en-US')} distinct): digits and punctuation (it holds
  words only), units, and words beyond GloVe's 30,000 most frequent, the commonest of them ${coverage.topUnknownWords.map(([w, n]) => `\`${w}\` (${n})`).join(', ')}.
- **Training never shows an unknown ID.** Masking trains on the rule it serves by: a sample sees an item's ID
  only after the item's first click, so first clicks (and negatives drawn before them) are ranked by text, as
  a new item is; ID dropout adds a random 20% of known items. The rows below separate the two.

## What each change did, paired per seed
| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${diffs.map(([n, p]) => `| ${n} | ${pline(p)} |`).join('\n')}

## The cold-start domain: ${COLD} with its first ${COLD_EVENTS} events
Foundation: the full model on ${WARM} alone (${EPOCHS} epochs). Fine-tune: \`kindling finetune --freeze l0|l0+encoder --epochs ${FT.epochs}
--lr ${FT.lr} --l2sp ${FT.l2sp}|0\` (0, no pull towards the foundation, is finetune's default since this comparison; ${FT.l2sp} was picked on synthetic worlds, docs/L2SP.md) on ${COLD}'s first ${COLD_EVENTS} training events (\`kindling import amazon --max-train ${COLD_EVENTS}\`: the rest of
its training period is dropped); scratch: the same network trained on those events alone (${FT.epochs} epochs, batch ${FT.scratchBatch}).
All are tested on ${COLD}'s later 20%. These runs read ${coldEncoders.map((e) => `\`${e}\``).join(', ')}. Users are local to a domain here, so a user of ${COLD} brings no history
from ${WARM}: what transfers is the network and W_lm, not the user.
${table(Object.values(CS))}

| difference in AUC | mean | standard error | seeds ahead | per seed |
|---|---|---|---|---|
${[[`fine-tune (freeze l0, --l2sp ${FT.l2sp}) − scratch`, paired(CS.l0, CS.scratch)], [`fine-tune (freeze l0+encoder, --l2sp ${FT.l2sp}) − scratch`, paired(CS.enc, CS.scratch)], [`fine-tune (freeze l0, --l2sp ${FT.l2sp}) − zero-shot`, paired(CS.l0, CS.zero)], [`fine-tune (freeze l0+encoder, --l2sp ${FT.l2sp}) − zero-shot`, paired(CS.enc, CS.zero)], [`zero-shot − scratch`, paired(CS.zero, CS.scratch)], [`fine-tune (freeze l0, --l2sp 0) − scratch`, paired(CS.l0free, CS.scratch)], [`fine-tune (freeze l0+encoder, --l2sp 0) − scratch`, paired(CS.encfree, CS.scratch)], [`fine-tune (freeze l0): L2-SP ${FT.l2sp} − none`, paired(CS.l0, CS.l0free)], ['cold items: fine-tune (freeze l0, --l2sp 0) − text cosine', paired(CS.l0free, CS.cos, 'cold')], ...bySlice(`fine-tune (freeze l0, --l2sp 0), colliding IDs unknown − read (\`--frozen-ids known\`)`, CS.l0free, CS.frozenKnown), [`fine-tune (freeze l0, --l2sp 0): epoch picked on validation logloss − ${FT.epochs} epochs`, paired(CS.l0freevalid, CS.l0free)], [`scratch: epoch picked on validation logloss − ${FT.epochs} epochs`, paired(CS.scratchValid, CS.scratch)], [`fine-tune (freeze l0, --l2sp 0), epoch picked on validation logloss − scratch, ${FT.epochs} epochs`, paired(CS.l0freevalid, CS.scratch)], [`fine-tune (freeze l0, --l2sp 0): epoch picked on validation AUC − ${FT.epochs} epochs`, paired(CS.l0freevalidAuc, CS.l0free)], [`scratch: epoch picked on validation AUC − ${FT.epochs} epochs`, paired(CS.scratchValidAuc, CS.scratch)], [`fine-tune (freeze l0, --l2sp 0) − scratch, both picked on validation logloss`, paired(CS.l0freevalid, CS.scratchValid)], [`fine-tune (freeze l0, --l2sp 0), picked on validation AUC: refit − not`, paired(CS.l0freevalidAucRefit, CS.l0freevalidAuc)], [`scratch, picked on validation AUC: refit − not`, paired(CS.scratchValidAucRefit, CS.scratchValidAuc)], [`fine-tune (freeze l0, --l2sp 0): picked and refit − ${FT.epochs} epochs`, paired(CS.l0freevalidAucRefit, CS.l0free)], [`scratch: picked and refit − ${FT.epochs} epochs`, paired(CS.scratchValidAucRefit, CS.scratch)], ['fine-tune from the foundation with more ID dropout − scratch with the same rates (the like-for-like pair)', paired(CS.drop, CS.scratchDrop)], ...bySlice(`fine-tune, the foundation with more ID dropout − the one without`, CS.drop, CS.l0free), ...bySlice(`scratch, more ID dropout − without`, CS.scratchDrop, CS.scratch), ['fine-tune from the foundation with more ID dropout − scratch at the default rates (not like for like: both moved)', paired(CS.drop, CS.scratch)], ['zero-shot: the foundation with more ID dropout − the one without', paired(CS.dropFoundation, CS.zero)], ['items with the semantic ID: fine-tune − scratch', paired(CS.sid, CS.sidScratch)], ['items with the semantic ID: fine-tune − zero-shot', paired(CS.sid, CS.sidZero)], ...bySlice(`fine-tune, with the semantic ID − without`, CS.sid, CS.l0free), ...bySlice(`scratch, with the semantic ID − without`, CS.sidScratch, CS.scratch)].map(([n, p]) => `| ${n} | ${pline(p as ReturnType<typeof paired>)} |`).join('\n')}
${validationPart}`;
mkdirSync('docs', { recursive: true });
writeFileSync('docs/results-real.json', JSON.stringify({ machine, seeds: SEEDS, epochs: EPOCHS, negatives: NEG, trainSeconds, hashing, coverage, samplesPerSecond: speeds, rows }, null, 1) + '\n');
// The reading is written by hand (docs/RESULTS-REAL.reading.md) and appended.
writeWithReading('docs/RESULTS-REAL.md', md);
console.log(md);
