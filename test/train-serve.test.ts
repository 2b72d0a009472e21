/**
 * Train/serve skews, each pinned: the page must build the model's inputs the way training does.
 * - A 'view' the page records is kept, but the user tower does not read it: training never puts a
 *   view into a behaviour sequence, so the model's 'view' row is untrained.
 * - A feature named __proto__ is a feature in a data file, as it is in the page.
 * - A non-finite number is a missing value in a data file, as it is in the page (it used to stop
 *   training while the page dropped it).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEvent, parseItem } from '../src/data/schema.ts';
import { validateContext } from '../src/features/request.ts';
import { featureConfig } from '../src/data/dataset.ts';
import { createRecommender } from '../src/node/index.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CANDIDATES = [
  { id: 'cards-1', text: 'fresh espresso lounge' },
  { id: 'cards-2', text: 'electricity billing portal' },
  { id: 'cards-3', text: 'puppy grooming club' },
];

describe('train/serve', () => {
  it('ranks with views in the history exactly as without them, and keeps the views in the history', async () => {
    const r = await createRecommender();
    try {
      await r.record({ item: 'cards-7', domain: 'cards', action: 'click', text: 'dog veterinary care', ts: 1 });
      const before = await r.rerank(CANDIDATES, { domain: 'cards' });
      for (let i = 0; i < 5; i++) await r.record({ item: `cards-${10 + i}`, domain: 'cards', action: 'view', text: 'airport shuttle booking', ts: 2 + i });
      const after = await r.rerank(CANDIDATES, { domain: 'cards' });
      expect(after.map((x) => x.score)).toEqual(before.map((x) => x.score));
      expect((await r.history()).map((e) => e.action)).toEqual(['click', 'view', 'view', 'view', 'view', 'view']);
      // ...while a click does move the scores.
      await r.record({ item: 'cards-20', domain: 'cards', action: 'click', text: 'airport shuttle booking', ts: 10 });
      const clicked = await r.rerank(CANDIDATES, { domain: 'cards' });
      expect(clicked.map((x) => x.score)).not.toEqual(before.map((x) => x.score));
    } finally {
      await r.dispose();
    }
  });

  it('reads a feature named __proto__ or constructor from a data file as a feature', () => {
    const item = parseItem('items.jsonl', 1, '{"id": "a", "text": "x", "features": {"__proto__": "p", "constructor": "c", "price": 2}}');
    expect(Object.keys(item.features!).sort()).toEqual(['__proto__', 'constructor', 'price']);
    expect(item.features!.__proto__).toBe('p');
    expect(featureConfig([item.features]).categorical).toEqual(['__proto__', 'constructor']);
  });

  it('reads a non-finite number as a missing feature in a data file and in the page alike', () => {
    // JSON has no NaN; 1e999 is how a data file spells an infinite number.
    const row = parseEvent('events.jsonl', 1, '{"user": "u", "ts": 1, "domain": "d", "item": "a", "features": {"price": 1e999, "hour": 9}}');
    const page = validateContext({ domain: 'd', features: { price: Number.POSITIVE_INFINITY, hour: 9 } });
    const pageNaN = validateContext({ domain: 'd', features: { price: Number.NaN, hour: 9 } });
    expect({ ...row.features }).toEqual({ hour: 9 });
    expect({ ...page.features }).toEqual({ ...row.features });
    expect({ ...pageNaN.features }).toEqual({ ...row.features });
  });
});
