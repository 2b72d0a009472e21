/**
 * History-match features (config.historyMatch): `~repeat` and `~covisit` for each candidate, from
 * the behaviour sequence and the co-visitation table the config ships; the same numbers in training
 * (less the sample's own user) and in the page; kept apart from a caller's features; a corrupt table
 * named when the model is read.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSamples } from '../src/data/dataset.ts';
import { historiesFrom } from '../src/data/histories.ts';
import { parseItem, type EventRow, type ItemRow } from '../src/data/schema.ts';
import { TrainStats } from '../src/data/train-stats.ts';
import { itemKey } from '../src/features/history.ts';
import { buildInputArrays } from '../src/features/inputs.ts';
import { textTable } from '../src/features/text-table.ts';
import { checkHistoryMatch, COVISIT_NEIGHBOURS, encodeCovisits, HISTORY_MATCH_FEATURES, historyMatchOn, matchFeatureNames, mergeCovisits, SAME_FEATURE, withCovisitsAdded, withHistoryMatch, writeHistoryMatch } from '../src/model/history-match.ts';
import { modelOverrides } from '../src/cli/train.ts';
import { configFromData } from '../src/node/pipeline.ts';
import { ConfigError, DataError } from '../src/errors.ts';
import { smallConfig } from './helpers/ranker-fixture.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const k = itemKey;
let line = 0;
const click = (user: string, ts: number, item: string): EventRow => ({ user, ts, domain: 'a', item, label: 1, line: ++line });
const items = new Map<string, ItemRow>(['a', 'b', 'c', 'd'].map((id) => [id, { id, text: `item ${id}`, features: { cat: id, price: 1 } }]));

// Training: u1 clicked a, b; u2 clicked a, b, c (b twice); u3 clicked c, d.
const train = [click('u1', 1, 'a'), click('u1', 2, 'b'), click('u2', 3, 'a'), click('u2', 4, 'b'), click('u2', 5, 'c'), click('u2', 6, 'b'), click('u3', 7, 'c'), click('u3', 8, 'd')];
const config = withHistoryMatch(smallConfig({ historyMatch: true, historyLength: 4 }), TrainStats.of(train, { clicks: true }).clicks.values());
const cols = () => HISTORY_MATCH_FEATURES.map((n) => config.itemFeatures.numeric.findIndex((f) => f.name === n));
/** A candidate's [~repeat, ~covisit] for these history keys. */
function match(history: string[], candidate: string, own?: Set<string>) {
  const num = new Float32Array(config.itemFeatures.numeric.length);
  writeHistoryMatch(config, history, candidate, num, 0, own);
  return cols().map((j) => num[j]);
}

describe('the co-visitation table and the two features', () => {
  it('counts each user once per pair and sums over the history; a repeat is marked, not counted', () => {
    expect(config.itemFeatures.numeric.map((f) => f.name)).toEqual(['price', ...HISTORY_MATCH_FEATURES]);
    expect(historyMatchOn(config)).toBe(true);
    // c(a,b) = 2 (u1, u2), c(a,c) = 1, c(b,c) = 1, c(c,d) = 1, c(a,d) = 0.
    expect(match([k('a')], k('b'))).toEqual([0, Math.fround(Math.log1p(2))]);
    expect(match([k('a'), k('b')], k('c'))).toEqual([0, Math.fround(Math.log1p(2))]);
    expect(match([k('a')], k('d'))).toEqual([0, 0]);
    expect(match([k('c'), k('a')], k('a'))).toEqual([1, Math.fround(Math.log1p(1))]);
    expect(match([], k('a'))).toEqual([0, 0]);
  });

  it("keeps the training users' clicks only when asked (they grow with the (user, item) clicks, not the catalogue)", () => {
    const plain = TrainStats.of(train);
    expect(() => plain.clicks).toThrow(/clicks were not kept/);
    expect(plain.items.size).toBe(4);
    const kept = TrainStats.of(train, { clicks: true }).clicks;
    expect([...kept].map(([u, s]) => [u, [...s]])).toEqual([['u1', [k('a'), k('b')]], ['u2', [k('a'), k('b'), k('c')]], ['u3', [k('c'), k('d')]]]);
  });

  it("leaves the sample's own user out of the pairs it made (training)", () => {
    // u2 clicked a and b: its own pair comes off c(a,b); u1's does not.
    expect(match([k('a')], k('b'), new Set([k('a'), k('b'), k('c')]))).toEqual([0, Math.fround(Math.log1p(1))]);
    // A pair the user did not make keeps its count; the count never goes below zero.
    expect(match([k('a')], k('d'), new Set([k('a'), k('d')]))).toEqual([0, 0]);
    expect(match([k('c')], k('d'), new Set([k('b')]))).toEqual([0, Math.fround(Math.log1p(1))]);
  });

  it('keeps each item its strongest partners, and a fine-tune adds its counts to the foundation\'s', () => {
    // Item h co-visited with 3 items, twice with p1, once with p2 and p3: with 1 neighbour each, h keeps p1,
    // and p2, p3 keep their pair with h (a pair stays when either side keeps it).
    const users = [[k('h'), k('p1')], [k('h'), k('p1')], [k('h'), k('p2')], [k('h'), k('p3')], [k('p2'), k('q')], [k('p2'), k('q')]];
    const capped = withHistoryMatch(smallConfig({ historyMatch: true }), []);
    const read = (table: string, h: string, cand: string) => {
      const c = { ...capped, covisits: table };
      const num = new Float32Array(c.itemFeatures.numeric.length);
      writeHistoryMatch(c, [h], cand, num, 0);
      return Math.round(Math.expm1(num[c.itemFeatures.numeric.length - 1]));
    };
    const one = encodeCovisits(users, 1);
    expect([read(one, k('h'), k('p1')), read(one, k('h'), k('p2')), read(one, k('p2'), k('q')), read(one, k('h'), k('p3'))]).toEqual([2, 0, 2, 1]);
    const all = encodeCovisits(users);
    expect(read(all, k('h'), k('p2'))).toBe(1);
    expect(COVISIT_NEIGHBOURS).toBeGreaterThan(1);
    // The table does not depend on the order users come in.
    expect(encodeCovisits([...users].reverse())).toBe(all);
    const merged = mergeCovisits(all, encodeCovisits([[k('h'), k('p1')], [k('x'), k('y')]]));
    expect([read(merged, k('h'), k('p1')), read(merged, k('x'), k('y')), read(merged, k('p2'), k('q'))]).toEqual([3, 1, 2]);
    const ft = withCovisitsAdded({ ...capped, covisits: all }, () => [[k('h'), k('p1')]]);
    expect(read(ft.covisits!, k('h'), k('p1'))).toBe(3);
    // A model without the features is left as it is.
    const off = smallConfig();
    expect(withCovisitsAdded(off, () => { throw new Error('not asked for'); })).toBe(off);
  });
});

describe('training samples and the page', () => {
  const later = [click('u1', 10, 'c'), click('u1', 11, 'd')];
  const all = [...train, ...later];
  const ctx = { config, items, histories: historiesFrom(all, items), textRow: () => 1, warmItems: new Set(['a', 'b', 'c', 'd']) };
  const asSample = (e: EventRow, candidate: string): EventRow => ({ ...e, item: candidate, label: 0, line: 0 });
  const row = (num: Float32Array, i: number) => cols().map((j) => num[i * config.itemFeatures.numeric.length + j]);

  it('compute the same numbers: a test sample (no one left out) as the page does for the same history', () => {
    const e = later[1]; // u1 at ts 11: history a, b (training), c (ts 10)
    const events = ['a', 'b', 'c', 'd'].map((id) => asSample(e, id));
    const s = buildSamples(events, ctx);
    const history = [{ item: 'a', ts: 1 }, { item: 'b', ts: 2 }, { item: 'c', ts: 10 }].map((h) => ({ ...h, domain: 'a', action: 'click' as const, text: `item ${h.item}` }));
    const texts = ['item a', 'item b', 'item c', 'item d'];
    const table = textTable(texts, texts.map(() => new Float32Array(config.textDim)), config.textDim);
    const page = buildInputArrays(config, ['a', 'b', 'c', 'd'].map((id) => ({ id, text: `item ${id}`, features: { cat: id, price: 1 } })), { domain: 'a' }, history, table);
    for (let i = 0; i < 4; i++) expect(row(page.itemNum, i)).toEqual(row(s.itemNum, i));
    // a: repeat, c(b,a) + c(c,a) = 2 + 1; d: c(c,d) = 1; the price column is the item's own.
    expect(row(s.itemNum, 0)).toEqual([1, Math.fround(Math.log1p(3))]);
    expect(row(s.itemNum, 3)).toEqual([0, Math.fround(Math.log1p(1))]);
    expect(s.itemNum[0]).toBe(1);
  });

  it("leave the sample's user out in training, and read only the window the model reads", () => {
    const e = click('u2', 7.5, 'x');
    const leaveOut = TrainStats.of(train, { clicks: true }).clicks;
    const s = buildSamples([asSample(e, 'b')], { ...ctx, leaveOut });
    // u2 before 7.5: a, b, c, b. For b: repeat; c(a,b) = 2 less u2's = 1, c(c,b) = 1 less u2's = 0.
    expect(row(s.itemNum, 0)).toEqual([1, Math.fround(Math.log1p(1))]);
    const narrow = { ...ctx, config: { ...config, historyLength: 1 } };
    // Window of 1: only the last click (b) counts: b is a repeat, nothing co-visited with itself.
    const t = buildSamples([asSample(e, 'b')], narrow);
    expect(row(t.itemNum, 0)).toEqual([1, 0]);
  });

  it("never read a caller's '~' feature: the data refuses it, the page's is ignored", () => {
    const raw = JSON.stringify({ id: 'a', text: 't', features: { '~repeat': 1 } });
    expect(() => parseItem('items.jsonl', 3, raw)).toThrow(DataError);
    expect(() => parseItem('items.jsonl', 3, raw)).toThrow(/items\.jsonl:3: features\.~repeat: names starting with '~'/);
    const texts = ['item a'];
    const table = textTable(texts, [new Float32Array(config.textDim)], config.textDim);
    const page = buildInputArrays(config, [{ id: 'a', text: 'item a', features: { '~repeat': 7, '~covisit': 7 } }], { domain: 'a' }, [], table);
    expect(row(page.itemNum, 0)).toEqual([0, 0]);
  });
});

describe('the switch and the model file', () => {
  const enc = { id: 'test-enc', dim: 4 } as Parameters<typeof configFromData>[2];
  it('is off unless --history-match asks; it needs the sparse aspect', () => {
    expect(modelOverrides({ 'history-match': true }).historyMatch).toBe(true);
    expect(historyMatchOn(configFromData(train, items, enc, modelOverrides({})))).toBe(false);
    const on = configFromData(train, items, enc, modelOverrides({ 'history-match': true }));
    expect(historyMatchOn(on)).toBe(true);
    expect(on.itemFeatures.numeric.map((f) => f.name)).toEqual(['price', ...HISTORY_MATCH_FEATURES]);
    expect(on.covisits).toBe(config.covisits);
    expect(() => configFromData(train, items, enc, modelOverrides({ 'history-match': true, 'no-sparse': true }))).toThrow(ConfigError);
  });

  it('--covisit-min N ships only the pairs N users or more made (a pair counted once is one user\'s two clicks)', () => {
    expect(modelOverrides({ 'history-match': true, 'covisit-min': '2' }).covisitMin).toBe(2);
    expect(() => modelOverrides({ 'covisit-min': '2' })).toThrow(/--covisit-min: only with --history-match/);
    expect(() => modelOverrides({ 'history-match': true, 'covisit-min': '0' })).toThrow(/--covisit-min/);
    const two = configFromData(train, items, enc, modelOverrides({ 'history-match': true, 'covisit-min': '2' }));
    // Only c(a,b) = 2 survives: a and b co-visit, a and c (1 user) no longer do.
    const read = (c: typeof two, h: string, cand: string) => {
      const num = new Float32Array(c.itemFeatures.numeric.length);
      writeHistoryMatch(c, [k(h)], k(cand), num, 0);
      return Math.round(Math.expm1(num[c.itemFeatures.numeric.length - 1]));
    };
    expect([read(two, 'a', 'b'), read(two, 'a', 'c'), read(two, 'c', 'd')]).toEqual([2, 0, 0]);
    expect(atob(two.covisits!).length).toBe(12);
    // A fine-tune keeps its foundation's rule for the pairs it adds.
    expect(atob(withCovisitsAdded(two, () => [[k('x'), k('y')]]).covisits!).length).toBe(12);
    expect(atob(withCovisitsAdded(two, () => [[k('x'), k('y')], [k('x'), k('y')]]).covisits!).length).toBe(24);
  });

  it('names a corrupt or missing table, and a config without the columns', () => {
    expect(() => checkHistoryMatch(config)).not.toThrow();
    expect(() => checkHistoryMatch({ ...config, covisits: 'not base64!' })).toThrow(/config\.covisits: not a co-visitation table/);
    expect(() => checkHistoryMatch({ ...config, covisits: btoa('12345') })).toThrow(/config\.covisits: not a co-visitation table \(covisits: 5 bytes/);
    expect(() => checkHistoryMatch({ ...config, covisits: undefined })).toThrow(/config\.covisits: missing/);
    expect(() => checkHistoryMatch({ ...config, itemFeatures: smallConfig().itemFeatures })).toThrow(/config\.itemFeatures: a model with historyMatch ends its numeric item features with ~repeat and ~covisit/);
  });
});

describe("~same (--match-features): the candidate's categories matched against the history's clicks", () => {
  const enc = { id: 'test-enc', dim: 4 } as Parameters<typeof configFromData>[2];
  // Two categorical features: a cluster (x for a, b, n; y for c, d) and a brand (p for a and n); n is never clicked in training.
  const feats: Record<string, { cluster: string; brand?: string; price: number }> = { a: { cluster: 'x', brand: 'p', price: 1 }, b: { cluster: 'x', price: 2 }, c: { cluster: 'y', price: 1 }, d: { cluster: 'y', brand: 'q', price: 1 }, n: { cluster: 'x', brand: 'p', price: 3 } };
  const catalogue = new Map<string, ItemRow>(Object.entries(feats).map(([id, features]) => [id, { id, text: `item ${id}`, features }]));
  const on = configFromData(train, catalogue, enc, modelOverrides({ 'history-match': true, 'match-features': true }));
  const col = (c: typeof on) => c.itemFeatures.numeric.findIndex((f) => f.name === SAME_FEATURE);

  it('is a third history-match column, after ~repeat and ~covisit, only when asked', () => {
    expect(matchFeatureNames(on)).toEqual([...HISTORY_MATCH_FEATURES, SAME_FEATURE]);
    expect(on.itemFeatures.numeric.map((f) => f.name)).toEqual(['price', ...HISTORY_MATCH_FEATURES, SAME_FEATURE]);
    expect(on.itemFeatures.categorical).toEqual(['brand', 'cluster']);
    const off = configFromData(train, catalogue, enc, modelOverrides({ 'history-match': true }));
    expect(col(off)).toBe(-1);
    expect(() => checkHistoryMatch(on)).not.toThrow();
    // A file whose columns end otherwise is named.
    expect(() => checkHistoryMatch({ ...on, itemFeatures: off.itemFeatures })).toThrow(/ends its numeric item features with ~repeat, ~covisit and ~same/);
  });

  it('counts the (other clicked item, feature) pairs that share the candidate\'s value: a new item has it too', () => {
    const write = (history: string[], cand: string) => {
      const num = new Float32Array(on.itemFeatures.numeric.length);
      writeHistoryMatch(on, history.map(k), k(cand), num, 0, undefined, { history: history.map((h) => catalogue.get(h)!.features), candidate: catalogue.get(cand)!.features });
      return Math.round(Math.expm1(num[col(on)]));
    };
    // n (new): a shares cluster x and brand p (2), b shares cluster x (1), c and d nothing.
    expect(write(['a', 'b', 'c', 'd'], 'n')).toBe(3);
    // a itself is a repeat, not a match; b shares its cluster.
    expect(write(['a', 'b'], 'a')).toBe(1);
    // d: c shares cluster y; a brand that differs (q against p) or is missing does not count.
    expect(write(['a', 'c'], 'd')).toBe(1);
    expect(write([], 'n')).toBe(0);
    // Without the features of the history, the number cannot be computed: an error, not a silent 0.
    expect(() => writeHistoryMatch(on, [k('a')], k('n'), new Float32Array(on.itemFeatures.numeric.length), 0)).toThrow(/matchFeatures needs the features/);
  });

  it('training samples and the page compute the same numbers', () => {
    const later = [click('u1', 10, 'c'), click('u1', 11, 'd')];
    const ctx = { config: on, items: catalogue, histories: historiesFrom([...train, ...later], catalogue), textRow: () => 1, warmItems: new Set(['a', 'b', 'c', 'd']) };
    const e = later[1]; // u1 at ts 11: history a, b, c
    const ids = ['a', 'b', 'c', 'd', 'n'];
    const s = buildSamples(ids.map((id) => ({ ...e, item: id, label: 0, line: 0 })), ctx);
    const history = [{ item: 'a', ts: 1 }, { item: 'b', ts: 2 }, { item: 'c', ts: 10 }].map((h) => ({ ...h, domain: 'a', action: 'click' as const, text: `item ${h.item}`, features: catalogue.get(h.item)!.features }));
    const texts = ids.map((id) => `item ${id}`);
    const table = textTable(texts, texts.map(() => new Float32Array(on.textDim)), on.textDim);
    const page = buildInputArrays(on, ids.map((id) => ({ id, text: `item ${id}`, features: catalogue.get(id)!.features })), { domain: 'a' }, history, table);
    const Ni = on.itemFeatures.numeric.length;
    const same = (num: Float32Array) => ids.map((_, i) => Math.round(Math.expm1(num[i * Ni + col(on)])));
    expect(same(page.itemNum)).toEqual(same(s.itemNum));
    // a: b (cluster) = 1; b: a (cluster) = 1; c: none; d: c (cluster) = 1; n: a (2) + b (1) = 3.
    expect(same(s.itemNum)).toEqual([1, 1, 0, 1, 3]);
    expect([...page.itemNum]).toEqual([...s.itemNum]);
  });

  it('--match-features needs --history-match and a categorical item feature', () => {
    expect(modelOverrides({ 'history-match': true, 'match-features': true }).matchFeatures).toBe(true);
    expect(() => modelOverrides({ 'match-features': true })).toThrow(/--match-features: only with --history-match/);
    expect(() => configFromData(train, catalogue, enc, { matchFeatures: true })).toThrow(ConfigError);
    expect(() => configFromData(train, catalogue, enc, { matchFeatures: true })).toThrow(/model\.matchFeatures: only with historyMatch/);
    const numericOnly = new Map<string, ItemRow>([...catalogue].map(([id, it]) => [id, { ...it, features: { price: 1 } }]));
    expect(() => configFromData(train, numericOnly, enc, modelOverrides({ 'history-match': true, 'match-features': true }))).toThrow(/model\.matchFeatures: needs a categorical item feature/);
  });
});
