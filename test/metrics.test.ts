import { describe, expect, it } from 'vitest';
import { auc, gauc, logloss, ndcgAt } from '../src/eval/metrics.ts';

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('metrics against hand-computed values', () => {
  it('AUC counts ordered pairs, ties as half', () => {
    // positives 0.35, 0.8; negatives 0.1, 0.4: pairs (0.35>0.1) (0.35<0.4) (0.8>0.1) (0.8>0.4) -> 3/4
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5, 0.5], [0, 1, 0])).toBeCloseTo(0.5, 12);
    expect(auc([0.2, 0.9], [1, 0])).toBe(0);
    expect(auc([0.2, 0.9], [1, 1])).toBeNaN();
  });
  it('GAUC weights each user by samples and skips one-class users', () => {
    const scores = [0.1, 0.9, 0.8, 0.2, 0.3, 0.5, 0.7];
    const labels = [0, 1, 0, 1, 1, 0, 1];
    const users = [0, 0, 1, 1, 1, 2, 2];
    // user0 AUC 1 (2 samples); user1: pos 0.2,0.3 vs neg 0.8 -> 0 (3 samples); user2 AUC 1 (2 samples)
    expect(gauc(scores, labels, users, all(7))).toBeCloseTo((1 * 2 + 0 * 3 + 1 * 2) / 7, 12);
  });
  it('NDCG@k with binary gains, per group', () => {
    // group 0: positive ranked 2nd of 3 -> 1/log2(3); group 1: positive first -> 1; group 2 no positive: skipped
    const v = ndcgAt(10, [0.9, 0.5, 0.1, 0.7, 0.2, 0.3], [0, 1, 0, 1, 0, 0], [0, 0, 0, 1, 1, 2], all(6));
    expect(v).toBeCloseTo((1 / Math.log2(3) + 1) / 2, 12);
    expect(ndcgAt(1, [0.9, 0.5], [0, 1], [0, 0], all(2))).toBe(0);
  });
  it('logloss', () => {
    expect(logloss([0.8, 0.3], [1, 0], all(2))).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(Number.isFinite(logloss([0, 1], [1, 0], all(2)))).toBe(true);
  });
});
