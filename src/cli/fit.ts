/**
 * Runs the training loop with a progress bar, and checkpoints each epoch into <out>/checkpoint
 * (kept after the run: `--resume` with more --epochs trains on from the last one).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { Samples } from '../data/dataset.ts';
import type { RankerConfig } from '../model/config.ts';
import type { ParamGroup, Params } from '../model/params.ts';
import { loadRanker, saveRanker } from '../node/ranker-files.ts';
import { predictRanker, trainRanker } from '../train/trainer.ts';
import { logloss } from '../eval/metrics.ts';
import { UsageError } from './args.ts';
import { Progress } from './progress.ts';

export interface FitOptions {
  out: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  trainable: ParamGroup[];
  training: Record<string, unknown>;
  quiet?: boolean;
  extraTrainable?: string[];
  afterStep?: () => void;
  /** L2-SP weight and the weights it pulls towards (see TrainOptions.anchor, anchorTo). */
  anchor?: number;
  anchorTo?: Params;
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
 * and freeze); a mismatch is a UsageError naming --resume, and nothing is overwritten.
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
    throw new UsageError('--resume', `the checkpoint in ${dir} is from another run (${what}); leave out --resume or choose another --out`);
  }
  return { params, config: manifest.config, epoch: state.epoch, history: state.history };
}

export async function fit(params: Params, config: RankerConfig, train: Samples, textTable: tf.Tensor2D, o: FitOptions, resume?: { epoch: number; history: FitResult['epochs'] }): Promise<FitResult> {
  const history = [...(resume?.history ?? [])];
  const t0 = performance.now();
  let bar: Progress | undefined;
  const best = o.valid ? new BestParams() : undefined;
  let startValidLoss: number | undefined;
  if (best && o.scoreStart && !resume) {
    startValidLoss = validLoss(params, config, o.valid!, textTable);
    best.offer(params, -1, startValidLoss);
    if (!o.quiet) console.error(`validation logloss before training: ${startValidLoss.toFixed(4)}`);
  }
  await trainRanker(params, config, train, textTable, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: o.seed,
    trainable: o.trainable,
    extraTrainable: o.extraTrainable,
    afterStep: o.afterStep,
    anchor: o.anchor,
    anchorTo: o.anchorTo,
    startEpoch: resume ? resume.epoch + 1 : 0,
    onBatch: (b) => {
      if (o.quiet) return;
      if (b.batch === 0) bar = new Progress(`epoch ${b.epoch + 1}/${o.epochs}`, b.batches);
      bar!.update(b.batch + 1, `loss ${b.loss.toFixed(4)} (ctr ${b.ctr.toFixed(3)} sim ${b.sim.toFixed(3)} reg ${b.reg.toFixed(4)}${o.anchor ? ` l2sp ${b.l2sp.toFixed(4)}` : ''})`);
    },
    onEpoch: async (epoch, s) => {
      const vl = best ? validLoss(params, config, o.valid!, textTable) : undefined;
      if (best) best.offer(params, epoch, vl!);
      history.push({ epoch, loss: s.loss, samplesPerSecond: s.samplesPerSecond, ...(vl === undefined ? {} : { validLoss: vl }) });
      if (!o.quiet) bar?.done(`mean loss ${s.loss.toFixed(4)}, ${Math.round(s.samplesPerSecond)} samples/s${vl === undefined ? '' : `, validation logloss ${vl.toFixed(4)}`}`);
      const dir = join(o.out, 'checkpoint');
      await saveRanker(dir, params, config, { ...o.training, checkpointEpoch: epoch });
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ epoch, history }, null, 1) + '\n');
    },
  });
  let bestEpoch: number | undefined;
  if (best) {
    bestEpoch = best.epoch;
    best.restore(params);
    if (!o.quiet) console.error(bestEpoch < 0 ? 'kept the starting parameters: no epoch improved the validation logloss' : `kept epoch ${bestEpoch + 1} (validation logloss ${best.loss.toFixed(4)})`);
  }
  return { epochs: history, seconds: (performance.now() - t0) / 1000, bestEpoch, startValidLoss };
}
