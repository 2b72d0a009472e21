/**
 * Runs the training loop, reports progress to the caller, keeps the best epoch on validation, and
 * checkpoints each epoch into <out>/checkpoint (kept after the run: resuming with more epochs
 * trains on from the last one).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { Samples } from '../data/dataset.ts';
import type { RankerConfig } from '../model/config.ts';
import type { ParamGroup, Params } from '../model/params.ts';
import { loadRanker, saveRanker } from '../node/ranker-files.ts';
import { ConfigError } from '../errors.ts';
import { auc, logloss } from '../eval/metrics.ts';
import type { ValidMetric } from './data-options.ts';
import { predictRanker, trainRanker, type BatchStats } from './trainer.ts';

/** What a run tells its caller as it goes (the CLI draws a progress bar from it); all optional. */
export interface FitProgress {
  batch?: (b: BatchStats & { epochs: number }) => void;
  epoch?: (e: { epoch: number; epochs: number; loss: number; samplesPerSecond: number; validLoss?: number; validAuc?: number }) => void;
  /** A line worth showing: what validation decided, what is being trained on. */
  note?: (text: string) => void;
}

export interface FitOptions {
  out: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  trainable: ParamGroup[];
  training: Record<string, unknown>;
  progress?: FitProgress;
  extraTrainable?: string[];
  afterStep?: () => void;
  /** L2-SP weight and the weights it pulls towards (see LoopOptions.l2sp, l2spTarget). */
  l2sp?: number;
  l2spTarget?: Params;
  /**
   * Validation samples: after each epoch their click AUC and logloss are measured, and at the end
   * the parameters of the best epoch on `validMetric` are kept (with `scoreStart`, the starting
   * point competes too: fine-tuning that does not help on validation leaves the foundation as it was).
   */
  valid?: Samples;
  /** What picks the epoch kept: 'auc' (highest; the default) or 'logloss' (lowest). */
  validMetric?: ValidMetric;
  scoreStart?: boolean;
}

export interface FitResult {
  epochs: { epoch: number; loss: number; samplesPerSecond: number; validLoss?: number; validAuc?: number }[];
  seconds: number;
  /** With validation: the epoch whose parameters were kept (-1: the starting point). */
  bestEpoch?: number;
  /** With validation and scoreStart: the starting point's validation logloss and AUC. */
  startValidLoss?: number;
  startValidAuc?: number;
  /** With validation: the measure that picked bestEpoch. */
  validMetric?: ValidMetric;
}

/** Click logloss and AUC (the eval's `auc`) of the current parameters on `s`. */
function validScores(params: Params, config: RankerConfig, s: Samples, textTable: tf.Tensor2D): { validLoss: number; validAuc: number } {
  const p = predictRanker(params, config, s, textTable).ctr;
  const all = Array.from({ length: s.n }, (_, i) => i);
  return { validLoss: logloss(p, s.label, all), validAuc: auc(p, s.label, all) };
}

/** Keeps a copy of the best parameters seen so far: `cost` is lower-is-better. */
class BestParams {
  cost = Infinity;
  epoch = -1;
  private saved = new Map<string, tf.Tensor>();
  offer(params: Params, epoch: number, cost: number) {
    if (!(cost < this.cost)) return;
    this.cost = cost;
    this.epoch = epoch;
    for (const [name, v] of params) {
      this.saved.get(name)?.dispose();
      this.saved.set(name, v.clone());
    }
  }
  restore(params: Params) {
    for (const [name, v] of params) {
      const b = this.saved.get(name);
      if (b) v.assign(b);
    }
    for (const t of this.saved.values()) t.dispose();
    this.saved.clear();
  }
}

/**
 * The checkpoint in <out>/checkpoint, if there is one to resume from. It must come from the same
 * command: `same` lists the training-record fields that must match (e.g. finetune's from, domain
 * and freeze); a mismatch is a ConfigError naming resume, and nothing is overwritten.
 */
export async function readCheckpoint(out: string, same: Record<string, unknown>): Promise<{ params: Params; config: RankerConfig; epoch: number; history: FitResult['epochs'] } | undefined> {
  const dir = join(out, 'checkpoint');
  if (!existsSync(join(dir, 'state.json'))) return undefined;
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
  const { params, manifest } = await loadRanker(dir);
  const t = manifest.training as Record<string, unknown>;
  const differs = Object.entries(same).filter(([k, v]) => t[k] !== v);
  if (differs.length) {
    for (const v of params.values()) v.dispose();
    const what = differs.map(([k, v]) => `${k} ${JSON.stringify(t[k])}, not ${JSON.stringify(v)}`).join('; ');
    throw new ConfigError('--resume', `the checkpoint in ${dir} is from another run (${what}); leave out --resume or choose another --out`);
  }
  return { params, config: manifest.config, epoch: state.epoch, history: state.history };
}

export async function fit(params: Params, config: RankerConfig, train: Samples, textTable: tf.Tensor2D, o: FitOptions, resume?: { epoch: number; history: FitResult['epochs'] }): Promise<FitResult> {
  const history = [...(resume?.history ?? [])];
  const t0 = performance.now();
  const metric = o.validMetric ?? 'auc';
  const best = o.valid ? new BestParams() : undefined;
  const cost = (v: { validLoss: number; validAuc: number }) => (metric === 'auc' ? -v.validAuc : v.validLoss);
  const shown = (v: { validLoss: number; validAuc: number }) => `validation AUC ${v.validAuc.toFixed(4)}, logloss ${v.validLoss.toFixed(4)}`;
  let start: { validLoss: number; validAuc: number } | undefined;
  if (best && o.scoreStart && !resume) {
    start = validScores(params, config, o.valid!, textTable);
    best.offer(params, -1, cost(start));
    o.progress?.note?.(`before training: ${shown(start)}`);
  }
  await trainRanker(params, config, train, textTable, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: o.seed,
    trainable: o.trainable,
    extraTrainable: o.extraTrainable,
    afterStep: o.afterStep,
    l2sp: o.l2sp,
    l2spTarget: o.l2spTarget,
    startEpoch: resume ? resume.epoch + 1 : 0,
    onBatch: (b) => o.progress?.batch?.({ ...b, epochs: o.epochs }),
    onEpoch: async (epoch, s) => {
      const v = best ? validScores(params, config, o.valid!, textTable) : undefined;
      if (best) best.offer(params, epoch, cost(v!));
      history.push({ epoch, loss: s.loss, samplesPerSecond: s.samplesPerSecond, ...v });
      o.progress?.epoch?.({ epoch, epochs: o.epochs, ...s, ...v });
      const dir = join(o.out, 'checkpoint');
      await saveRanker(dir, params, config, { ...o.training, checkpointEpoch: epoch });
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ epoch, history }, null, 1) + '\n');
    },
  });
  let bestEpoch: number | undefined;
  if (best) {
    bestEpoch = best.epoch;
    best.restore(params);
    const name = metric === 'auc' ? 'AUC' : 'logloss';
    o.progress?.note?.(bestEpoch < 0 ? `kept the starting parameters: no epoch improved the validation ${name}` : `kept epoch ${bestEpoch + 1} (${shown(history.find((h) => h.epoch === bestEpoch) as { validLoss: number; validAuc: number })}; picked on ${name})`);
  }
  return { epochs: history, seconds: (performance.now() - t0) / 1000, bestEpoch, ...(start ? { startValidLoss: start.validLoss, startValidAuc: start.validAuc } : {}), ...(best ? { validMetric: metric } : {}) };
}
