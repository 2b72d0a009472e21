import { describe, expect, it } from 'vitest';
import { buildSamples, featureConfig, sampleNegatives, splitEvents } from '../src/data/dataset.ts';
import { historiesFrom } from '../src/data/histories.ts';
import { parseEvent, parseItem, parseUser, type EventRow, type ItemRow } from '../src/data/schema.ts';
import { DataError } from '../src/errors.ts';
import { holdOutValidation } from '../src/node/pipeline.ts';
import { DEFAULT_RANKER, type RankerConfig } from '../src/model/config.ts';
import { ACTION_ROWS } from '../src/features/actions.ts';

const ev = (line: number, o: Partial<EventRow>): EventRow => ({ user: 'u', ts: line, domain: 'd', item: 'a', label: 1, line, ...o });

describe('the data contract rows', () => {
  it('reads valid rows, ignoring extra fields, with defaults', () => {
    expect(parseItem('items.jsonl', 1, '{"id":"a","text":"espresso bar","extra":true}')).toEqual({ id: 'a', text: 'espresso bar', domain: undefined, features: undefined });
    const e = parseEvent('events.jsonl', 3, '{"user":"u","ts":5,"domain":"d","item":"a","features":{"pos":1,"hour":"am"}}');
    expect(e.label).toBe(1);
    expect(e.features).toEqual({ pos: 1, hour: 'am' });
  });
  it.each([
    ['{"user":"u","ts":5,"domain":"d","item":"a","label":2}', 'events.jsonl:7: label: expected 0 or 1, got 2'],
    ['{"user":"u","domain":"d","item":"a"}', 'events.jsonl:7: ts: missing'],
    ['{"user":"u","ts":"5","domain":"d","item":"a"}', 'events.jsonl:7: ts: expected a finite number, got "5"'],
    ['{"user":"","ts":5,"domain":"d","item":"a"}', 'events.jsonl:7: user: empty'],
    ['{"user":"u","ts":5,"domain":"d","item":3}', 'events.jsonl:7: item: expected a string, got 3'],
    ['{"user":"u","ts":5,"domain":"d","item":"a","features":{"x":[1]}}', 'events.jsonl:7: features.x: expected a string or a number, got array'],
    ['{"user":"u","ts":5,"domain":"d","item":"a","split":"dev"}', 'events.jsonl:7: split: expected "train" or "test", got "dev"'],
    ['[1,2]', 'events.jsonl:7: (row): expected a JSON object'],
    ['{"user":', 'events.jsonl:7: (row): not valid JSON'],
  ])('rejects %s', (raw, msg) => {
    expect(() => parseEvent('events.jsonl', 7, raw)).toThrow(DataError);
    expect(() => parseEvent('events.jsonl', 7, raw)).toThrow(msg);
  });
  it('reads users.jsonl rows and names a bad field', () => {
    expect(parseUser('users.jsonl', 1, '{"id":"u1","features":{"segment":"food","age":31},"name":"x"}')).toEqual({ id: 'u1', features: { segment: 'food', age: 31 } });
    expect(() => parseUser('users.jsonl', 2, '{"id":"u1","features":{"age":null}}')).toThrow('users.jsonl:2: features.age: expected a string or a number, got null');
    expect(() => parseUser('users.jsonl', 3, '{"features":{}}')).toThrow('users.jsonl:3: id: missing');
  });
});

describe('splits, negatives, features, histories', () => {
  it('splits by time (earliest fraction trains) unless events name their split', () => {
    const events = [ev(1, { ts: 30 }), ev(2, { ts: 10 }), ev(3, { ts: 20 }), ev(4, { ts: 40 }), ev(5, { ts: 50 })];
    const s = splitEvents(events, { trainFraction: 0.6 });
    expect(s.train.map((e) => e.ts)).toEqual([10, 20, 30]);
    expect(s.test.map((e) => e.ts)).toEqual([40, 50]);
    const named = splitEvents([ev(1, { split: 'test' }), ev(2, { split: 'train' })], { trainFraction: 0.8 });
    expect(named.train.map((e) => e.line)).toEqual([2]);
    expect(() => splitEvents([ev(1, { split: 'test' }), ev(2, {})], { trainFraction: 0.8 })).toThrow('events.jsonl:2: split: missing');
  });

  it('holds out the latest share of the training events for validation by time, also when events name their split', () => {
    const train = [ev(1, { ts: 30, split: 'train' }), ev(2, { ts: 10, split: 'train' }), ev(3, { ts: 20, split: 'train' }), ev(4, { ts: 40, split: 'train' }), ev(5, { ts: 50, split: 'train' })];
    const test = [ev(6, { ts: 60, split: 'test' })];
    const h = holdOutValidation({ train, test }, 0.4);
    expect(h.train.map((e) => e.ts)).toEqual([10, 20, 30]);
    expect(h.valid!.map((e) => e.ts)).toEqual([40, 50]);
    expect(h.test).toBe(test);
    expect(holdOutValidation({ train, test }, undefined)).toEqual({ train, test });
    expect(() => holdOutValidation({ train: train.slice(0, 1), test }, 0.4)).toThrow('--valid 0.4 leaves no events');
  });

  it('draws K negatives per positive from the same domain, never the positive', () => {
    const items = new Map<string, ItemRow>(['a', 'b', 'c', 'x'].map((id) => [id, { id, text: id, domain: id === 'x' ? 'other' : 'd' }]));
    const out = sampleNegatives([ev(1, { item: 'a' }), ev(2, { item: 'b', label: 0 })], items, 3, 1);
    const negs = out.filter((e) => e.line === 0);
    expect(negs).toHaveLength(3);
    expect(negs.every((n) => n.label === 0 && ['b', 'c'].includes(n.item) && n.user === 'u' && n.ts === 1)).toBe(true);
  });

  it('configures categorical and numeric features with training statistics', () => {
    const fc = featureConfig([{ cat: 'x', price: 1 }, { cat: 'y', price: 3 }, undefined, { mixed: 1 }, { mixed: 'a' }]);
    expect(fc.categorical).toEqual(['cat', 'mixed']);
    expect(fc.numeric).toEqual([{ name: 'price', mean: 2, std: 1 }]);
  });

  it('gives each sample the last N clicks and searches strictly before it, and flags cold items', () => {
    const items = new Map<string, ItemRow>(['a', 'b', 'c', 'd'].map((id) => [id, { id, text: `text ${id}` }]));
    const events = [
      ev(1, { ts: 1, item: 'a' }),
      ev(2, { ts: 2, item: 'b', label: 0 }),
      ev(3, { ts: 3, item: 'c', query: 'coffee' }),
      ev(4, { ts: 4, item: 'd' }),
      ev(5, { ts: 4, item: 'a', label: 0 }),
    ];
    const texts = new Map<string, number>();
    const config: RankerConfig = { ...DEFAULT_RANKER, actions: [...ACTION_ROWS], historyLength: 2, textDim: 4, encoderId: 'e', itemFeatures: { categorical: [], numeric: [] }, contextFeatures: { categorical: [], numeric: [] }, domains: ['(generic)', 'd'] };
    const s = buildSamples(events, {
      config,
      items,
      histories: historiesFrom(events, items),
      textRow: (t) => (texts.has(t) ? texts.get(t)! : (texts.set(t, texts.size + 1), texts.size)),
      warmItems: new Set(['a', 'b']),
    });
    const histTexts = (i: number) => {
      const r = s.histOf[i];
      return Array.from(s.histText.subarray(r * 2, r * 2 + 2)).filter((_, j) => s.histMask[r * 2 + j] === 1).map((row) => [...texts].find(([, v]) => v === row)![0]);
    };
    expect(histTexts(0)).toEqual([]); // nothing before ts 1
    expect(histTexts(2)).toEqual(['text a']); // b was not clicked
    // at ts 4: the search "coffee" and the click on c (both at ts 3), capped at N = 2
    expect(histTexts(3)).toEqual(['coffee', 'text c']);
    expect(s.histOf[3]).toBe(s.histOf[4]); // same user and time share one history row
    expect(Array.from(s.cold)).toEqual([0, 0, 1, 1, 0]);
    expect(s.group[3]).toBe(s.group[4]);
    expect(s.domain[0]).toBe(1);
  });
});
