/**
 * Unknown IDs (config.unknownIds 'mask'): the known set in the config, the time rule that builds
 * training samples (an item's ID counts only after its first click), and the network leaving an
 * unknown ID out: no gating weight, no say even as the only aspect, nothing added to a history.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSamples, firstSeen } from '../src/data/dataset.ts';
import { batchTensors, disposeBatch } from '../src/train/batches.ts';
import { historiesFrom } from '../src/data/histories.ts';
import { itemKey, queryKey } from '../src/features/history.ts';
import type { EventRow, ItemRow } from '../src/data/schema.ts';
import { encodeKnownIds, knownIdTest, withKnownIds } from '../src/model/known-ids.ts';
import { initParams } from '../src/model/params.ts';
import { rankerForward } from '../src/model/ranker.ts';
import { buildInputArrays } from '../src/features/inputs.ts';
import { textTable } from '../src/features/text-table.ts';
import { randomInputs, smallConfig } from './helpers/ranker-fixture.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ev = (line: number, o: Partial<EventRow>): EventRow => ({ user: 'u', ts: line, domain: 'a', item: 'x', label: 1, line, ...o });

describe('the known-ID set', () => {
  it('holds exactly the keys it was built from, and grows with withKnownIds', () => {
    const c = smallConfig({ unknownIds: 'mask', knownIds: encodeKnownIds([itemKey('a'), itemKey('b'), queryKey('coffee')]) });
    const known = knownIdTest(c);
    expect([itemKey('a'), itemKey('b'), queryKey(' Coffee '), itemKey('c'), itemKey('A')].map(known)).toEqual([true, true, true, false, false]);
    const grown = withKnownIds(c, [itemKey('c')]);
    expect([itemKey('a'), itemKey('c'), itemKey('d')].map(knownIdTest(grown))).toEqual([true, true, false]);
    expect(knownIdTest(c)(itemKey('c'))).toBe(false); // the original is unchanged
  });

  it('knows every ID in a model that reads hashed buckets (and in models saved before masking)', () => {
    expect(knownIdTest(smallConfig({ unknownIds: 'hash' }))(itemKey('anything'))).toBe(true);
    expect(knownIdTest(smallConfig({ unknownIds: undefined }))(itemKey('anything'))).toBe(true);
  });
});

describe('samples: an ID counts from its first click on', () => {
  it('masks an item\'s first click and the negatives drawn before it; the page\'s view for test samples', () => {
    const items = new Map<string, ItemRow>(['x', 'y', 'z'].map((id) => [id, { id, text: id }]));
    const train = [ev(1, { item: 'x' }), ev(2, { item: 'y', label: 0 }), ev(3, { item: 'y' }), ev(4, { item: 'x' }), ev(4, { item: 'y', label: 0, line: 0 })];
    const test = [ev(5, { item: 'y' }), ev(6, { item: 'z' })];
    const since = firstSeen(train);
    expect([...since]).toEqual([[itemKey('x'), 1], [itemKey('y'), 3]]);
    const config = smallConfig({ unknownIds: 'mask', knownIds: encodeKnownIds(since.keys()), historyLength: 4 });
    const ctx = { config, items, histories: historiesFrom([...train, ...test], items), textRow: () => 1, warmItems: new Set(['x', 'y']), knownSince: since };
    const s = buildSamples(train, ctx);
    // x's first click (ts 1) and y's negative at ts 2, before y was ever clicked, are unknown; from then on known.
    expect(Array.from(s.itemIdKnown)).toEqual([0, 0, 0, 1, 1]);
    const t = buildSamples(test, ctx);
    expect(Array.from(t.itemIdKnown)).toEqual([1, 0]); // z was never clicked in training
    // History at ts 6: x, y, x (known), then y at ts 5 (known: clicked in training).
    expect(Array.from(t.histIdKnown.subarray(t.histOf[1] * 4, t.histOf[1] * 4 + 4))).toEqual([1, 1, 1, 1]);
    // Without masking, every ID counts.
    const hashed = buildSamples(train, { ...ctx, config: { ...config, unknownIds: 'hash' } });
    expect(Array.from(hashed.itemIdKnown)).toEqual([1, 1, 1, 1, 1]);
  });

  it('training\'s ID dropouts hide known IDs only: the candidate\'s (idDropout) and each history event\'s (histIdDropout)', () => {
    const items = new Map<string, ItemRow>(['x', 'y', 'z'].map((id) => [id, { id, text: id }]));
    const train = [ev(1, { item: 'x' }), ev(2, { item: 'y' }), ev(3, { item: 'x' }), ev(4, { item: 'z' }), ev(5, { item: 'x' }), ev(5, { item: 'y', label: 0, line: 0 })];
    const since = firstSeen(train);
    const config = smallConfig({ unknownIds: 'mask', knownIds: encodeKnownIds(since.keys()), historyLength: 4 });
    const s = buildSamples(train, { config, items, histories: historiesFrom(train, items), textRow: () => 1, warmItems: new Set(), knownSince: since });
    const idx = [4, 5, 3];
    const read = (hideId?: (i: number) => boolean, hideHistId?: () => boolean) => {
      const b = batchTensors(s, idx, tf.zeros([2, 6]), config, undefined, hideId, hideHistId);
      const out = { item: Array.from(b.inputs.itemIdKnown!.dataSync()), hist: b.inputs.histIdKnown!.arraySync() };
      disposeBatch(b);
      return out;
    };
    const plain = read();
    // Samples 4 and 5 (ts 5) share one history, x, y, x, z (all known by then); sample 3 (ts 4) has x, y, x and a pad.
    expect(plain).toEqual({ item: [1, 1, 0], hist: [[1, 1, 1, 1], [1, 1, 1, 0]] });
    // Hiding every candidate hides the known ones; the unknown z stays unknown and no history changes.
    expect(read(() => true)).toEqual({ item: [0, 0, 0], hist: plain.hist });
    // Hiding every other history event it is asked about: only known events are asked, and only they turn 0.
    let k = 0;
    const hist = read(undefined, () => k++ % 2 === 0).hist;
    expect(hist).toEqual([[0, 1, 0, 1], [0, 1, 0, 0]]);
    expect(k).toBe(7);
  });

  it('gives the page the same flags for candidates, the query and the history', () => {
    const config = smallConfig({ unknownIds: 'mask', knownIds: encodeKnownIds([itemKey('x'), queryKey('tea')]) });
    const a = buildInputArrays(config, [{ id: 'x', text: 't' }, { id: 'new', text: 't' }], { domain: 'a', query: 'coffee' }, [{ item: 'new', domain: 'a', action: 'click', text: 't', ts: 1 }, { item: 'x', domain: 'a', action: 'click', text: 't', ts: 2 }], textTable(['t', 'coffee'], [new Float32Array(6), new Float32Array(6)], 6));
    expect(Array.from(a.itemIdKnown)).toEqual([1, 0]);
    expect(Array.from(a.queryIdKnown)).toEqual([0]);
    expect(Array.from(a.histIdKnown.subarray(0, 2))).toEqual([0, 1]);
  });
});

describe('the network with unknown IDs', () => {
  const scores = (c: ReturnType<typeof smallConfig>, x: ReturnType<typeof randomInputs>, seed = 3) =>
    tf.tidy(() => {
      const o = rankerForward(initParams(c, seed), c, x);
      return { ctr: o.ctrLogit.arraySync(), w: o.itemWeights.arraySync() };
    });

  for (const gating of ['mean', 'cls', 'domain'] as const) {
    it(`gives an unknown item's ID no gating weight (${gating} gating); the other aspects share it`, () => {
      const c = smallConfig({ gating, unknownIds: 'mask' });
      const x = { ...randomInputs(c, 6, 7), itemIdKnown: tf.tensor1d([1, 0, 1, 0, 1, 0]) };
      const { w } = scores(c, x);
      w.forEach((row, i) => {
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        if (i % 2) expect(row[0]).toBe(0);
        else expect(row[0]).toBeGreaterThan(0);
      });
      if (gating === 'mean') expect(w[1]).toEqual([0, 0.5, 0.5]);
    });
  }

  it('ranks an unknown item the same whatever bucket its ID hashes to, also when the ID is the only aspect', () => {
    for (const aspects of [['id', 'text', 'sparse'], ['id']] as const) {
      const c = smallConfig({ unknownIds: 'mask', aspects: [...aspects] });
      const x = randomInputs(c, 4, 9, 1, 1);
      const unknown = { ...x, itemIdKnown: tf.tensor1d([0, 0, 0, 0]), queryIdKnown: tf.tensor1d([0]), histIdKnown: tf.zeros([1, c.historyLength]) as tf.Tensor2D };
      const otherBuckets = { ...unknown, itemId: tf.tensor1d([5, 6, 7, 8], 'int32'), queryId: tf.tensor1d([9], 'int32'), histId: tf.fill([1, c.historyLength], 11, 'int32') as tf.Tensor2D };
      const a = scores(c, unknown).ctr;
      const b = scores(c, otherBuckets).ctr;
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
      // ...while a known ID's bucket does matter.
      const known = scores(c, { ...otherBuckets, itemIdKnown: tf.tensor1d([1, 1, 1, 1]) }).ctr;
      expect(known.some((v, i) => Math.abs(v - a[i]) > 1e-4)).toBe(true);
    }
  });
});
