import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsRegularizer, mmdRegularizer } from '../src/model/losses.ts';
import { initParams, paramSpecs } from '../src/model/params.ts';
import { itemAspects, rankerForward } from '../src/model/ranker.ts';
import { decodeRanker, encodeRanker } from '../src/model/serialize.ts';
import { ModelLoadError } from '../src/errors.ts';
import { installFastSegmentSum } from '../src/model/segment-sum.ts';
import { randomInputs, smallConfig } from './helpers/ranker-fixture.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const run = (c: ReturnType<typeof smallConfig>, p: ReturnType<typeof initParams>, x: ReturnType<typeof randomInputs>) =>
  tf.tidy(() => {
    const o = rankerForward(p, c, x);
    return { ctr: o.ctrLogit.arraySync(), rel: o.relLogit.arraySync(), w: o.itemWeights.arraySync(), xhat: o.xhat.shape };
  });

describe('the ranking network', () => {
  it('scores every candidate, with gating weights that sum to one', () => {
    const c = smallConfig();
    const p = initParams(c, 1);
    const out = run(c, p, randomInputs(c, 7, 1));
    expect(out.ctr).toHaveLength(7);
    expect(out.ctr.every(Number.isFinite)).toBe(true);
    expect(itemAspects(p, c)).toEqual(['id', 'text', 'sparse']);
    for (const row of out.w) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(out.xhat).toEqual([7, c.daDim]);
  });

  it('gives mean gating exactly 1/A, and drops an ablated aspect', () => {
    const c = smallConfig({ gating: 'mean', aspects: ['text', 'sparse'] });
    const p = initParams(c, 2);
    expect(p.has('emb.id')).toBe(false);
    const out = run(c, p, randomInputs(c, 3, 2));
    for (const row of out.w) expect(row).toEqual([0.5, 0.5]);
  });

  it('has the parameters of its aspects only', () => {
    const names = (aspects: ('id' | 'text' | 'sparse')[]) => paramSpecs(smallConfig({ aspects })).map((s) => s.name);
    const all = names(['id', 'text', 'sparse']);
    expect(all).toEqual(expect.arrayContaining(['emb.id', 'lm.w', 'emb.sparse', 'sparse.item.1.w', 'sparse.context.1.w']));
    expect(names(['text', 'sparse']).filter((n) => !all.includes(n) || n === 'emb.id')).toEqual([]);
    expect(names(['id', 'sparse']).filter((n) => n.startsWith('lm.'))).toEqual([]);
    expect(names(['id', 'text']).filter((n) => n.includes('sparse'))).toEqual([]);
  });

  it('computes the same scores for a shared user/query row as for that row repeated', () => {
    const c = smallConfig({ gating: 'cls' });
    const p = initParams(c, 3);
    const shared = randomInputs(c, 5, 3, 1, 1);
    const repeated = {
      ...shared,
      queryId: tf.tile(shared.queryId, [5]),
      queryText: tf.tile(shared.queryText, [5]),
      ctxCat: tf.tile(shared.ctxCat, [5, 1]),
      ctxNum: tf.tile(shared.ctxNum, [5, 1]),
      userIndex: tf.zeros([5], 'int32'),
    } as typeof shared;
    const a = run(c, p, shared);
    const b = run(c, p, repeated);
    a.ctr.forEach((v, i) => expect(v).toBeCloseTo(b.ctr[i], 5));
  });

  it('never fails on an ID bucket or domain row it has not seen, and ignores history padding', () => {
    const c = smallConfig();
    const p = initParams(c, 4);
    const x = randomInputs(c, 4, 4);
    const padded = { ...x, histId: tf.tensor2d(Array.from(x.histId.dataSync()).map((v, i) => (x.histMask.dataSync()[i] ? v : 63)), x.histId.shape, 'int32') };
    const a = run(c, p, x);
    const b = run(c, p, padded);
    a.ctr.forEach((v, i) => expect(v).toBeCloseTo(b.ctr[i], 5));
  });
});

describe('domain regularisers', () => {
  it('JS is zero for identical domain means and matches a hand computation for two domains', () => {
    const same = tf.tensor2d([[1, 2], [1, 2], [1, 2]]);
    expect(jsRegularizer(same, tf.tensor1d([1, 2, 2], 'int32'), 4).arraySync()).toBeCloseTo(0, 6);
    const x = tf.tensor2d([[0, 0], [2, 0]]);
    // p1 = softmax(0,0) = (.5,.5); p2 = softmax(2,0)
    const e = Math.exp(2);
    const p2 = [e / (e + 1), 1 / (e + 1)];
    const m = [(0.5 + p2[0]) / 2, (0.5 + p2[1]) / 2];
    const kl = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + ai * Math.log(ai / b[i]), 0);
    const want = (kl([0.5, 0.5], m) + kl(p2, m)) / 2;
    expect(jsRegularizer(x, tf.tensor1d([1, 3], 'int32'), 4).arraySync()).toBeCloseTo(want, 5);
  });
  it('MMD is zero for one domain, positive for two different ones', () => {
    const x = tf.tensor2d([[0, 0], [0, 1], [3, 3], [3, 4]]);
    expect(mmdRegularizer(x, tf.tensor1d([1, 1, 1, 1], 'int32'), 4).arraySync()).toBeCloseTo(0, 6);
    expect(mmdRegularizer(x, tf.tensor1d([1, 1, 2, 2], 'int32'), 4).arraySync()).toBeGreaterThan(0.1);
  });
  it('both have gradients (they train the domain-adaptive layer)', () => {
    const v = tf.variable(tf.tensor2d([[0, 0], [0, 1], [3, 3], [3, 4]]));
    const d = tf.tensor1d([1, 1, 2, 3], 'int32');
    for (const reg of [jsRegularizer, mmdRegularizer]) {
      const g = tf.variableGrads(() => reg(v as tf.Tensor2D, d, 4), [v]).grads[v.name];
      expect(g.shape).toEqual([4, 2]);
      expect(Array.from(g.dataSync()).some((x) => x !== 0)).toBe(true);
      expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    }
  });
});

describe('save and load', () => {
  it('round-trips every parameter exactly, and names what is wrong with a broken file', async () => {
    const c = smallConfig();
    const p = initParams(c, 5);
    const { json, weights } = await encodeRanker(p, c, { note: 'test' });
    const back = await decodeRanker(JSON.parse(JSON.stringify(json)), weights, 'm/');
    for (const s of paramSpecs(c)) expect(Array.from(back.params.get(s.name)!.dataSync())).toEqual(Array.from(p.get(s.name)!.dataSync()));
    expect(back.manifest.config).toEqual(c);

    const truncated = weights.slice(0, weights.length - 8);
    await expect(decodeRanker(json, truncated, 'm/')).rejects.toThrow(/m\/weights\.bin: checksum mismatch/);
    await expect(decodeRanker({ ...json, kindling: { ...json.kindling, schemaVersion: 99 } }, weights, 'm/')).rejects.toThrow(/m\/model\.json: schema version 99/);
    const wrongShape = { ...json.kindling, config: { ...c, hidden: 9 } };
    await expect(decodeRanker({ ...json, kindling: wrongShape }, weights, 'm/')).rejects.toThrow(ModelLoadError);
    await expect(decodeRanker({}, weights, 'm/')).rejects.toThrow(/not a Kindling ranker/);
  });
});

describe('the scatter-add UnsortedSegmentSum', () => {
  it('gives the same embedding gradient as the stock cpu kernel', async () => {
    const table = tf.variable(tf.randomNormal([50, 3], 0, 1, 'float32', 1));
    const idx = tf.tensor1d([3, 7, 3, 49, 0, 7, 7], 'int32');
    const w = tf.randomNormal([7, 3], 0, 1, 'float32', 2);
    const grad = () => tf.variableGrads(() => tf.sum(tf.mul(tf.gather(table, idx), w)), [table]).grads;
    const stock = await grad()[table.name].array();
    installFastSegmentSum('cpu');
    const fast = await grad()[table.name].array();
    expect(fast).toEqual(stock);
  });
});
