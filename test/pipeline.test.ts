import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRow, ItemRow } from '../src/data/schema.ts';
import { DEFAULT_RANKER, type RankerConfig } from '../src/model/config.ts';
import { ACTION_ROWS } from '../src/features/actions.ts';
import { createEncoder, type Encoder } from '../src/node/index.ts';
import { prepareSamples, splitData, type DataSet, type Prepared } from '../src/node/pipeline.ts';

let encoder: Encoder;
beforeAll(async () => {
  await tf.setBackend('cpu');
  encoder = await createEncoder();
});
afterAll(() => encoder.dispose());

const item = (id: string, domain: string, text: string): [string, ItemRow] => [id, { id, text, domain }];
const ev = (line: number, ts: number, domain: string, itemId: string): EventRow => ({ user: 'u1', ts, domain, item: itemId, label: 1, line });

// One user: two clicks in "cards", then three requests in the new domain "apps".
const data: DataSet = {
  items: new Map([item('c1', 'cards', 'coffee card'), item('c2', 'cards', 'taxi card'), item('a1', 'apps', 'coffee app'), item('a2', 'apps', 'taxi app'), item('a3', 'apps', 'bank app')]),
  events: [ev(1, 10, 'cards', 'c1'), ev(2, 20, 'cards', 'c2'), ev(3, 30, 'apps', 'a1'), ev(4, 40, 'apps', 'a2'), ev(5, 50, 'apps', 'a3')],
};

const ALL_TEXTS = [...new Set([...data.items.values()].map((it) => it.text))];

/** The texts of sample i's behaviour sequence, oldest first (told apart by their encoder vectors). */
async function historyTexts(p: Prepared, which: 'train' | 'test', i: number): Promise<string[]> {
  const s = p[which];
  const N = s.histMask.length / s.histRows;
  const r = s.histOf[i];
  const rows = Array.from(s.histText.subarray(r * N, r * N + N)).filter((_, j) => s.histMask[r * N + j] === 1);
  const table = p.textTable.arraySync();
  const vectors = await encoder.encode(ALL_TEXTS);
  return rows.map((row) => ALL_TEXTS[vectors.findIndex((v) => v.every((x, k) => x === table[row][k]))]);
}

describe('prepareSamples: behaviour sequences across domains', () => {
  const config = (): RankerConfig => ({ ...DEFAULT_RANKER, actions: [...ACTION_ROWS], historyLength: 8, textDim: encoder.dim, encoderId: encoder.id, itemFeatures: { categorical: [], numeric: [] }, contextFeatures: { categorical: [], numeric: [] }, domains: ['(generic)', 'apps'] });

  it("gives a one-domain run's samples the user's history from every domain", async () => {
    const o = { trainFraction: 0.67, negatives: 0, seed: 1, onlyDomains: ['apps'] };
    const p = await prepareSamples(data, splitData(data, o), config(), encoder, o);
    expect(p.train.n + p.test.n).toBe(3); // samples: the apps events only
    expect(await historyTexts(p, 'train', 0)).toEqual(['coffee card', 'taxi card']);
    expect(await historyTexts(p, 'test', 0)).toEqual(['coffee card', 'taxi card', 'coffee app', 'taxi app']);
    p.textTable.dispose();
  });

  it('leaves an excluded domain out of the samples and out of every history', async () => {
    const o = { trainFraction: 0.5, negatives: 0, seed: 1, excludeDomains: ['cards'] };
    const p = await prepareSamples(data, splitData(data, { ...o, onlyDomains: ['apps'] }), config(), encoder, o);
    expect(await historyTexts(p, 'train', 0)).toEqual([]);
    expect(await historyTexts(p, 'test', 0)).toEqual(['coffee app']);
    p.textTable.dispose();
  });
});
