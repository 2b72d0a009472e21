/**
 * train(options): a new model from a data folder. Reads the data, splits it by time, samples
 * negatives, encodes every text once, trains (checkpointing each epoch into <out>/checkpoint),
 * saves the model (model.json, weights.bin) and its test report with the baselines (eval.json).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Samples } from '../data/dataset.ts';
import { ConfigError } from '../errors.ts';
import { evaluate, type EvalReport } from '../eval/report.ts';
import type { RankerConfig } from '../model/config.ts';
import { disposeParams, initParams } from '../model/params.ts';
import { baselineScores, configFromData, holdOutValidation, loadNodeEncoder, prepareSamples, readDataSet, splitData } from '../node/pipeline.ts';
import { saveRanker } from '../node/ranker-files.ts';
import { DISTILL_WEIGHT, softLabels } from './distill.ts';
import { checkDataOptions, checkNumbers, DATA_DEFAULTS, sampleDomains, withDefaults, type DataOptions } from './data-options.ts';
import { fit, readCheckpoint, type FitProgress, type FitResult } from './fit.ts';
import { withRefit } from './refit.ts';
import { predictRanker } from './trainer.ts';

export interface TrainOptions extends DataOptions {
  /** Where the model, its checkpoint and eval.json are written. */
  out: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** The network's shape and training switches; the rest comes from DEFAULT_RANKER and the data. */
  model?: Partial<RankerConfig>;
  /** Go on from <out>/checkpoint (same command), up to `epochs`. */
  resume?: boolean;
  progress?: FitProgress;
  /**
   * Distillation (src/train/distill.ts): model folders whose averaged predictions are mixed into the
   * click labels. Each must be trained on the same data, split and features (ConfigError otherwise).
   */
  teachers?: string[];
  /** The teachers' share of each target, 0 to 1 (default DISTILL_WEIGHT, 0.5). */
  distillWeight?: number;
  /**
   * Train `distill` teachers first, with these options and seeds seed+1 … seed+distill, into
   * <out>/teachers/seed-<n>, then this model on their labels: training costs distill + 1 runs, the
   * model is one network. Not with `teachers` or `refit`.
   */
  distill?: number;
}

export const TRAIN_DEFAULTS = { epochs: 5, batchSize: 512, learningRate: 0.003 } as const;

export interface TrainResult {
  report: EvalReport;
  seconds: number;
  trainSamples: number;
  testSamples: number;
  /** Mean training speed over the epochs. */
  samplesPerSecond: number;
}

/**
 * The ID buckets training updates (items, queries, history events), as a base64 bitmap: fine-tuning
 * lets only the others (new items of a new domain) learn while the foundation's embeddings stay frozen.
 */
export function seenBuckets(s: Samples, c: RankerConfig): string {
  return Buffer.from(markSeenBuckets(s, c)).toString('base64');
}

/** seenBuckets' bitmap, marked into `bits` (a bitmap over several sets of samples). */
export function markSeenBuckets(s: Samples, c: RankerConfig, bits = new Uint8Array(Math.ceil(c.idBuckets / 8))): Uint8Array {
  const mark = (b: number) => (bits[b >> 3] |= 1 << (b & 7));
  s.itemId.forEach(mark);
  s.queryId.forEach(mark);
  s.histId.forEach((b, i) => s.histMask[i] && mark(b));
  return bits;
}

/**
 * The sparse-table rows training updates (the categorical feature values of items, events, users and the
 * history's items), as
 * a base64 bitmap: fine-tuning lets the others (a new domain's own values) learn while these stay frozen.
 */
export function seenSparseBuckets(s: Samples, c: RankerConfig): string {
  return Buffer.from(markSeenSparseBuckets(s, c)).toString('base64');
}

/** seenSparseBuckets' bitmap, marked into `bits`. Row 0 (a missing value) is never marked. */
export function markSeenSparseBuckets(s: Samples, c: RankerConfig, bits = new Uint8Array(Math.ceil(c.sparseBuckets / 8))): Uint8Array {
  const mark = (b: number) => b > 0 && (bits[b >> 3] |= 1 << (b & 7));
  s.itemCat.forEach(mark);
  s.ctxCat.forEach(mark);
  s.userCat.forEach(mark);
  s.histCat.forEach(mark); // the history's item features (empty unless the model reads them)
  return bits;
}

/** What validation decided, for the manifest's training record. */
export function validationRecord(r: FitResult) {
  if (r.bestEpoch === undefined) return {};
  const round = (x: number | undefined) => +(x ?? NaN).toFixed(5);
  return {
    validMetric: r.validMetric,
    bestEpoch: r.bestEpoch + 1,
    validLoss: r.epochs.map((e) => round(e.validLoss)),
    validAuc: r.epochs.map((e) => round(e.validAuc)),
    ...(r.startValidLoss === undefined ? {} : { startValidLoss: round(r.startValidLoss), startValidAuc: round(r.startValidAuc) }),
  };
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  checkDataOptions(options);
  checkNumbers([['epochs', options.epochs, 1, 1000, true], ['batchSize', options.batchSize, 8, 65536, true], ['learningRate', options.learningRate, 1e-6, 1, false], ['distillWeight', options.distillWeight, 0, 1, false], ['distill', options.distill, 1, 32, true]]);
  const { teachers, distill } = options;
  if (teachers !== undefined && (!Array.isArray(teachers) || !teachers.length || teachers.some((t) => typeof t !== 'string' || !t))) throw new ConfigError('teachers', `got ${JSON.stringify(teachers)}; expected a list of model folders`);
  if (distill !== undefined && teachers !== undefined) throw new ConfigError('distill', 'trains its own teachers: give distill or teachers, not both');
  if (options.distillWeight !== undefined && distill === undefined && teachers === undefined) throw new ConfigError('distillWeight', "is the teachers' share of the target: give teachers (or distill) too");
  // A refit's validation run would need teachers that never saw the validation events.
  if ((distill !== undefined || teachers !== undefined) && options.refit) throw new ConfigError('refit', 'is not available with distillation: use validFraction alone (the teachers are then trained without the validation events too)');
  if (distill === undefined) return withRefit(options, trainOnce);
  return trainOnce({ ...options, distill: undefined, teachers: await trainTeachers(options, distill) });
}

/** `--distill K`: the K teachers, trained (or, with resume, kept where finished) into <out>/teachers/seed-<n>. */
async function trainTeachers(options: TrainOptions, k: number): Promise<string[]> {
  const seed = options.seed ?? DATA_DEFAULTS.seed;
  const dirs: string[] = [];
  for (let i = 1; i <= k; i++) {
    const out = join(options.out, 'teachers', `seed-${seed + i}`);
    dirs.push(out);
    if (options.resume && existsSync(join(out, 'eval.json'))) {
      options.progress?.note?.(`teacher ${i} of ${k} (seed ${seed + i}): kept, already trained in ${out}`);
      continue;
    }
    options.progress?.note?.(`teacher ${i} of ${k} (seed ${seed + i}) into ${out}`);
    await trainOnce({ ...options, distill: undefined, distillWeight: undefined, seed: seed + i, out });
  }
  return dirs;
}

/** One training run; `record` joins the saved model's training record (a refit's). */
async function trainOnce(options: TrainOptions, record?: Record<string, unknown>): Promise<TrainResult> {
  const o = withDefaults({ ...DATA_DEFAULTS, ...TRAIN_DEFAULTS }, options);
  if (o.model?.aspects && !o.model.aspects.length) throw new ConfigError('model.aspects', 'leaves no aspect to rank with');
  const data = readDataSet(o.data);
  const domains = sampleDomains(data.events, o);
  const split = holdOutValidation(splitData(data, { ...o, onlyDomains: domains }), o.validFraction);
  const encoder = await loadNodeEncoder(o);
  try {
    const resume = o.resume ? await readCheckpoint(o.out, { command: 'train' }) : undefined;
    const config = resume?.config ?? configFromData(split.train, data.items, encoder, o.model ?? {}, data.users);
    const p = await prepareSamples(data, split, config, encoder, o);
    try {
      o.progress?.note?.(`training on ${p.train.n} samples (${config.domains.slice(1).join(', ')}), testing on ${p.test.n}; ${resume ? `resuming after epoch ${resume.epoch + 1}` : 'from scratch'}`);
      const params = resume?.params ?? initParams(config, o.seed);
      try {
        let training: Record<string, unknown> = { command: 'train', data: o.data, seed: o.seed, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, negatives: o.negatives, trainFraction: o.trainFraction, validFraction: o.validFraction, ...(o.validFraction ? { validMetric: o.validMetric ?? 'auc' } : {}), trainSamples: p.train.n, idBucketsSeen: seenBuckets(p.train, config), sparseBucketsSeen: seenSparseBuckets(p.train, config), ...record };
        let samples = p.train;
        if (o.teachers) {
          const soft = await softLabels(p.train, p.textTable, o.teachers, o.distillWeight ?? DISTILL_WEIGHT, { config, training });
          o.progress?.note?.(`distilling: ${o.teachers.length} teacher${o.teachers.length > 1 ? 's' : ''}' averaged predictions are ${soft.record.distillWeight} of each click label`);
          samples = { ...p.train, label: soft.labels };
          training = { ...training, ...soft.record };
        }
        const result = await fit(params, config, samples, p.textTable, { out: o.out, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, seed: o.seed, trainable: ['l0', 'encoder', 'head'], training, valid: p.valid, validMetric: o.validMetric, progress: o.progress }, resume);
        const speed = result.epochs.map((e) => e.samplesPerSecond);
        const samplesPerSecond = speed.reduce((x, y) => x + y, 0) / speed.length;
        await saveRanker(o.out, params, config, { ...training, seconds: Math.round(result.seconds), samplesPerSecond: Math.round(samplesPerSecond), loss: result.epochs.map((e) => +e.loss.toFixed(5)), ...validationRecord(result) });
        const report = evaluate(p.test, predictRanker(params, config, p.test, p.textTable).ctr, baselineScores(p, config));
        writeFileSync(join(o.out, 'eval.json'), JSON.stringify(report, null, 1) + '\n');
        return { report, seconds: result.seconds, trainSamples: p.train.n, testSamples: p.test.n, samplesPerSecond };
      } finally {
        disposeParams(params);
      }
    } finally {
      p.textTable.dispose();
    }
  } finally {
    await encoder.dispose();
  }
}
