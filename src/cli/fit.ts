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
import { trainRanker } from '../train/trainer.ts';
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
}

export interface FitResult {
  epochs: { epoch: number; loss: number; samplesPerSecond: number }[];
  seconds: number;
}

/** A checkpoint from an earlier run of the same command, if there is one to resume from. */
export async function readCheckpoint(out: string): Promise<{ params: Params; config: RankerConfig; epoch: number; history: FitResult['epochs'] } | undefined> {
  const dir = join(out, 'checkpoint');
  if (!existsSync(join(dir, 'state.json'))) return undefined;
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
  const { params, manifest } = await loadRanker(dir);
  return { params, config: manifest.config, epoch: state.epoch, history: state.history };
}

export async function fit(params: Params, config: RankerConfig, train: Samples, textTable: tf.Tensor2D, o: FitOptions, resume?: { epoch: number; history: FitResult['epochs'] }): Promise<FitResult> {
  const history = [...(resume?.history ?? [])];
  const t0 = performance.now();
  let bar: Progress | undefined;
  await trainRanker(params, config, train, textTable, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: o.seed,
    trainable: o.trainable,
    extraTrainable: o.extraTrainable,
    afterStep: o.afterStep,
    startEpoch: resume ? resume.epoch + 1 : 0,
    onBatch: (b) => {
      if (o.quiet) return;
      if (b.batch === 0) bar = new Progress(`epoch ${b.epoch + 1}/${o.epochs}`, b.batches);
      bar!.update(b.batch + 1, `loss ${b.loss.toFixed(4)} (ctr ${b.ctr.toFixed(3)} sim ${b.sim.toFixed(3)} reg ${b.reg.toFixed(4)})`);
    },
    onEpoch: async (epoch, s) => {
      history.push({ epoch, loss: s.loss, samplesPerSecond: s.samplesPerSecond });
      if (!o.quiet) bar?.done(`mean loss ${s.loss.toFixed(4)}, ${Math.round(s.samplesPerSecond)} samples/s`);
      const dir = join(o.out, 'checkpoint');
      await saveRanker(dir, params, config, { ...o.training, checkpointEpoch: epoch });
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ epoch, history }, null, 1) + '\n');
    },
  });
  return { epochs: history, seconds: (performance.now() - t0) / 1000 };
}
