/**
 * The parameter-free baselines every eval reports beside the model, on known values: popularity
 * (training clicks) and the cosine of the item's text with the mean of the user's last 10 clicked
 * items; and the report that carries them with the model's own slices.
 */
import { describe, expect, it } from 'vitest';
import { buildSamples } from '../src/data/dataset.ts';
import { historiesFrom } from '../src/data/histories.ts';
import type { EventRow, ItemRow } from '../src/data/schema.ts';
import { popularityScores, textCosineScores } from '../src/eval/baselines.ts';
import { evaluate, reportTable } from '../src/eval/report.ts';
import { DEFAULT_RANKER, type RankerConfig } from '../src/model/config.ts';
import { ACTION_ROWS } from '../src/features/actions.ts';

const ev = (line: number, o: Partial<EventRow>): EventRow => ({ user: 'u', ts: line, domain: 'd', item: 'a', label: 1, line, ...o });

describe('baselines', () => {
  it('popularity: clicks per item in the training split, 0 for an item never clicked', () => {
    expect(Array.from(popularityScores(['a', 'b', 'a', 'a'], ['a', 'b', 'c', 'a']))).toEqual([3, 1, 0, 3]);
  });

  it('text cosine: the item against the mean of the last 10 clicked items (searches left out)', () => {
    // Text rows: 1 = [1, 0], 2 = [0, 1], 3 = [1, 1], 4 = [-1, 0].
    const table = new Float32Array([0, 0, 1, 0, 0, 1, 1, 1, -1, 0]);
    const rows = new Map([['i1', 1], ['i2', 2], ['i3', 3], ['i4', 4], ['q', 4]]);
    const items = new Map<string, ItemRow>([...rows.keys()].map((id) => [id, { id, text: id }]));
    const config: RankerConfig = { ...DEFAULT_RANKER, actions: [...ACTION_ROWS], historyLength: 12, textDim: 2, encoderId: 'e', itemFeatures: { categorical: [], numeric: [] }, contextFeatures: { categorical: [], numeric: [] }, domains: ['(generic)', 'd'] };
    // u clicks i1 then i2 and searches "q"; v clicks i4 eleven times and then i1: only the last 10 (all i4) count.
    const events = [
      ev(1, { item: 'i1' }), ev(2, { item: 'i2', query: 'q' }),
      ...Array.from({ length: 11 }, (_, k) => ev(3 + k, { user: 'v', item: k === 0 ? 'i1' : 'i4' })),
      ev(20, { item: 'i3' }), ev(21, { item: 'i4' }), ev(22, { user: 'v', item: 'i3' }), ev(23, { user: 'w', item: 'i3' }),
    ];
    const s = buildSamples(events.slice(-4), { config, items, histories: historiesFrom(events, items), textRow: (t) => rows.get(t)!, warmItems: new Set() });
    const got = Array.from(textCosineScores(s, table, 2, 12, config.actions.indexOf('click')));
    // u's mean is [0.5, 0.5]: cos with i3 = 1, with i4 = -1/sqrt(2); v's last 10 are i4: cos(i3, [-1, 0]) = -1/sqrt(2); w has no history: 0.
    [1, -Math.SQRT1_2, -Math.SQRT1_2, 0].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 6));
  });

  it('the report carries each baseline\'s overall, warm, cold and domain slices, and the table shows them', () => {
    const items = new Map<string, ItemRow>(['a', 'b', 'c', 'd'].map((id) => [id, { id, text: id }]));
    const events = [ev(1, { item: 'a' }), ev(1, { item: 'b', label: 0 }), ev(2, { item: 'c' }), ev(2, { item: 'd', label: 0 })];
    const config: RankerConfig = { ...DEFAULT_RANKER, actions: [...ACTION_ROWS], historyLength: 2, textDim: 2, encoderId: 'e', itemFeatures: { categorical: [], numeric: [] }, contextFeatures: { categorical: [], numeric: [] }, domains: ['(generic)', 'd'] };
    const s = buildSamples(events, { config, items, histories: historiesFrom(events, items), textRow: () => 0, warmItems: new Set(['a', 'b']) });
    const r = evaluate(s, new Float32Array([0.9, 0.1, 0.2, 0.8]), { popularity: new Float32Array([5, 1, 0, 0]) });
    expect(r.overall.auc).toBe(0.75);
    expect(r.baselines!.popularity!.overall.auc).toBe(0.625); // 5 > 1, 5 > 0, 0 < 1, 0 = 0
    expect(r.baselines!.popularity!.overall.logloss).toBeNaN(); // a count is not a probability
    expect(r.baselines!.popularity!.warm.auc).toBe(1);
    expect(r.baselines!.popularity!.cold.auc).toBe(0.5);
    expect(Object.keys(r.baselines!.popularity!.domains)).toEqual(['d']);
    expect(reportTable(r)).toMatch(/popularity: cold items\s+2\s+0\.5000\s+\S+\s+\S+\s+-/);
  });
});
