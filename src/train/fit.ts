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
import { logloss } from '../eval/metrics.ts';
import { predictRanker, trainRanker, type BatchStats } from './trainer.ts';

/** What a run tells its caller as it goes (the CLI draws a progress bar from it); all optional. */
export interface FitProgress {
  batch?: (b: BatchStats & { epochs: number }) => void;
  epoch?: (e: { epoch: number; epochs: number; loss: number; samplesPerSecond: number; validLoss?: number }) => void;
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
   * Validation samples: after each epoch their click logloss is measured, and at the end the
   * parameters of the best epoch are kept (with `scoreStart`, the starting point competes too:
   * fine-tuning that does not help on validation leaves the foundation as it was).
   */
  valid?: Samples;
  scoreStart?: boolean;
}

export interface FitResult {
  epochs: { epoch: number; loss: number; samplesPerSecond: number; validLoss?: number }[];
  seconds: number;
  /** With validation: the epoch whose parameters were kept (-1: the starting point). */
  bestEpoch?: number;
  /** With validation and scoreStart: the starting point's validation logloss. */
  startValidLoss?: number;
}

/** Click logloss of the current parameters on `s`. */
function validLoss(params: Params, config: RankerConfig, s: Samples, textTable: tf.Tensor2D): number {
  const p = predictRanker(params, config, s, textTable).ctr;
  return logloss(p, s.label, Array.from({ length: s.n }, (_, i) => i));
}

/** Keeps a copy of the best parameters seen so far. */
class BestParams {
  loss = Infinity;
  epoch = -1;
  private saved = new Map<string, tf.Tensor>();
  offer(params: Params, epoch: number, loss: number) {
    if (!(loss < this.loss)) return;
    this.loss = loss;
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
  const best = o.valid ? new BestParams() : undefined;
  let startValidLoss: number | undefined;
  if (best && o.scoreStart && !resume) {
    startValidLoss = validLoss(params, config, o.valid!, textTable);
    best.offer(params, -1, startValidLoss);
    o.progress?.note?.(`validation logloss before training: ${startValidLoss.toFixed(4)}`);
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
      const vl = best ? validLoss(params, config, o.valid!, textTable) : undefined;
      if (best) best.offer(params, epoch, vl!);
      history.push({ epoch, loss: s.loss, samplesPerSecond: s.samplesPerSecond, ...(vl === undefined ? {} : { validLoss: vl }) });
      o.progress?.epoch?.({ epoch, epochs: o.epochs, ...s, ...(vl === undefined ? {} : { validLoss: vl }) });
      const dir = join(o.out, 'checkpoint');
      await saveRanker(dir, params, config, { ...o.training, checkpointEpoch: epoch });
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ epoch, history }, null, 1) + '\n');
    },
  });
  let bestEpoch: number | undefined;
  if (best) {
    bestEpoch = best.epoch;
    best.restore(params);
    o.progress?.note?.(bestEpoch < 0 ? 'kept the starting parameters: no epoch improved the validation logloss' : `kept epoch ${bestEpoch + 1} (validation logloss ${best.loss.toFixed(4)})`);
  }
  return { epochs: history, seconds: (performance.now() - t0) / 1000, bestEpoch, startValidLoss };
}
