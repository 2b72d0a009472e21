/** A small ranker config and random inputs, for model tests. */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_RANKER, historyFeaturesOn, type RankerConfig } from '../../src/model/config.ts';
import { ACTION_ROWS } from '../../src/features/actions.ts';
import type { RankerInputs } from '../../src/model/ranker.ts';
import { mulberry32, randInt } from '../../src/util/random.ts';

export function smallConfig(over: Partial<RankerConfig> = {}): RankerConfig {
  return {
    ...DEFAULT_RANKER, actions: [...ACTION_ROWS],
    hidden: 8,
    textDim: 6,
    encoderId: 'test@0',
    idBuckets: 64,
    sparseBuckets: 32,
    sparseDim: 4,
    historyLength: 5,
    maxDomains: 4,
    daDim: 12,
    experts: 3,
    expertDim: 8,
    towerDim: 4,
    itemFeatures: { categorical: ['cat'], numeric: [{ name: 'price', mean: 0, std: 1 }] },
    contextFeatures: { categorical: [], numeric: [{ name: 'position', mean: 0, std: 1 }] },
    domains: ['(generic)', 'a', 'b'],
    ...over,
  };
}

/** B candidates, with Bu user rows (1 = shared) and Bq query rows. */
export function randomInputs(c: RankerConfig, B: number, seed: number, Bu = B, Bq = B): RankerInputs {
  const r = mulberry32(seed);
  const N = c.historyLength;
  const T = 10;
  const Fi = c.itemFeatures.categorical.length, Ni = c.itemFeatures.numeric.length;
  const ints = (n: number, max: number) => Int32Array.from({ length: n }, () => randInt(r, max));
  const floats = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
  const mask = Float32Array.from({ length: Bu * N }, (_, i) => (i % N < 1 + (Math.floor(i / N) % N) ? 1 : 0));
  const table = floats(T * c.textDim);
  table.fill(0, 0, c.textDim);
  return {
    textTable: tf.tensor2d(table, [T, c.textDim]),
    itemId: tf.tensor1d(ints(B, c.idBuckets), 'int32'),
    itemText: tf.tensor1d(ints(B, T), 'int32'),
    itemCat: tf.tensor2d(ints(B * c.itemFeatures.categorical.length, c.sparseBuckets), [B, c.itemFeatures.categorical.length], 'int32'),
    itemNum: tf.tensor2d(floats(B * c.itemFeatures.numeric.length), [B, c.itemFeatures.numeric.length]),
    queryId: tf.tensor1d(ints(Bq, c.idBuckets), 'int32'),
    queryText: tf.tensor1d(ints(Bq, T), 'int32'),
    ctxCat: tf.tensor2d(ints(Bq * c.contextFeatures.categorical.length, c.sparseBuckets), [Bq, c.contextFeatures.categorical.length], 'int32'),
    ctxNum: tf.tensor2d(floats(Bq * c.contextFeatures.numeric.length), [Bq, c.contextFeatures.numeric.length]),
    domain: tf.tensor1d(ints(B, c.domains.length), 'int32'),
    histId: tf.tensor2d(ints(Bu * N, c.idBuckets), [Bu, N], 'int32'),
    histText: tf.tensor2d(ints(Bu * N, T), [Bu, N], 'int32'),
    histDomain: tf.tensor2d(ints(Bu * N, c.domains.length), [Bu, N], 'int32'),
    histAction: tf.tensor2d(ints(Bu * N, c.actions.length), [Bu, N], 'int32'),
    histMask: tf.tensor2d(mask, [Bu, N]),
    // Drawn last, so that a config without history features gets the same other inputs as before.
    ...(historyFeaturesOn(c) ? {
      histCat: tf.tensor3d(ints(Bu * N * Fi, c.sparseBuckets), [Bu, N, Fi], 'int32'),
      histNum: tf.tensor3d(floats(Bu * N * Ni), [Bu, N, Ni]),
    } : {}),
  };
}
