/**
 * npm run results — reruns the results table of docs/RESULTS.md on the synthetic world:
 * for 3 seeds, generates the world, pretrains the ablations on the three warm domains, and
 * compares fine-tuning the foundation with training from scratch on the held-out cold-start
 * domain. Every number in docs/RESULTS.md comes from here (docs/results.json holds them all).
 * Runs on disjoint seeds can share the cache (RESULTS_SEEDS, RESULTS_COLD_SEEDS): two processes at a
 * time, then one more with every seed to write the table from the cache. In session 19 that took 30
 * minutes here (2-core AMD EPYC; about 85 s a pretraining run); in session 16, on a slower machine, its
 * 107 runs trained for 124 minutes in all.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { consoleProgress } from '../src/cli/progress.ts';
import type { RankerConfig } from '../src/model/config.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { writeWorld } from '../src/node/world-files.ts';
import { finetune, type Freeze } from '../src/train/finetune.ts';
import { train } from '../src/train/train.ts';
import { evaluate, type EvalReport } from '../src/eval/report.ts';
import { logit } from '../src/train/distill.ts';
import { scoreModel } from '../src/train/evaluate.ts';
import { COLD_DOMAIN } from '../src/world/generate.ts';
import { FT } from './cold-start-settings.ts';
import { mean, pairedBySeed, sign } from './paired-stats.ts';

const SEEDS = (process.env.RESULTS_SEEDS ?? '1,2,3').split(',').map(Number);
// The cold-start comparison is decided on a domain of under 2,000 events, where one seed's AUC
// moves by 0.03-0.05: it runs on more seeds (each needs only the full pretraining, ~2 min).
const COLD_SEEDS = (process.env.RESULTS_COLD_SEEDS ?? '1,2,3,4,5,6,7,8,9,10').split(',').map(Number);
const ROOT = process.env.RESULTS_DIR ?? '.cache/results';
const EPOCHS = Number(process.env.RESULTS_EPOCHS ?? '5');

/**
 * The ablations of the network's parts were measured before history-ID dropout (config.histIdDropout)
 * existed and keep it off: they compare with the row "full, --hist-id-dropout 0", which is the full
 * model as they knew it.
 */
const HD0: Partial<RankerConfig> = { histIdDropout: 0 };
const PRETRAIN: Record<string, Partial<RankerConfig>> = {
  full: {},
  'id-only (--no-text)': { aspects: ['id', 'sparse'] },
  'full, --hist-id-dropout 0': HD0,
  'gating mean': { gating: 'mean', ...HD0 },
  'gating cls': { gating: 'cls', ...HD0 },
  'DA + MMD': { reg: 'mmd', ...HD0 },
  'no DA': { domainAdaptive: false, ...HD0 },
  'MMoE 1 expert': { experts: 1, ...HD0 },
  // History features (config.historyFeatures, a default since session 16): the same full model without them.
  'full, --no-history-features': { historyFeatures: false },
  // Measured on real data as opt-ins (docs/RESULTS-DECAY.md, docs/RESULTS-MATCH.md): what they do here.
  'full, --emb-decay 1': { embDecay: 1 },
  'full, --history-match': { historyMatch: true },
  // Session 21's opt-in (docs/RESULTS-SAME.md): a third history-match column, ~same, on top of history match.
  'full, --history-match --match-features': { historyMatch: true, matchFeatures: true },
};
const BASE = 'pretrain: full, --hist-id-dropout 0';
const USERS = 'pretrain: full + user features (users.jsonl), --hist-id-dropout 0';
const DISTILLED = 'pretrain: full, --distill 2 (two teachers, then the student)';
const TEACHERS = 'pretrain: its two teachers, logits averaged (two networks; not what ships)';
const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-').toLowerCase();

/**
 * The models folder of the encoder a (cached) foundation was trained on, when that is not the shipped
 * one: fine-tuning it must read the texts as it did. The encoder is restored from this repository's
 * history (the last commit whose models/encoder held that id), into ROOT/encoder-<id>/.
 */
const ENCODER_CONFIG = 'models/encoder/kindling-glove-100d/config.json';
const encoderIdOf = (json: string) => JSON.parse(json).kindling.encoder_id as string;
const SHIPPED_ENCODER = encoderIdOf(readFileSync(ENCODER_CONFIG, 'utf8'));
const encoderOf = (foundation: string) => modelsFor(JSON.parse(readFileSync(join(foundation, 'model.json'), 'utf8')).kindling.encoderId);
function modelsFor(id: string): string | undefined {
  if (id === SHIPPED_ENCODER) return undefined;
  const dir = join(ROOT, `encoder-${id.replace(/[^a-z0-9]+/gi, '-')}`);
  if (existsSync(join(dir, ENCODER_CONFIG))) return join(dir, 'models');
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const commit = git('log', '--format=%H', '--', ENCODER_CONFIG).split('\n').filter(Boolean).find((c) => encoderIdOf(git('show', `${c}:${ENCODER_CONFIG}`)) === id);
  if (!commit) throw new Error(`encoder ${id} is not in this repository's history: rerun with RESULTS_FRESH=1`);
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} models/encoder | tar -x -C "${dir}"`]);
  return join(dir, 'models');
}

/**
 * The encoder new runs read: RESULTS_ENCODER (an encoder id), else the one the cached ablations were
 * trained on, so that a run added to the table reads texts as the runs it is compared with did; with
 * RESULTS_FRESH=1 or nothing cached, the shipped one.
 */
const cachedId = existsSync(join(ROOT, 's1-gating-mean', 'model.json')) && !process.env.RESULTS_FRESH ? (JSON.parse(readFileSync(join(ROOT, 's1-gating-mean', 'model.json'), 'utf8')).kindling.encoderId as string) : undefined;
const TRAIN_MODELS = modelsFor(process.env.RESULTS_ENCODER ?? cachedId ?? SHIPPED_ENCODER);

/** Runs `step` unless its output folder already holds eval.json (rerun with RESULTS_FRESH=1 to redo everything). */
async function once(out: string, step: () => Promise<unknown>) {
  if (existsSync(join(out, 'eval.json')) && !process.env.RESULTS_FRESH) return;
  await step();
}
const progress = consoleProgress();
await useTrainingBackend();
const readEval = (dir: string): EvalReport => JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'));

type Row = Record<string, number>;
const ftName = (f: string) => `${COLD_DOMAIN}: foundation + fine-tune, freeze ${f}`;
const results: Record<string, Row[]> = {};
const add = (name: string, row: Row) => (results[name] ??= []).push(row);
const speeds: number[] = [];
const samplesOf = { foundation: [] as number[], domain: [] as number[] };
const trainSamples = (dir: string): number => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).kindling.training.trainSamples;

for (const seed of [...new Set([...SEEDS, ...COLD_SEEDS])]) {
  const data = join(ROOT, `world-${seed}`);
  writeWorld(data, { seed });
  for (const [name, flags] of Object.entries(PRETRAIN)) {
    if (!SEEDS.includes(seed) && name !== 'full') continue;
    const out = join(ROOT, `s${seed}-${slug(name)}`);
    await once(out, () => train({ data, out, excludeDomains: [COLD_DOMAIN], epochs: EPOCHS, seed, model: flags, models: TRAIN_MODELS, progress }));
    if (!SEEDS.includes(seed)) continue;
    const r = readEval(out);
    add(`pretrain: ${name}`, { seed, auc: r.overall.auc, gauc: r.overall.gauc, ndcg10: r.overall.ndcg10, logloss: r.overall.logloss, warmAuc: r.warm.auc, coldAuc: r.cold.auc });
    if (name === 'full') speeds.push(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).kindling.training.samplesPerSecond);
  }
  if (SEEDS.includes(seed)) {
    // Distillation (--distill 2, src/train/distill.ts; on real data docs/RESULTS-DISTILL.md): two teachers on this
    // world (seeds seed+1 and seed+2, inside the run's folder), then the full model on their labels.
    const distilled = join(ROOT, `s${seed}-full-distill-2`);
    await once(distilled, () => train({ data, out: distilled, excludeDomains: [COLD_DOMAIN], epochs: EPOCHS, seed, distill: 2, models: TRAIN_MODELS, progress }));
    const rd = readEval(distilled);
    add(DISTILLED, { seed, auc: rd.overall.auc, gauc: rd.overall.gauc, ndcg10: rd.overall.ndcg10, logloss: rd.overall.logloss, warmAuc: rd.warm.auc, coldAuc: rd.cold.auc });
    // Its two teachers, their logits averaged on the same test samples: what the student learns from.
    const z: Float64Array[] = [];
    let test: Parameters<typeof evaluate>[0] | undefined;
    for (const t of [1, 2]) {
      const r = await scoreModel({ model: join(distilled, 'teachers', `seed-${seed + t}`), data, excludeDomains: [COLD_DOMAIN], seed, models: TRAIN_MODELS });
      test ??= r.test;
      z.push(Float64Array.from(r.ctr, logit));
    }
    if (test!.n !== rd.overall.samples) throw new Error(`seed ${seed}: the teachers were scored on ${test!.n} samples, the student on ${rd.overall.samples}`);
    const ra = evaluate(test!, Float32Array.from(z[0], (x, i) => 1 / (1 + Math.exp(-(x + z[1][i]) / 2))));
    add(TEACHERS, { seed, auc: ra.overall.auc, gauc: ra.overall.gauc, ndcg10: ra.overall.ndcg10, logloss: ra.overall.logloss, warmAuc: ra.warm.auc, coldAuc: ra.cold.auc });
  }
  if (SEEDS.includes(seed)) {
    // The same world with users.jsonl (a noisy favourite-topic segment and an age): the user features' worth.
    const withUsers = join(ROOT, `world-${seed}-users`);
    writeWorld(withUsers, { seed, userFeatures: true });
    const out = join(ROOT, `s${seed}-full-user-features`);
    await once(out, () => train({ data: withUsers, out, excludeDomains: [COLD_DOMAIN], epochs: EPOCHS, seed, model: HD0, models: TRAIN_MODELS, progress }));
    const r = readEval(out);
    add(USERS, { auc: r.overall.auc, gauc: r.overall.gauc, ndcg10: r.overall.ndcg10, logloss: r.overall.logloss, warmAuc: r.warm.auc, coldAuc: r.cold.auc });
  }
  if (!COLD_SEEDS.includes(seed)) continue;
  const foundation = join(ROOT, `s${seed}-full`);
  const cold = (r: EvalReport) => ({ seed, auc: r.overall.auc, gauc: r.overall.gauc, ndcg10: r.overall.ndcg10, logloss: r.overall.logloss, warmAuc: r.warm.auc, coldAuc: r.cold.auc });
  const models = encoderOf(foundation);
  const ft = (freeze: Freeze, out: string, more: { l2sp: number; validFraction?: number; validMetric?: 'logloss' }) =>
    once(out, () => finetune({ from: foundation, data, domain: COLD_DOMAIN, freeze, epochs: FT.epochs, learningRate: FT.lr, out, seed, progress, models, ...more }));
  for (const freeze of ['l0', 'l0+encoder'] as const) {
    const out = join(ROOT, `s${seed}-ft-${slug(freeze)}-l2sp`);
    await ft(freeze, out, { l2sp: FT.l2sp });
    // finetune scores the foundation as it was on the same test events first (foundation-eval.json).
    if (freeze === 'l0') add(`${COLD_DOMAIN}: foundation, no fine-tuning`, cold(JSON.parse(readFileSync(join(out, 'foundation-eval.json'), 'utf8'))));
    add(ftName(freeze), cold(readEval(out)));
  }
  // Without the pull towards the foundation (--l2sp 0).
  for (const freeze of ['l0', 'l0+encoder'] as const) {
    const out = join(ROOT, `s${seed}-ft-${slug(freeze)}`);
    await ft(freeze, out, { l2sp: 0 });
    add(`${ftName(freeze)}, --l2sp 0`, cold(readEval(out)));
  }
  // The same fine-tune with the epoch picked on the latest 10% of the training period (the
  // foundation competing): a check that early stopping does not change the comparison.
  const validated = join(ROOT, `s${seed}-ft-l0-encoder-l2sp-valid`);
  await ft('l0+encoder', validated, { l2sp: FT.l2sp, validFraction: 0.1, validMetric: 'logloss' });
  add(`${COLD_DOMAIN}: foundation + fine-tune, freeze l0+encoder, epoch picked by --valid 0.1 (logloss)`, cold(readEval(validated)));
  const scratch = join(ROOT, `s${seed}-scratch`);
  await once(scratch, () => train({ data, out: scratch, domains: [COLD_DOMAIN], epochs: FT.epochs, batchSize: FT.scratchBatch, seed, models: TRAIN_MODELS, progress }));
  add(`${COLD_DOMAIN}: same model from scratch on it alone`, cold(readEval(scratch)));
  samplesOf.foundation.push(trainSamples(foundation));
  samplesOf.domain.push(trainSamples(scratch));
  // Scratch with the same epoch picking as the validated fine-tune: the fairer baseline for it.
  const scratchValid = join(ROOT, `s${seed}-scratch-valid`);
  await once(scratchValid, () => train({ data, out: scratchValid, domains: [COLD_DOMAIN], epochs: FT.epochs, batchSize: FT.scratchBatch, validFraction: 0.1, validMetric: 'logloss', seed, models: TRAIN_MODELS, progress }));
  add(`${COLD_DOMAIN}: same model from scratch, epoch picked by --valid 0.1 (logloss)`, cold(readEval(scratchValid)));
}

const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const cell = (rows: Row[], k: string) => `${mean(rows.map((r) => r[k])).toFixed(4)} ± ${std(rows.map((r) => r[k])).toFixed(4)}`;
const table = (names: string[]) =>
  ['| model | AUC | GAUC | NDCG@10 | logloss | warm-item AUC | cold-item AUC |', '|---|---|---|---|---|---|---|', ...names.map((n) => `| ${n} | ${['auc', 'gauc', 'ndcg10', 'logloss', 'warmAuc', 'coldAuc'].map((k) => cell(results[n], k)).join(' | ')} |`)].join('\n');
const m = (n: string, k: string) => mean(results[n].map((r) => r[k]));
const full = 'pretrain: full';
const idOnly = 'pretrain: id-only (--no-text)';
const noHist = 'pretrain: full, --no-history-features';
const decay = 'pretrain: full, --emb-decay 1';
const match = 'pretrain: full, --history-match';
const same = 'pretrain: full, --history-match --match-features';
const scratchName = `${COLD_DOMAIN}: same model from scratch on it alone`;
const checks = [
  [`cold-item AUC of the full model >= 0.65`, m(full, 'coldAuc'), m(full, 'coldAuc') >= 0.65],
  [`cold-item AUC: full - id-only >= 0.08`, m(full, 'coldAuc') - m(idOnly, 'coldAuc'), m(full, 'coldAuc') - m(idOnly, 'coldAuc') >= 0.08],
  [`warm-item AUC: full - id-only >= -0.005`, m(full, 'warmAuc') - m(idOnly, 'warmAuc'), m(full, 'warmAuc') - m(idOnly, 'warmAuc') >= -0.005],
  [`domain gating - mean gating, both --hist-id-dropout 0 (paper: about +0.014)`, m(BASE, 'auc') - m('pretrain: gating mean', 'auc'), undefined],
  [`history features: full - full with --no-history-features`, m(full, 'auc') - m(noHist, 'auc'), undefined],
  [`embedding decay: full with --emb-decay 1 - full`, m(decay, 'auc') - m(full, 'auc'), undefined],
  [`history match: full with --history-match - full`, m(match, 'auc') - m(full, 'auc'), undefined],
  [`distillation: full with --distill 2 - full`, m(DISTILLED, 'auc') - m(full, 'auc'), undefined],
  [`match features: full with --history-match --match-features - full with --history-match`, m(same, 'auc') - m(match, 'auc'), undefined],
  ...['l0', 'l0+encoder'].flatMap((f) =>
    ['', ', --l2sp 0'].map((pull) => {
      const d = m(`${COLD_DOMAIN}: foundation + fine-tune, freeze ${f}${pull}`, 'auc') - m(scratchName, 'auc');
      return [`${COLD_DOMAIN} AUC: fine-tune (freeze ${f}${pull || `, --l2sp ${FT.l2sp}`}) - scratch >= 0.02`, d, d >= 0.02];
    }),
  ),
] as [string, number, boolean | undefined][];

/** a - b per seed (same world, same test events): mean, standard error, seeds where a is ahead. */
function paired(a: string, b: string) {
  const auc = (n: string) => new Map(results[n].map((r) => [r.seed, r.auc]));
  return pairedBySeed(auc(a), auc(b));
}
const zeroShot = `${COLD_DOMAIN}: foundation, no fine-tuning`;
const scratchValidName = `${COLD_DOMAIN}: same model from scratch, epoch picked by --valid 0.1 (logloss)`;
const pairs: [string, string, string][] = [
  ['fine-tune (freeze l0) - scratch', ftName('l0'), scratchName],
  ['fine-tune (freeze l0+encoder) - scratch', ftName('l0+encoder'), scratchName],
  ['foundation, no fine-tuning - scratch', zeroShot, scratchName],
  ['fine-tune (freeze l0+encoder) - no fine-tuning', ftName('l0+encoder'), zeroShot],
  ['fine-tune (freeze l0) - no fine-tuning', ftName('l0'), zeroShot],
  ['fine-tune (freeze l0, --l2sp 0) - no fine-tuning', `${ftName('l0')}, --l2sp 0`, zeroShot],
  ['fine-tune (freeze l0+encoder, --l2sp 0) - no fine-tuning', `${ftName('l0+encoder')}, --l2sp 0`, zeroShot],
  ['fine-tune (freeze l0) - the same with --l2sp 0', ftName('l0'), `${ftName('l0')}, --l2sp 0`],
  ['fine-tune (freeze l0+encoder) - the same with --l2sp 0', ftName('l0+encoder'), `${ftName('l0+encoder')}, --l2sp 0`],
  ['fine-tune (freeze l0+encoder, --valid 0.1) - scratch (--valid 0.1), both picked on logloss', `${ftName('l0+encoder')}, epoch picked by --valid 0.1 (logloss)`, scratchValidName],
];
const pairedTable = ['| difference in AUC | mean | standard error | seeds ahead |', '|---|---|---|---|', ...pairs.map(([label, a, b]) => {
  const p = paired(a, b);
  return `| ${label} | ${p.mean >= 0 ? '+' : ''}${p.mean.toFixed(4)} | ${p.se.toFixed(4)} | ${p.ahead} of ${p.n} |`;
})].join('\n');

const f4 = (x: number) => x.toFixed(4);
const encodersUsed = new Set(COLD_SEEDS.map((seed) => JSON.parse(readFileSync(join(ROOT, `s${seed}-full`, 'model.json'), 'utf8')).kindling.encoderId as string));
const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js wasm backend`;
const md = `# Results on the synthetic world

Written by \`npm run results\` (scripts/results.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.
Seeds ${SEEDS.join(', ')}: each seed generates its own world (\`kindling generate --seed S\`) and trains with that seed;
cells are mean ± std over the seeds. Test split: the last 20% of events by time. Pretraining uses the three
warm domains (search, suggest, cards), ${EPOCHS} epochs; ${COLD_DOMAIN} (the cold-start domain, under 2,000 events) is held out.
Pretraining speed of the full model: ${Math.round(mean(speeds))} samples/s (mean over seeds).
Encoder: ${[...encodersUsed].map((e) => `\`${e}\``).join(', ')} (runs are cached; a fine-tune of a foundation trained on an older encoder reads
that encoder, restored from the repository's history; \`RESULTS_FRESH=1\` redoes every run on today's).

## Pretraining ablations (test split of the three warm domains)
${table([...Object.keys(PRETRAIN).map((n) => `pretrain: ${n}`), DISTILLED, TEACHERS, USERS])}

## Cold-start domain: ${COLD_DOMAIN}
Seeds ${COLD_SEEDS.join(', ')} (for seeds beyond ${SEEDS.join(', ')} only the full model is pretrained). Fine-tuning: ${FT.epochs} epochs
at learning rate ${FT.lr} on the domain's training split, pulled towards the foundation's weights (L2-SP, \`--l2sp ${FT.l2sp}\`,
picked on development worlds, docs/L2SP.md; the rows marked \`--l2sp 0\` are without it, which is finetune's
default since the real data's validation split preferred it, docs/RESULTS-REAL.md); from scratch: the same model, ${FT.epochs} epochs, on that split alone.
${table(Object.keys(results).filter((n) => n.startsWith(`${COLD_DOMAIN}:`)))}

Paired by seed (each seed's models are tested on the same events, so the per-seed difference removes the
world-to-world spread that dominates the std column above):
${pairedTable}

## The targets, as measured
| target | measured | holds |
|---|---|---|
${checks.map(([n, v, ok]) => `| ${n} | ${v >= 0 ? '+' : ''}${v.toFixed(4)} | ${ok === undefined ? '(reported)' : ok ? 'yes' : '**no**'} |`).join('\n')}

## Reading the numbers
- **Text carries the cold start.** Cold items (no event in the training split) score ${f4(m(full, 'coldAuc'))} AUC with the
  text aspect and ${f4(m(idOnly, 'coldAuc'))} without it; warm items ${f4(m(full, 'warmAuc'))} vs ${f4(m(idOnly, 'warmAuc'))}. In this world a
  title's words name its topic, and only a pretrained encoder links a query's words to the item's (lexicon.json
  keeps them apart), so the ID-only model also loses on warm items whenever the query decides.
- **Domain gating vs mean gating: ${sign(m(BASE, 'auc') - m('pretrain: gating mean', 'auc'))}** (the paper reports about +0.014). We think this is the world, not the
  method: in every domain here all three aspects are about equally informative (titles carry the topic, IDs the
  hidden quality, features a noisy topic and brand), so there is nothing for a per-domain weighting to exploit.
  A domain whose items lack features or have uninformative titles would be the test of it.
- **Domain-adaptive layer**: JS ${f4(m(BASE, 'auc'))}, MMD ${f4(m('pretrain: DA + MMD', 'auc'))}, none ${f4(m('pretrain: no DA', 'auc'))}: the direction the paper
  reports (DA + JS best), but the differences are within one standard deviation over seeds.
- **MMoE 1 vs 4 experts**: ${f4(m('pretrain: MMoE 1 expert', 'auc'))} vs ${f4(m(BASE, 'auc'))}. The relevance label is a deterministic function of topics here
  (the generator sets it to "item topic = query topic"), so there is little for separate experts to share or separate.
- **User features** (the same worlds with users.jsonl): ${f4(m(USERS, 'auc'))} vs ${f4(m(BASE, 'auc'))} without
  (${sign(m(USERS, 'auc') - m(BASE, 'auc'))}): nothing gained here. The segment names the user's favourite topic 60% of the time,
  which the behaviour sequence already tells the model: the world's 1,500 users have about 40 events each. Users with
  little history, where such features should count, are not measured separately.
- **Cold-start domain** (${COLD_SEEDS.length} seeds): fine-tune minus from-scratch AUC is ${sign(paired(ftName('l0'), scratchName).mean)} ± ${f4(paired(ftName('l0'), scratchName).se)}
  (freeze l0, ahead in ${paired(ftName('l0'), scratchName).ahead} of ${COLD_SEEDS.length} seeds) and ${sign(paired(ftName('l0+encoder'), scratchName).mean)} ± ${f4(paired(ftName('l0+encoder'), scratchName).se)} (freeze l0+encoder, ${paired(ftName('l0+encoder'), scratchName).ahead} of ${COLD_SEEDS.length}),
  mean ± standard error of the per-seed difference; the paper reports about +0.02 to +0.03, and the gain here is
  larger because the domain's users have almost no history in it (about one request each), so nearly all that is
  known about them comes from elsewhere. Where the gain comes from: the domain's users arrive with their
  behaviour in the three other domains, and the foundation has learnt from ${Math.round(mean(samplesOf.foundation)).toLocaleString('en-US')} samples how a behaviour sequence predicts a click; the from-scratch model has to learn its user
  tower from the domain's ${Math.round(mean(samplesOf.domain)).toLocaleString('en-US')} training samples. The foundation alone, without fine-tuning, is already
  ${sign(paired(zeroShot, scratchName).mean)} ± ${f4(paired(zeroShot, scratchName).se)} ahead of scratch; fine-tuning adds ${sign(paired(ftName('l0'), zeroShot).mean)} ± ${f4(paired(ftName('l0'), zeroShot).se)} (freeze l0) and
  ${sign(paired(ftName('l0+encoder'), zeroShot).mean)} ± ${f4(paired(ftName('l0+encoder'), zeroShot).se)} (freeze l0+encoder) on top, ahead of it in ${paired(ftName('l0'), zeroShot).ahead} and ${paired(ftName('l0+encoder'), zeroShot).ahead} of ${COLD_SEEDS.length} seeds.
- **L2-SP** (\`--l2sp ${FT.l2sp}\`, the pull towards the foundation's weights): without it the same fine-tunes add
  ${sign(paired(`${ftName('l0')}, --l2sp 0`, zeroShot).mean)} ± ${f4(paired(`${ftName('l0')}, --l2sp 0`, zeroShot).se)} and ${sign(paired(`${ftName('l0+encoder')}, --l2sp 0`, zeroShot).mean)} ± ${f4(paired(`${ftName('l0+encoder')}, --l2sp 0`, zeroShot).se)} to the foundation, ahead in ${paired(`${ftName('l0')}, --l2sp 0`, zeroShot).ahead} and ${paired(`${ftName('l0+encoder')}, --l2sp 0`, zeroShot).ahead} of ${COLD_SEEDS.length} seeds:
  ${FT.epochs} epochs at learning rate ${FT.lr} on ${Math.round(mean(samplesOf.domain)).toLocaleString('en-US')} samples wander far from the foundation, for better in
  some worlds and for worse in others. The pull mostly removes that spread (the standard error of the
  gain over the foundation falls to about a third); the direct difference, L2-SP minus none, is
  ${sign(paired(ftName('l0'), `${ftName('l0')}, --l2sp 0`).mean)} ± ${f4(paired(ftName('l0'), `${ftName('l0')}, --l2sp 0`).se)} (freeze l0) and ${sign(paired(ftName('l0+encoder'), `${ftName('l0+encoder')}, --l2sp 0`).mean)} ± ${f4(paired(ftName('l0+encoder'), `${ftName('l0+encoder')}, --l2sp 0`).se)} (freeze l0+encoder), within noise on these
  seeds. The weight was picked on ten development worlds, seeds 101-110, which this table does not use
  (docs/L2SP.md, \`npm run results:l2sp\`): there every weight from 0.03 to 1 did about as well, and 0.1 best
  with freeze l0. On the real data the same weight costs the fine-tune about 0.035 AUC and the held-out end of
  the training period prefers none (docs/RESULTS-REAL.md), so finetune's default is now 0: the \`--l2sp 0\` rows.
- **Epoch picking.** Picking the epoch on the latest 10%
  of the training period (\`--valid 0.1 --valid-metric logloss\`, the foundation competing) against a from-scratch model picked the same
  way: ${sign(paired(`${ftName('l0+encoder')}, epoch picked by --valid 0.1 (logloss)`, scratchValidName).mean)} ± ${f4(paired(`${ftName('l0+encoder')}, epoch picked by --valid 0.1 (logloss)`, scratchValidName).se)}. The domain's test split has under 400 events, so one seed's AUC
  moves by 0.03-0.05; the paired differences above are what carries the conclusion.
- **How this table changed** (session 3, 2026-11-22): until then a one-domain run (\`finetune --domain\`,
  \`train --domains\`, \`eval --domains\`) built its samples' histories from that domain's events only, so in the
  cold-start domain, where a user has about one request, the behaviour sequence was nearly empty for the
  foundation and the scratch model alike. Measured that way (docs/RESULTS.md at commit fe531ab) fine-tune minus
  scratch was +0.0082 ± 0.0073 (freeze l0) and +0.0122 ± 0.0087 (freeze l0+encoder): the target did not hold.
  The from-scratch model scored 0.6174 then and ${f4(m(scratchName, 'auc'))} now (the longer histories give it more to fit on
  so few samples, not more it can learn from them); the fine-tuned models (${f4(m(ftName('l0'), 'auc'))}, ${f4(m(ftName('l0+encoder'), 'auc'))}) are ahead of either. The
  pipeline now gives every sample the user's history from every domain, as the page's behaviour store records
  it (docs/DATA.md); \`--exclude-domains\` still keeps the held-out domain out of pretraining's samples and
  histories, so the foundations and the pretraining table are unchanged. The world was not changed, and the
  fine-tuning settings are the ones fixed before either measurement.
  Session 4 added L2-SP to fine-tuning (above); the fine-tunes without it are the rows marked \`--l2sp 0\`,
  unchanged from session 3, and the \`--valid 0.1\` fine-tune was rerun with it.
  Session 5 (2026-11-27, issue 7) made unknown IDs say nothing (\`--unknown-ids mask\`, with training that sees an
  item's ID only after its first click) and added ID dropout 0.2; both are defaults, so every row above was
  retrained. Before it (docs/RESULTS.md at commit 68bf9d6) the full model scored 0.8102 (cold items 0.7982) and
  fine-tune minus scratch was +0.0830 / +0.0793: in this world a new item's bucket was mostly a row no sample had
  touched, which already said little, so the change moves these numbers by less than the seed-to-seed spread,
  while on real data, where that row had been trained as a negative, it is what makes the cold start work
  (docs/RESULTS-REAL.md).
  Session 9 (2026-11-27, issue 7) changed fine-tuning: a clicked ID whose row the foundation trained (frozen, holding
  another item's embedding) is left out of the fine-tune's known IDs, so its item ranks as a new one
  (\`--frozen-ids unknown\`; on real data +0.012 on warm items, 5 of 5 seeds). Here 45 of the 807 IDs the ten
  worlds' miniapps training splits click fall in such rows; the fine-tunes were rerun (the foundations and the
  scratch models are unchanged). Before it (docs/RESULTS.md at commit 5545b8b) fine-tune minus scratch was
  +0.0664 / +0.0624; the change moves it by less than its standard error. finetune's default L2-SP weight became
  0 in the same session; the rows keep naming their weight.
  Session 10 (2026-11-27, issue 7) added history-ID dropout (\`--hist-id-dropout 0.5\`, a default: training hides
  each known history event's ID with that probability; on real data +0.012 on new items, 5 of 5 seeds). The full
  model, the id-only model and every cold-start run were retrained with it, on the encoder the cached ablations
  read; the ablations of the network's parts and the user-feature row keep it off and are compared with the row
  "full, --hist-id-dropout 0", the full model as it was. Here it moves the full model by
  ${sign(m(full, 'auc') - m(BASE, 'auc'))} AUC, ${sign(m(full, 'warmAuc') - m(BASE, 'warmAuc'))} on warm items and ${sign(m(full, 'coldAuc') - m(BASE, 'coldAuc'))} on cold items (means over seeds ${SEEDS.join(', ')}).
  Before it (docs/RESULTS.md at commit b40f82f) fine-tune minus scratch was +0.0628 / +0.0586 (freeze l0 /
  l0+encoder, \`--l2sp ${FT.l2sp}\`) and +0.0588 / +0.0479 with \`--l2sp 0\`.
  Session 12 (2026-11-28, issue 7) weighted the shipped encoder's word table by smooth inverse frequency
  (\`build:encoder --sif 0.0001\`; on real data +0.006 on new items, 5 of 5 seeds, docs/RESULTS-REAL.md). Every run
  of this table was redone on it (the cache of the unweighted encoder set aside). Before it (docs/RESULTS.md at
  commit dde5cf1) the full model scored 0.8044 (warm items 0.8083, cold items 0.7946), the id-only model 0.6649,
  and fine-tune minus scratch was +0.0478 / +0.0420 (freeze l0 / l0+encoder, \`--l2sp ${FT.l2sp}\`) and
  +0.0624 / +0.0550 with \`--l2sp 0\`.
  Session 16 (2026-11-28, issue 7) made history features a default (\`--history-features\`: each history event adds its
  clicked item's features through the item side's sparse MLP; on real data, items with the semantic ID, +0.005
  overall and +0.035 fine-tune − scratch on the cold-start domain, docs/RESULTS-HISTORY.md). Every run of this
  table was redone with them on (a fresh cache; the encoder is unchanged); the row "full, --no-history-features" is the
  full model without them (the runs went two at a time, so the speed in the header is lower than one run alone
  gets): here they move it by ${sign(paired(full, noHist).mean)} ± ${f4(paired(full, noHist).se)} AUC (ahead in ${paired(full, noHist).ahead} of ${paired(full, noHist).n} seeds),
  ${sign(m(full, 'warmAuc') - m(noHist, 'warmAuc'))} on warm items and ${sign(m(full, 'coldAuc') - m(noHist, 'coldAuc'))} on cold items. Before it (docs/RESULTS.md at commit c5e196a)
  the full model scored 0.8023 (warm items 0.8074, cold items 0.7885) and fine-tune minus scratch was +0.0588 /
  +0.0553 (freeze l0 / l0+encoder, \`--l2sp ${FT.l2sp}\`) and +0.0537 / +0.0590 with \`--l2sp 0\`.
  Session 19 (2026-12-07, issue 7) reran the table on the code of that day (defaults unchanged) and added two rows:
  the real data's two opt-ins, \`--emb-decay 1\` (+0.003 there, docs/RESULTS-DECAY.md) and \`--history-match\` (+0.014
  there, docs/RESULTS-MATCH.md). Here they move the full model by ${sign(paired(decay, full).mean)} ± ${f4(paired(decay, full).se)} (ahead in
  ${paired(decay, full).ahead} of ${paired(decay, full).n} seeds; cold items ${sign(m(decay, 'coldAuc') - m(full, 'coldAuc'))}) and ${sign(paired(match, full).mean)} ± ${f4(paired(match, full).se)} (${paired(match, full).ahead} of ${paired(match, full).n}; cold items
  ${sign(m(match, 'coldAuc') - m(full, 'coldAuc'))}). In this world a click depends on the user's topics, the item's topic and its hidden
  quality, and the position (src/world/generate.ts): co-visits say what the text and the ID already say, and the real
  data's gains are not reproduced here. Both stay opt-in (README, "On your own data, which options").
  Session 20 (2026-12-07, issue 7) added the row "full, --distill 2": the full model trained on click labels mixed
  half and half with the averaged predictions of two teachers (the same command with seeds S+1 and S+2, on the same world;
  src/train/distill.ts), which on the real data lifts the full model (docs/RESULTS-DISTILL.md). Here it moves the full model by
  ${sign(paired(DISTILLED, full).mean)} ± ${f4(paired(DISTILLED, full).se)} (ahead in ${paired(DISTILLED, full).ahead} of ${paired(DISTILLED, full).n} seeds; warm items ${sign(m(DISTILLED, 'warmAuc') - m(full, 'warmAuc'))}, cold items
  ${sign(m(DISTILLED, 'coldAuc') - m(full, 'coldAuc'))}). One run depends less on its seed here: its two teachers averaged rank only ${sign(paired(TEACHERS, full).mean)} ± ${f4(paired(TEACHERS, full).se)}
  better than one run (on the real data four teachers averaged add +0.015, docs/RESULTS-DISTILL.md), so the student has little to learn from
  them and gives up half of each click's own label for it. It costs three trainings for one network; it stays opt-in.
  Session 21 (2026-12-07, issue 7) added the row "full, --history-match --match-features": a third history-match
  column, \`~same\` (how many of the user's other clicks share the candidate's category or brand; src/model/history-match.ts),
  which on the real data lifts the distilled best model by +0.006 overall and +0.012 on new items (docs/RESULTS-SAME.md).
  Here, against the row "full, --history-match", it moves the model by ${sign(paired(same, match).mean)} ± ${f4(paired(same, match).se)} (ahead in
  ${paired(same, match).ahead} of ${paired(same, match).n} seeds; warm items ${sign(m(same, 'warmAuc') - m(match, 'warmAuc'))}, cold items ${sign(m(same, 'coldAuc') - m(match, 'coldAuc'))}), and against the full model by
  ${sign(paired(same, full).mean)} ± ${f4(paired(same, full).se)}. It stays opt-in, with history match.
`;
mkdirSync('docs', { recursive: true });
writeFileSync('docs/results.json', JSON.stringify({ machine, seeds: SEEDS, coldSeeds: COLD_SEEDS, epochs: EPOCHS, samplesPerSecond: speeds, results }, null, 1) + '\n');
writeFileSync('docs/RESULTS.md', md);
console.log(md);
