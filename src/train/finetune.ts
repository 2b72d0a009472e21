/**
 * finetune(options): adapts a foundation model to one domain (a new one, or one it knows).
 * Restores the foundation, gives the domain a row of its own if it is new (started from the
 * generic row 0, which pretraining taught to serve unseen scenarios), freezes the chosen levels
 * and trains the rest on that domain's training split, pulled towards the foundation's weights
 * (L2-SP: l2sp × the squared distance; 0 turns it off). With validFraction the latest share of the
 * training period is held out: the epoch with the best validation AUC (or logloss) is kept, and the
 * foundation itself competes (a fine-tune that does not help leaves it as it was); with refit too, the
 * fine-tune is made again on the whole period for that many epochs (src/train/refit.ts). The foundation's
 * own scores on the same test events are written beside eval.json (foundation-eval.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildSamples, firstSeen } from '../data/dataset.ts';
import { ConfigError } from '../errors.ts';
import { evaluate, type EvalReport } from '../eval/report.ts';
import type { RankerConfig } from '../model/config.ts';
import { withKnownIds } from '../model/known-ids.ts';
import { withCovisitsAdded } from '../model/history-match.ts';
import { TrainStats } from '../data/train-stats.ts';
import { bucket } from '../util/hash.ts';
import { disposeParams, type ParamGroup, type Params } from '../model/params.ts';
import { baselineScores, holdOutValidation, loadNodeEncoder, prepareSamples, readDataSet, splitData } from '../node/pipeline.ts';
import { loadRanker, saveRanker } from '../node/ranker-files.ts';
import { checkDataOptions, checkNumbers, DATA_DEFAULTS, withDefaults, type DataOptions } from './data-options.ts';
import { fit, readCheckpoint, type FitProgress } from './fit.ts';
import { withRefit } from './refit.ts';
import { validationRecord } from './train.ts';
import { predictRanker } from './trainer.ts';

/** The config with `domain` in a row of its own (the same config when the model knows it). */
export function withDomain(config: RankerConfig, domain: string): RankerConfig {
  if (config.domains.includes(domain)) return config;
  if (config.domains.length >= config.maxDomains) throw new ConfigError('domain', `the model has room for ${config.maxDomains - 1} domains and all are taken`);
  return { ...config, domains: [...config.domains, domain] };
}

/** The domain tables' rows copied for a new domain (from row 0, the generic one). */
export const DOMAIN_TABLES = ['emb.domain', 'gate.domain.item', 'gate.domain.query'];

/** Adds `domain` to the config, copying row 0 of every domain table into its new row. */
export function addDomain(params: Params, config: RankerConfig, domain: string): RankerConfig {
  const next = withDomain(config, domain);
  if (next === config) return config;
  const row = config.domains.length;
  for (const name of DOMAIN_TABLES) {
    const v = params.get(name);
    if (!v) continue;
    const updated = tf.tidy(() => {
      const generic = tf.slice(v, [0, 0], [1, v.shape[1]!]);
      const mask = tf.oneHot([row], v.shape[0]!).reshape([v.shape[0]!, 1]);
      return tf.add(tf.mul(v, tf.sub(1, mask)), tf.mul(mask, generic));
    });
    v.assign(updated);
    updated.dispose();
  }
  return next;
}

export const FREEZES = ['l0', 'l0+encoder'] as const;
export type Freeze = (typeof FREEZES)[number];
/** The groups that learn under each freeze split. */
export const FREEZE: Record<Freeze, ParamGroup[]> = { l0: ['encoder', 'head'], 'l0+encoder': ['head'] };

export interface FinetuneOptions extends DataOptions {
  /** The foundation model's folder. */
  from: string;
  domain: string;
  out: string;
  freeze?: Freeze;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** L2-SP weight towards the foundation (0: none). */
  l2sp?: number;
  /**
   * A clicked ID whose row the foundation trained (frozen under both splits, holding another
   * item's embedding): 'unknown' (the default) ranks its item as new, by text; 'known' reads the
   * frozen row, as fine-tuning did before (kept to measure the difference).
   */
  frozenIds?: 'unknown' | 'known';
  resume?: boolean;
  progress?: FitProgress;
}

/**
 * No pull towards the foundation by default (l2sp 0). On synthetic development worlds (docs/L2SP.md)
 * every weight from 0.03 to 1 did about as well and 0.1 was best; on the real data (docs/RESULTS-REAL.md)
 * the held-out end of the training period preferred none in 5 of 5 seeds, and so did the test period
 * (+0.025 AUC), so the real data decides the default.
 */
export const FINETUNE_DEFAULTS = { freeze: 'l0', epochs: 8, batchSize: 256, learningRate: 0.002, l2sp: 0, frozenIds: 'unknown' } as const;

export interface FinetuneResult {
  /** The fine-tuned model on the domain's test events. */
  report: EvalReport;
  /** The foundation as it was, on the same events. */
  foundation: EvalReport;
  seconds: number;
  trainSamples: number;
}

/**
 * Frozen means the foundation's trained rows: rows it never trained (the new domain's own row of
 * the domain tables, ID buckets no pretraining sample touched, e.g. the new domain's items, and
 * sparse-table rows of feature values pretraining never saw, e.g. the new domain's own categories)
 * are new parameters and learn. A foundation saved before it recorded `sparseBucketsSeen` keeps its
 * whole sparse table frozen, as then. Returns the tables that take part and a step hook that restores every
 * frozen row after each update.
 */
export function newRowsOnly(params: Params, newDomainRow: number | undefined, idBucketsSeen: string | undefined, sparseBucketsSeen?: string) {
  const names: string[] = [];
  const restores: (() => void)[] = [];
  const held: tf.Tensor[] = [];
  const setup = (name: string, trainableRow: (r: number) => boolean) => {
    const v = params.get(name);
    if (!v) return;
    const rows = v.shape[0]!;
    const mask = tf.tensor2d(Array.from({ length: rows }, (_, r) => (trainableRow(r) ? 1 : 0)), [rows, 1]);
    const original = tf.clone(v);
    held.push(mask, original);
    names.push(name);
    restores.push(() => {
      const kept = tf.tidy(() => tf.add(tf.mul(v, mask), tf.mul(original, tf.sub(1, mask))));
      v.assign(kept);
      kept.dispose();
    });
  };
  if (newDomainRow !== undefined) for (const n of DOMAIN_TABLES) setup(n, (r) => r === newDomainRow);
  if (idBucketsSeen) {
    const seen = bucketsSeen(idBucketsSeen);
    setup('emb.id', (r) => r > 0 && !seen(r));
  }
  if (sparseBucketsSeen) {
    const seen = bucketsSeen(sparseBucketsSeen);
    setup('emb.sparse', (r) => r > 0 && !seen(r));
  }
  return { names, afterStep: () => restores.forEach((f) => f()), dispose: () => tf.dispose(held) };
}

/**
 * The IDs a fine-tune learns: those its training split clicks, less those whose bucket the
 * foundation trained. Such a row stays frozen (newRowsOnly) and holds another item's embedding, so
 * the item is ranked as a new one (by its text) rather than as the item it collides with.
 */
export function learnableKeys(keys: Iterable<string>, idBucketsSeen: string | undefined, idBuckets: number): string[] {
  if (!idBucketsSeen) return [...keys];
  const seen = bucketsSeen(idBucketsSeen);
  return [...keys].filter((k) => !seen(bucket(k, idBuckets)));
}

/** The training record's `idBucketsSeen` bitmap (base64) as `row => trained`. */
function bucketsSeen(idBucketsSeen: string): (row: number) => boolean {
  const bits = Uint8Array.from(atob(idBucketsSeen), (ch) => ch.charCodeAt(0));
  return (r) => !!(bits[r >> 3] & (1 << (r & 7)));
}

export async function finetune(options: FinetuneOptions): Promise<FinetuneResult> {
  checkDataOptions(options);
  checkNumbers([['epochs', options.epochs, 1, 1000, true], ['batchSize', options.batchSize, 8, 65536, true], ['learningRate', options.learningRate, 1e-6, 1, false], ['l2sp', options.l2sp, 0, 1e6, false]]);
  const { freeze, frozenIds } = withDefaults(FINETUNE_DEFAULTS, options);
  if (!FREEZE[freeze]) throw new ConfigError('freeze', `got ${JSON.stringify(freeze)}; allowed: ${FREEZES.join(', ')}`);
  if (frozenIds !== 'unknown' && frozenIds !== 'known') throw new ConfigError('frozenIds', `got ${JSON.stringify(frozenIds)}; allowed: unknown, known`);
  return withRefit(options, finetuneOnce);
}

/** One fine-tuning run; `record` joins the saved model's training record (a refit's). */
async function finetuneOnce(options: FinetuneOptions, record?: Record<string, unknown>): Promise<FinetuneResult> {
  const o = withDefaults({ ...DATA_DEFAULTS, ...FINETUNE_DEFAULTS }, options);
  const { from, domain, freeze, out } = o;
  const foundation = await loadRanker(from);
  let params = foundation.params;
  try {
    const isNew = !foundation.manifest.config.domains.includes(domain);
    const withDomain = addDomain(foundation.params, foundation.manifest.config, domain);
    // Resuming goes on from the last epoch's checkpoint of this same fine-tune (the foundation is
    // still what is scored first, what the pull aims at, and where the frozen rows come from).
    const resume = o.resume ? await readCheckpoint(out, { command: 'finetune', from, domain, freeze }) : undefined;
    params = resume?.params ?? foundation.params;
    const fresh = newRowsOnly(params, isNew ? withDomain.domains.indexOf(domain) : undefined, foundation.manifest.training.idBucketsSeen as string | undefined, foundation.manifest.training.sparseBucketsSeen as string | undefined);
    const data = readDataSet(o.data);
    const split = holdOutValidation(splitData(data, { ...o, onlyDomains: [domain] }), o.validFraction);
    // The fine-tune learns the IDs its training split clicks (not those in rows it cannot train); the
    // foundation as it was knows only its own.
    const idSeen = foundation.manifest.training.idBucketsSeen as string | undefined;
    // With history-match features the new data's co-visits join the foundation's table.
    const config = withCovisitsAdded(withKnownIds(withDomain, learnableKeys(firstSeen(split.train).keys(), o.frozenIds === 'known' ? undefined : idSeen, withDomain.idBuckets)), () => TrainStats.of(split.train, { clicks: true }).clicks.values());
    const encoder = await loadNodeEncoder(o);
    try {
      const p = await prepareSamples(data, split, config, encoder, o);
      try {
        o.progress?.note?.(`fine-tuning ${from} on ${p.train.n} samples of ${domain} (frozen: ${freeze}), testing on ${p.test.n}${resume ? `; resuming after epoch ${resume.epoch + 1}` : ''}`);
        // The foundation on the same test events first (the new domain's row is still the generic one):
        // what fine-tuning has to beat.
        const baselines = baselineScores(p, config); // the same test events for both reports
        const asItWas = buildSamples(p.testEvents, { ...p.context, config: withDomain });
        const before = evaluate(asItWas, predictRanker(foundation.params, withDomain, asItWas, p.textTable).ctr, baselines);
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, 'foundation-eval.json'), JSON.stringify(before, null, 1) + '\n');
        const training = { command: 'finetune', from, data: o.data, domain, freeze, seed: o.seed, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, l2sp: o.l2sp, frozenIds: o.frozenIds, validFraction: o.validFraction, ...(o.validFraction ? { validMetric: o.validMetric ?? 'auc' } : {}), trainSamples: p.train.n, newRowsTrained: fresh.names, ...record };
        const fitOptions = { out, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, seed: o.seed, trainable: FREEZE[freeze], training, extraTrainable: fresh.names, afterStep: fresh.afterStep, l2sp: o.l2sp, l2spTarget: foundation.params, valid: p.valid, validMetric: o.validMetric, scoreStart: true, progress: o.progress };
        const result = await fit(params, config, p.train, p.textTable, fitOptions, resume);
        await saveRanker(out, params, config, { ...training, seconds: Math.round(result.seconds), loss: result.epochs.map((e) => +e.loss.toFixed(5)), ...validationRecord(result) });
        const report = evaluate(p.test, predictRanker(params, config, p.test, p.textTable).ctr, baselines);
        writeFileSync(join(out, 'eval.json'), JSON.stringify(report, null, 1) + '\n');
        return { report, foundation: before, seconds: result.seconds, trainSamples: p.train.n };
      } finally {
        fresh.dispose();
        p.textTable.dispose();
      }
    } finally {
      await encoder.dispose();
    }
  } finally {
    if (params !== foundation.params) disposeParams(params);
    disposeParams(foundation.params);
  }
}
