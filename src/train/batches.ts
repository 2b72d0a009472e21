/** Cuts a batch out of the flat sample arrays and makes the model's input tensors. */
import * as tf from '@tensorflow/tfjs';
import type { Samples } from '../data/dataset.ts';
import { featureCounts, historyFeaturesOn, type RankerConfig } from '../model/config.ts';
import type { Targets } from '../model/losses.ts';
import type { RankerInputs } from '../model/ranker.ts';

function pick<T extends Int32Array | Float32Array>(src: T, idx: ArrayLike<number>, width: number): T {
  const out = new (src.constructor as new (n: number) => T)(idx.length * width);
  for (let r = 0; r < idx.length; r++) out.set(src.subarray(idx[r] * width, (idx[r] + 1) * width), r * width);
  return out;
}

/**
 * `textTable` is the whole table the samples' text rows point into (kept, not disposed here).
 * `hideDomain` (training only) shows these rows as the generic domain 0, so that row of the
 * domain tables learns to serve a scenario the model has never seen; `hideId` (training only,
 * config.idDropout) shows these rows' items as unknown, as DropoutNet drops a known item's ID;
 * `hideHistId` (training only, config.histIdDropout) does the same for one history event.
 */
export function batchTensors(s: Samples, idx: ArrayLike<number>, textTable: tf.Tensor2D, c: RankerConfig, hideDomain?: (i: number) => boolean, hideId?: (i: number) => boolean, hideHistId?: () => boolean): { inputs: RankerInputs; targets: Targets } {
  const B = idx.length;
  const N = c.historyLength;
  const { Fi, Ni, Fe, Ne, Fu, Nu } = featureCounts(c);
  // The user tower runs once per distinct history in the batch (a request's candidates share one).
  const local = new Map<number, number>();
  const userIndex = new Int32Array(B);
  for (let r = 0; r < B; r++) {
    const h = s.histOf[idx[r]];
    if (!local.has(h)) local.set(h, local.size);
    userIndex[r] = local.get(h)!;
  }
  const hrows = [...local.keys()];
  const Bu = hrows.length;
  const domain = pick(s.domain, idx, 1);
  const shown = hideDomain ? domain.map((d, i) => (hideDomain(i) ? 0 : d)) : domain;
  const inputs: RankerInputs = {
    textTable,
    itemId: tf.tensor1d(pick(s.itemId, idx, 1), 'int32'),
    itemText: tf.tensor1d(pick(s.itemText, idx, 1), 'int32'),
    itemCat: tf.tensor2d(pick(s.itemCat, idx, Fi), [B, Fi], 'int32'),
    itemNum: tf.tensor2d(pick(s.itemNum, idx, Ni), [B, Ni]),
    queryId: tf.tensor1d(pick(s.queryId, idx, 1), 'int32'),
    queryText: tf.tensor1d(pick(s.queryText, idx, 1), 'int32'),
    ctxCat: tf.tensor2d(pick(s.ctxCat, idx, Fe), [B, Fe], 'int32'),
    ctxNum: tf.tensor2d(pick(s.ctxNum, idx, Ne), [B, Ne]),
    domain: tf.tensor1d(shown, 'int32'),
    histId: tf.tensor2d(pick(s.histId, hrows, N), [Bu, N], 'int32'),
    histText: tf.tensor2d(pick(s.histText, hrows, N), [Bu, N], 'int32'),
    histDomain: tf.tensor2d(pick(s.histDomain, hrows, N), [Bu, N], 'int32'),
    histAction: tf.tensor2d(pick(s.histAction, hrows, N), [Bu, N], 'int32'),
    histMask: tf.tensor2d(pick(s.histMask, hrows, N), [Bu, N]),
    userIndex: tf.tensor1d(userIndex, 'int32'),
  };
  if (c.unknownIds === 'mask') {
    const known = pick(s.itemIdKnown, idx, 1);
    inputs.itemIdKnown = tf.tensor1d(hideId ? known.map((k, i) => (hideId(i) ? 0 : k)) : known);
    inputs.queryIdKnown = tf.tensor1d(pick(s.queryIdKnown, idx, 1));
    const histKnown = pick(s.histIdKnown, hrows, N);
    inputs.histIdKnown = tf.tensor2d(hideHistId ? histKnown.map((k) => (k && hideHistId() ? 0 : k)) : histKnown, [Bu, N]);
  }
  if (historyFeaturesOn(c)) {
    inputs.histCat = tf.tensor3d(pick(s.histCat, hrows, N * Fi), [Bu, N, Fi], 'int32');
    inputs.histNum = tf.tensor3d(pick(s.histNum, hrows, N * Ni), [Bu, N, Ni]);
  }
  if (Fu || Nu) {
    inputs.userCat = tf.tensor2d(pick(s.userCat, hrows, Fu), [Bu, Fu], 'int32');
    inputs.userNum = tf.tensor2d(pick(s.userNum, hrows, Nu), [Bu, Nu]);
  }
  const targets: Targets = {
    label: tf.tensor1d(pick(s.label, idx, 1)),
    relevance: tf.tensor1d(pick(s.relevance, idx, 1)),
    relMask: tf.tensor1d(pick(s.relMask, idx, 1)),
    domain: tf.tensor1d(domain, 'int32'),
  };
  return { inputs, targets };
}

export function disposeBatch(b: { inputs: RankerInputs; targets: Targets }) {
  const { textTable, ...own } = b.inputs;
  void textTable;
  tf.dispose([...Object.values(own), ...Object.values(b.targets)]);
}

/** Sample order for an epoch: whole requests (groups) shuffled, so a batch shares histories. */
export function groupedOrder(s: Samples, rand: () => number): number[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < s.n; i++) {
    const g = groups.get(s.group[i]);
    if (g) g.push(i);
    else groups.set(s.group[i], [i]);
  }
  const list = [...groups.values()];
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list.flat();
}
