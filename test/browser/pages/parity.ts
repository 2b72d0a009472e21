// The fused kernel against rankerForward (TF.js cpu) on random weights and random inputs, for any
// config: the parity sweep of test/browser/fused-sweep.browser.test.ts runs this for each one.
import * as tf from '@tensorflow/tfjs';
import { FusedRanker } from '../../../src/gpu/fused-ranker.ts';
import { DEFAULT_RANKER, historyFeaturesOn, matchColumns, type RankerConfig } from '../../../src/model/config.ts';
import { ACTION_ROWS } from '../../../src/features/actions.ts';
import { paramSpecs } from '../../../src/model/params.ts';
import { itemAspects, rankerForward } from '../../../src/model/ranker.ts';
import { inputTensors, type InputArrays } from '../../../src/features/inputs.ts';
import { mulberry32 } from '../../../src/util/random.ts';

/** A small model: every size differs from the others, so a wrong stride shows. */
export function sweepConfig(over: Partial<RankerConfig>): RankerConfig {
  return {
    ...DEFAULT_RANKER, actions: [...ACTION_ROWS],
    hidden: 8, textDim: 6, encoderId: 'sweep@0', idBuckets: 64, sparseBuckets: 32, sparseDim: 3, historyLength: 7, maxDomains: 5,
    daDim: 12, experts: 3, expertDim: 5, towerDim: 4,
    itemFeatures: { categorical: ['cat', 'brand'], numeric: [{ name: 'price', mean: 0, std: 1 }] },
    contextFeatures: { categorical: ['slot'], numeric: [{ name: 'position', mean: 0, std: 1 }] },
    domains: ['(generic)', 'a', 'b'],
    ...over,
  };
}

export async function fusedParity(c: RankerConfig, seed: number, B = 48): Promise<{ maxScore: number; maxWeight: number; aspects: number; unknownShare: number; histShift: number; matchShift: number; sameShift: number }> {
  const rand = mulberry32(seed);
  const u = (scale: number) => (rand() * 2 - 1) * scale;
  // Weights of order 0.5 (1 +- 0.2 for layer-norm gains): large enough that every part moves the scores.
  const weights = new Map(paramSpecs(c).map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    return [s.name, Float32Array.from({ length: n }, () => (s.init === 'ones' ? 1 + u(0.2) : u(0.5)))] as const;
  }));
  const N = c.historyLength;
  const T = 9;
  const ints = (n: number, max: number) => Int32Array.from({ length: n }, () => Math.floor(rand() * max));
  const floats = (n: number) => Float32Array.from({ length: n }, () => u(1));
  const flags = (n: number) => Float32Array.from({ length: n }, () => (rand() < 0.4 ? 0 : 1));
  const Fi = c.itemFeatures.categorical.length, Ni = c.itemFeatures.numeric.length;
  const Fe = c.contextFeatures.categorical.length, Ne = c.contextFeatures.numeric.length;
  const Fu = c.userFeatures?.categorical.length ?? 0, Nu = c.userFeatures?.numeric.length ?? 0;
  const textTable = floats(T * c.textDim).fill(0, 0, c.textDim);
  const events = 1 + Math.floor(rand() * N);
  const x: InputArrays = {
    B, textTable, textRows: T,
    itemId: ints(B, c.idBuckets), itemText: ints(B, T), itemCat: ints(B * Fi, c.sparseBuckets), itemNum: floats(B * Ni),
    queryId: Int32Array.of(1 + Math.floor(rand() * (c.idBuckets - 1))), queryText: ints(1, T), ctxCat: ints(Fe, c.sparseBuckets), ctxNum: floats(Ne),
    userCat: ints(Fu, c.sparseBuckets), userNum: floats(Nu),
    domain: ints(B, c.maxDomains),
    histId: ints(N, c.idBuckets), histText: ints(N, T), histDomain: ints(N, c.maxDomains), histAction: ints(N, c.actions.length),
    histMask: Float32Array.from({ length: N }, (_, i) => (i < events ? 1 : 0)),
    itemIdKnown: flags(B), queryIdKnown: flags(1), histIdKnown: flags(N),
    ...(historyFeaturesOn(c) ? { histCat: ints(N * Fi, c.sparseBuckets), histNum: floats(N * Ni) } : { histCat: new Int32Array(0), histNum: new Float32Array(0) }),
  };
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice();
  const fused = await FusedRanker.create(device, c, weights);
  try {
    const a = await fused.run(x);
    if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
    const params = new Map([...weights].map(([k, v]) => [k, tf.variable(tf.tensor(v, paramSpecs(c).find((s) => s.name === k)!.shape))]));
    const inputs = inputTensors(c, x);
    const [ctr, rel, w] = tf.tidy(() => {
      const out = rankerForward(params, c, inputs);
      return [tf.sigmoid(out.ctrLogit), tf.sigmoid(out.relLogit), out.itemWeights];
    });
    const b = { ctr: ctr.dataSync(), rel: rel.dataSync(), weights: w.dataSync() };
    // With history features: how far the logits move when every event's features read as missing
    // (so that a kernel which ignored them could not pass).
    let histShift = 0;
    if (historyFeaturesOn(c)) {
      const blank = { ...inputs, histCat: tf.zerosLike(inputs.histCat!), histNum: tf.zerosLike(inputs.histNum!) };
      // On the logits: a sigmoid of random weights' scores is often saturated.
      // Both towers' (a random tower can be all but dead on its ReLUs).
      const [base, other] = tf.tidy(() => {
        const [x, y] = [rankerForward(params, c, inputs), rankerForward(params, c, blank)];
        return [tf.concat([x.ctrLogit, x.relLogit]), tf.concat([y.ctrLogit, y.relLogit])];
      });
      const [l, o] = [base.dataSync(), other.dataSync()];
      for (let i = 0; i < 2 * B; i++) histShift = Math.max(histShift, Math.abs(o[i] - l[i]));
      tf.dispose([base, other, blank.histCat, blank.histNum]);
    }
    // With history-match features: how far the CTR logits move when the two columns read 0.
    // (With --match-features, sameShift: how far they move when only the last, ~same, reads 0.)
    const shiftWhenZero = (from: number) => {
      const zeroed = Float32Array.from(x.itemNum, (v, i) => (i % Ni >= from ? 0 : v));
      const blank = { ...inputs, itemNum: tf.tensor2d(zeroed, [B, Ni]) };
      const [l, o] = tf.tidy(() => [rankerForward(params, c, inputs).ctrLogit.dataSync(), rankerForward(params, c, blank).ctrLogit.dataSync()]);
      blank.itemNum.dispose();
      let shift = 0;
      for (let i = 0; i < B; i++) shift = Math.max(shift, Math.abs(o[i] - l[i]));
      return shift;
    };
    const M = matchColumns(c);
    const matchShift = M ? shiftWhenZero(Ni - M) : 0;
    const sameShift = c.matchFeatures && M ? shiftWhenZero(Ni - 1) : 0;
    tf.dispose([ctr, rel, w, ...Object.values(inputs), ...params.values()]);
    let maxScore = 0;
    for (let i = 0; i < B; i++) maxScore = Math.max(maxScore, Math.abs(a.ctr[i] - b.ctr[i]), Math.abs(a.rel[i] - b.rel[i]));
    let maxWeight = 0;
    for (let i = 0; i < a.weights.length; i++) maxWeight = Math.max(maxWeight, Math.abs(a.weights[i] - b.weights[i]));
    if (a.weights.length !== b.weights.length) maxWeight = Infinity;
    return { maxScore, maxWeight, aspects: itemAspects(new Map([...weights].map(([k]) => [k, undefined as never])), c).length, unknownShare: x.itemIdKnown.filter((k) => k === 0).length / B, histShift, matchShift, sameShift };
  } finally {
    fused.destroy();
  }
}
