/**
 * The training loop: Adam over the trainable parameter groups, on whichever TF.js backend is set
 * (in Node, src/node/tf-backend.ts picks wasm).
 */
import * as tf from '@tensorflow/tfjs';
import type { Samples } from '../data/dataset.ts';
import type { RankerConfig } from '../model/config.ts';
import { rankerLoss } from '../model/losses.ts';
import { paramSpecs, type ParamGroup, type Params } from '../model/params.ts';
import { rankerForward } from '../model/ranker.ts';
import { mulberry32 } from '../util/random.ts';
import { batchTensors, disposeBatch, groupedOrder } from './batches.ts';
import { installFastSegmentSum } from '../model/segment-sum.ts';

/** One optimiser step: its loss and the loss's parts (click, relevance, domain regulariser, L2-SP). */
export interface BatchStats {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  ctr: number;
  sim: number;
  reg: number;
  l2sp: number;
}

export interface LoopOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Groups that learn; the others stay as loaded (fine-tuning's --freeze). */
  trainable: ParamGroup[];
  /** Parameters that learn although their group is frozen (afterStep then restores their frozen rows). */
  extraTrainable?: string[];
  /**
   * L2-SP (Li et al., 2018), the CLI's --l2sp: adds l2sp × Σ‖θ − θ₀‖² over the trainable groups'
   * parameters, θ₀ their values when training starts. Fine-tuning uses it to stay near the
   * foundation; the new rows (extraTrainable) are not pulled. 0 or absent: no pull.
   */
  l2sp?: number;
  /** θ₀ for the pull when it is not where training starts (a resumed fine-tune: the foundation). */
  l2spTarget?: Params;
  /** Runs after every optimiser step (fine-tuning uses it to keep frozen rows frozen). */
  afterStep?: () => void;
  /** First epoch to run (resuming from a checkpoint). */
  startEpoch?: number;
  onBatch?: (info: BatchStats) => void;
  onEpoch?: (epoch: number, stats: { loss: number; samplesPerSecond: number }) => void | Promise<void>;
}

export async function trainRanker(params: Params, c: RankerConfig, s: Samples, textTable: tf.Tensor2D, o: LoopOptions) {
  installFastSegmentSum(tf.getBackend() as 'cpu' | 'wasm');
  const specs = paramSpecs(c);
  const trainable = specs.filter((p) => o.trainable.includes(p.group) || o.extraTrainable?.includes(p.name)).map((p) => params.get(p.name)!);
  const pulled = o.l2sp
    ? specs.filter((p) => o.trainable.includes(p.group)).map((p) => ({ v: params.get(p.name)!, start: tf.keep((o.l2spTarget ?? params).get(p.name)!.clone()) }))
    : [];
  const pull = () => tf.mul(o.l2sp!, tf.addN(pulled.map(({ v, start }) => tf.sum(tf.squaredDifference(v, start)))));
  const optimizer = tf.train.adam(o.learningRate);
  // Decoupled weight decay on the trainable embedding tables (config.embDecay); frozen rows of a
  // partly trainable table are put back by afterStep, which runs after it.
  const shrink = 1 - o.learningRate * (c.embDecay ?? 0);
  const decayed = shrink < 1 ? specs.filter((p) => p.name.startsWith('emb.') && (o.trainable.includes(p.group) || o.extraTrainable?.includes(p.name))).map((p) => params.get(p.name)!) : [];
  try {
    for (let epoch = o.startEpoch ?? 0; epoch < o.epochs; epoch++) {
      const rand = mulberry32(o.seed * 1000 + epoch);
      const order = groupedOrder(s, rand);
      const batches = Math.ceil(s.n / o.batchSize);
      const t0 = performance.now();
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const idx = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
        const idDropout = c.idDropout ?? 0;
        // Only a model that reads history IDs has any to hide (and draws nothing otherwise).
        const histIdDropout = c.aspects.includes('id') ? (c.histIdDropout ?? 0) : 0;
        const batch = batchTensors(s, idx, textTable, c, () => rand() < c.domainDropout, idDropout > 0 ? () => rand() < idDropout : undefined, histIdDropout > 0 ? () => rand() < histIdDropout : undefined);
        let parts = { ctr: 0, sim: 0, reg: 0, l2sp: 0 };
        const loss = optimizer.minimize(() => {
          const out = rankerForward(params, c, batch.inputs);
          const l = rankerLoss(c, out, batch.targets);
          parts = { ctr: l.ctr.dataSync()[0], sim: l.sim.dataSync()[0], reg: l.reg.dataSync()[0], l2sp: 0 };
          if (!pulled.length) return l.total;
          const p = pull();
          parts.l2sp = p.dataSync()[0];
          return tf.add(l.total, p);
        }, true, trainable)!;
        if (decayed.length) tf.tidy(() => decayed.forEach((v) => v.assign(tf.mul(v, shrink))));
        o.afterStep?.();
        const value = (await loss.data())[0];
        loss.dispose();
        disposeBatch(batch);
        lossSum += value;
        o.onBatch?.({ epoch, batch: b, batches, loss: value, ...parts });
        // Let the event loop breathe (progress output, signals) between batches.
        if (b % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      await o.onEpoch?.(epoch, { loss: lossSum / batches, samplesPerSecond: s.n / ((performance.now() - t0) / 1000) });
    }
  } finally {
    optimizer.dispose();
    tf.dispose(pulled.map((a) => a.start));
  }
}

/** Click and relevance probabilities for every sample, in order. */
export function predictRanker(params: Params, c: RankerConfig, s: Samples, textTable: tf.Tensor2D, batchSize = 2048): { ctr: Float32Array; rel: Float32Array } {
  const ctr = new Float32Array(s.n);
  const rel = new Float32Array(s.n);
  for (let start = 0; start < s.n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, s.n - start) }, (_, i) => start + i);
    const batch = batchTensors(s, idx, textTable, c);
    const [p, r] = tf.tidy(() => {
      const out = rankerForward(params, c, batch.inputs);
      return [tf.sigmoid(out.ctrLogit), tf.sigmoid(out.relLogit)];
    });
    ctr.set(p.dataSync(), start);
    rel.set(r.dataSync(), start);
    tf.dispose([p, r]);
    disposeBatch(batch);
  }
  return { ctr, rel };
}
