/**
 * Two baselines with no parameters, scored on the same test samples as the model so that every
 * reported model comes with them (eval.json's `baselines`):
 * - popularity: how often the item was clicked in the training split;
 * - text_cosine: cosine of the item's text vector with the mean vector of the user's last 10
 *   clicked items (the behaviour sequence the model reads), 0 without history.
 */
import type { Samples } from '../data/dataset.ts';
import { cosine } from '../util/vector.ts';

export const BASELINES = ['popularity', 'text_cosine'] as const;
export type Baseline = (typeof BASELINES)[number];

/** Items the user clicked that the text baseline averages. */
export const TEXT_BASELINE_HISTORY = 10;

/** Clicks per item in the training split, as a score for each test item. */
export function popularityScores(trainClicks: Iterable<string>, testItems: string[]): Float32Array {
  const counts = new Map<string, number>();
  for (const id of trainClicks) counts.set(id, (counts.get(id) ?? 0) + 1);
  return Float32Array.from(testItems, (id) => counts.get(id) ?? 0);
}

/**
 * `table` is the text table the samples' text rows point into ([T, dim], row-major); `clickAction`
 * the index of 'click' in the model's action vocabulary.
 */
export function textCosineScores(s: Samples, table: Float32Array, dim: number, historyLength: number, clickAction: number): Float32Array {
  const row = (r: number) => table.subarray(r * dim, (r + 1) * dim);
  const userVector = new Map<number, Float32Array>();
  const meanOf = (h: number): Float32Array => {
    let v = userVector.get(h);
    if (v) return v;
    v = new Float32Array(dim);
    const picked: number[] = [];
    for (let t = historyLength - 1; t >= 0 && picked.length < TEXT_BASELINE_HISTORY; t--) {
      const at = h * historyLength + t;
      if (s.histMask[at] && s.histAction[at] === clickAction) picked.push(s.histText[at]);
    }
    for (const r of picked) {
      const x = row(r);
      for (let j = 0; j < dim; j++) v[j] += x[j] / picked.length;
    }
    userVector.set(h, v);
    return v;
  };
  return Float32Array.from({ length: s.n }, (_, i) => cosine(row(s.itemText[i]), meanOf(s.histOf[i])));
}
