/**
 * History features (config.historyFeatures): each clicked item's features reach its history event,
 * encoded as the candidates' are, from the catalogue in training and from the recorded event in the
 * page; the network adds them through the item MLP, and a model without the switch ignores them.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSamples } from '../src/data/dataset.ts';
import { historiesFrom } from '../src/data/histories.ts';
import type { EventRow, ItemRow } from '../src/data/schema.ts';
import { validateEvent } from '../src/features/behaviour-event.ts';
import { encodeFeatures } from '../src/features/features.ts';
import { buildInputArrays, inputTensors } from '../src/features/inputs.ts';
import { textTable } from '../src/features/text-table.ts';
import { historyFeaturesOn } from '../src/model/config.ts';
import { disposeParams, initParams } from '../src/model/params.ts';
import { rankerForward } from '../src/model/ranker.ts';
import { batchTensors, disposeBatch } from '../src/train/batches.ts';
import { modelOverrides } from '../src/cli/train.ts';
import { configFromData } from '../src/node/pipeline.ts';
import { InputError } from '../src/errors.ts';
import { smallConfig } from './helpers/ranker-fixture.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ev = (line: number, o: Partial<EventRow>): EventRow => ({ user: 'u', ts: line, domain: 'a', item: 'x', label: 1, line, ...o });
const items = new Map<string, ItemRow>([
  ['x', { id: 'x', text: 'red pen', features: { cat: 'pens', price: 2 } }],
  ['y', { id: 'y', text: 'stapler', features: { cat: 'staplers' } }],
  ['z', { id: 'z', text: 'ink', features: { cat: 'ink', price: -1 } }],
]);
/** One row of encoded item features, as the candidates' are. */
function encoded(c: ReturnType<typeof smallConfig>, f: ItemRow['features']) {
  const cat = new Int32Array(c.itemFeatures.categorical.length);
  const num = new Float32Array(c.itemFeatures.numeric.length);
  encodeFeatures(c.itemFeatures, c.sparseBuckets, f, cat, 0, num, 0);
  return [...cat, ...num];
}

describe('history features in the samples', () => {
  // Clicks on x and y, a search, then a test request on z.
  const events = [ev(1, { item: 'x' }), ev(2, { item: 'y', query: 'staples' }), ev(3, { item: 'z' })];
  const ctx = (over: Partial<ReturnType<typeof smallConfig>>) => ({ config: smallConfig({ historyLength: 4, ...over }), items, histories: historiesFrom(events, items), textRow: () => 1, warmItems: new Set(['x', 'y']) });

  it("encode each clicked item's features in its event; a search's read as missing", () => {
    const c = ctx({ historyFeatures: true });
    const s = buildSamples([events[2]], c);
    const row = s.histOf[0];
    const Fi = 1;
    const Ni = 1;
    // History at ts 3: x (click), the search "staples" (ts 2), y (click at ts 2), padding.
    const at = (t: number) => [s.histCat[(row * 4 + t) * Fi], s.histNum[(row * 4 + t) * Ni]];
    const order = Array.from(s.histAction.subarray(row * 4, row * 4 + 3));
    const clicks = order.map((a, t) => [a, t]).filter(([a]) => a === c.config.actions.indexOf('click')).map(([, t]) => t);
    expect(clicks).toHaveLength(2);
    expect(at(clicks[0])).toEqual(encoded(c.config, items.get('x')!.features));
    expect(at(clicks[1])).toEqual(encoded(c.config, items.get('y')!.features));
    const search = order.findIndex((a) => a === c.config.actions.indexOf('search'));
    expect(at(search)).toEqual([0, 0]);
    expect(at(3)).toEqual([0, 0]); // padding
    expect(encoded(c.config, items.get('x')!.features)[0]).toBeGreaterThan(0); // not vacuous: a real bucket
  });

  it('hold nothing for a model without them (and for one without item features or the sparse aspect)', () => {
    const overs: Partial<ReturnType<typeof smallConfig>>[] = [{ historyFeatures: false }, { historyFeatures: undefined }, { historyFeatures: true, aspects: ['id', 'text'] }, { historyFeatures: true, itemFeatures: { categorical: [], numeric: [] } }];
    for (const over of overs) {
      const c = ctx(over);
      expect(historyFeaturesOn(c.config)).toBe(false);
      const s = buildSamples([events[2]], c);
      expect([s.histCat.length, s.histNum.length]).toEqual([0, 0]);
      const b = batchTensors(s, [0], tf.zeros([2, c.config.textDim]) as tf.Tensor2D, c.config);
      expect(b.inputs.histCat).toBeUndefined();
      disposeBatch(b);
    }
  });

  it('reach the batch as [users, N, F] tensors', () => {
    const c = ctx({ historyFeatures: true });
    const s = buildSamples(events, c);
    const table = tf.zeros([2, c.config.textDim]) as tf.Tensor2D;
    const b = batchTensors(s, [0, 1, 2], table, c.config);
    expect(b.inputs.histCat!.shape).toEqual([3, 4, 1]);
    expect(b.inputs.histNum!.shape).toEqual([3, 4, 1]);
    expect(Array.from(b.inputs.histCat!.dataSync())).toEqual(Array.from(s.histCat.subarray(0, 12)));
    disposeBatch(b);
    table.dispose();
  });
});

describe('history features in the network', () => {
  const c = smallConfig({ historyFeatures: true, historyLength: 3 });
  const texts = ['red pen', 'stapler', 'ink'];
  const table = textTable(texts, texts.map((t) => Float32Array.from({ length: c.textDim }, (_, k) => Math.sin(t.length + k))), c.textDim);
  const candidates = [{ id: 'z', text: 'ink', features: { cat: 'ink', price: -1 } }, { id: 'q', text: 'red pen' }];
  const history = (features?: Record<string, string | number>) => [{ item: 'x', domain: 'a', action: 'click' as const, text: 'red pen', ts: 1, ...(features ? { features } : {}) }];
  const scores = (config: typeof c, h: ReturnType<typeof history>) => {
    const params = initParams(config, 3);
    const x = inputTensors(config, buildInputArrays(config, candidates, { domain: 'a' }, h, table));
    const out = tf.tidy(() => Array.from(rankerForward(params, config, x).ctrLogit.dataSync()));
    tf.dispose(Object.values(x));
    disposeParams(params);
    return out;
  };

  it("move the scores with the recorded event's features, only in a model that reads them", () => {
    const a = scores(c, history({ cat: 'pens', price: 2 }));
    const b = scores(c, history({ cat: 'ink', price: 2 }));
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeGreaterThan(1e-6);
    const off = { ...c, historyFeatures: false };
    expect(scores(off, history({ cat: 'pens', price: 2 }))).toEqual(scores(off, history({ cat: 'ink' })));
  });

  it('page and training encode the same event alike', () => {
    const page = buildInputArrays(c, candidates, { domain: 'a' }, history({ cat: 'pens', price: 2 }), table);
    expect([page.histCat[0], page.histNum[0]]).toEqual(encoded(c, { cat: 'pens', price: 2 }));
    expect(Array.from(page.histCat.subarray(1))).toEqual([0, 0]); // padding
  });

  it('a model that reads them says so when they are missing', () => {
    const params = initParams(c, 3);
    const x = inputTensors(c, buildInputArrays(c, candidates, { domain: 'a' }, history(), table));
    delete x.histCat;
    expect(() => tf.tidy(() => rankerForward(params, c, x).ctrLogit)).toThrow(/histCat and histNum are missing/);
    tf.dispose(Object.values(x));
    disposeParams(params);
  });
});

describe("a behaviour event's features", () => {
  it('are kept as a plain object, and a bad one is named', () => {
    const e = validateEvent({ item: 'x', domain: 'a', action: 'click', features: { cat: 'pens', price: 2, bad: NaN } }, 5);
    expect(e.features).toEqual({ cat: 'pens', price: 2 });
    expect(Object.getPrototypeOf(e.features)).toBe(Object.prototype); // IndexedDB's structured clone keeps it
    expect(() => validateEvent({ item: 'x', domain: 'a', action: 'click', features: { cat: ['a'] } })).toThrow(InputError);
    expect(() => validateEvent({ item: 'x', domain: 'a', action: 'click', features: { cat: ['a'] } })).toThrow(/event\.features\.cat/);
    expect(() => validateEvent({ item: 'x', domain: 'a', action: 'click', features: 'pens' })).toThrow(/event\.features:/);
    // Bounded, since every event stores them: values kept whole or refused by name.
    expect(() => validateEvent({ item: 'x', domain: 'a', action: 'click', features: { cat: 'p'.repeat(1001) } })).toThrow(/event\.features\.cat: at most 1000 characters, got 1001/);
    expect(() => validateEvent({ item: 'x', domain: 'a', action: 'click', features: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, i])) })).toThrow(/event\.features: at most 64 features, got 65/);
    expect(validateEvent({ item: 'x', domain: 'a', action: 'click', features: { cat: 'p'.repeat(1000) } }).features!.cat).toHaveLength(1000);
  });
});

describe('the CLI switch', () => {
  it('sets the config either way, and not both at once', () => {
    expect(modelOverrides({ 'history-features': true }).historyFeatures).toBe(true);
    expect(modelOverrides({ 'no-history-features': true }).historyFeatures).toBe(false);
    expect(modelOverrides({}).historyFeatures).toBeUndefined();
    expect(() => modelOverrides({ 'history-features': true, 'no-history-features': true })).toThrow(/contradict/);
  });

  it('is on for a new model unless --no-history-features says otherwise; a saved config without it reads as off', () => {
    const enc = { id: 'test-enc', dim: 4 } as Parameters<typeof configFromData>[2];
    const train = [ev(1, { item: 'x' }), ev(2, { item: 'y' })];
    expect(historyFeaturesOn(configFromData(train, items, enc, modelOverrides({})))).toBe(true);
    expect(historyFeaturesOn(configFromData(train, items, enc, modelOverrides({ 'no-history-features': true })))).toBe(false);
    const { historyFeatures: _, ...saved } = configFromData(train, items, enc, {});
    expect(historyFeaturesOn(saved)).toBe(false);
  });
});

describe('record() keeps the features a candidate had', () => {
  it('fills a click without features from the last rerank, lets its own win, and leaves what does not fit', async () => {
    const { createRecommender } = await import('../src/node/index.ts');
    const rec = await createRecommender();
    try {
      const long = { cat: 'p'.repeat(1001) };
      await rec.rerank([{ id: 'a', text: 'red pen', features: { category: 'office', price: 2 } }, { id: 'b', text: 'ink' }, { id: 'c', text: 'glue', features: long }], { domain: 'cards' });
      await rec.record({ item: 'a', domain: 'cards', action: 'click', text: 'red pen', ts: 1 });
      await rec.record({ item: 'a', domain: 'cards', action: 'click', text: 'red pen', features: { category: 'mine' }, ts: 2 });
      await rec.record({ item: 'b', domain: 'cards', action: 'click', text: 'ink', ts: 3 });
      await rec.record({ item: 'c', domain: 'cards', action: 'click', text: 'glue', ts: 4 });
      await rec.record({ item: 'a', domain: 'cards', action: 'search', query: 'pens', ts: 5 });
      expect((await rec.history()).map((e) => e.features)).toEqual([{ category: 'office', price: 2 }, { category: 'mine' }, undefined, undefined, undefined]);
    } finally {
      await rec.dispose();
    }
  }, 120_000);
});

describe('SeenFeatures', () => {
  it('keeps the most recently ranked IDs up to its cap', async () => {
    const { SeenFeatures } = await import('../src/runtime/seen-features.ts');
    const s = new SeenFeatures(2);
    s.remember('a', { x: 1 });
    s.remember('b', { x: 2 });
    s.remember('a', { x: 3 }); // a is the newest now
    s.remember('c', { x: 4 }); // b goes
    s.remember('d', undefined); // nothing to keep
    expect([s.get('a'), s.get('b'), s.get('c'), s.size]).toEqual([{ x: 3 }, undefined, { x: 4 }, 2]);
  });
});
