/**
 * History features end to end: a model trained in Node with --history-features, and the same model in
 * the page. record() keeps each click's item features in IndexedDB; a new recommender reads them back
 * and the fused kernel, TF.js CPU and Node give the same scores within 1e-4; the scores move when
 * the clicked items' features do.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createRecommender } from '../../src/node/index.ts';
import type { Features } from '../../src/features/features.ts';
import type { Candidate } from '../../src/features/request.ts';
import { launch, openPage, type OpenPage } from './chromium.ts';
import { serveModel, trainSmallModel } from './trained-model.ts';

const base = inject('baseURL');
const dir = mkdtempSync(join(tmpdir(), 'kindling-histfeat-'));
let modelBase: string;
const CANDIDATES: Candidate[] = [
  { id: 'a', text: 'electricity billing portal', features: { category: 'utilities', brand: 'acme', price: 2 } },
  { id: 'b', text: 'fresh espresso lounge', features: { category: 'food', price: 4 } },
  { id: 'c', text: 'puppy grooming club' },
  { id: 'd', text: 'airport shuttle booking', features: { category: 'travel', price: 1 } },
];
/** Two histories: the same clicks (items, texts, times), with other item features. */
const HISTORIES = ([
  [{ item: 'h1', text: 'late night ramen bar', features: { category: 'food', brand: 'acme', price: 3 } }, { item: 'h2', text: 'weekend city tour', features: { category: 'food', price: 5 } }],
  [{ item: 'h1', text: 'late night ramen bar', features: { category: 'travel', brand: 'zeta', price: 1 } }, { item: 'h2', text: 'weekend city tour', features: { category: 'travel', price: 2 } }],
] as { item: string; text: string; features: Features }[][]).map((h) => h.map((e, i) => ({ ...e, domain: 'cards', action: 'click' as const, ts: 1000 + i })));
type Scores = { id: string; score: number }[][];

describe('history features', () => {
  let browser: Browser;
  let p: OpenPage;
  let node: Scores;
  beforeAll(async () => {
    modelBase = await trainSmallModel(dir, [], ['--history-features']);
    node = [];
    for (const h of HISTORIES) {
      const rec = await createRecommender({ modelBase });
      for (const e of h) await rec.record(e);
      node.push(await rec.rerank(CANDIDATES, { domain: 'cards' }));
      await rec.dispose();
    }
    browser = await launch({ webgpu: true });
    p = await openPage(browser, `${base}/test/browser/pages/api.html`);
    await serveModel(p.page, base, 'hist-model', modelBase);
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are in the trained model', () => {
    const m = JSON.parse(readFileSync(join(modelBase, 'ranker/model.json'), 'utf8'));
    expect(m.kindling.config.historyFeatures).toBe(true);
    expect(m.kindling.config.itemFeatures.categorical).toContain('category');
  });

  it('survive IndexedDB and give the same scores on the fused kernel, TF.js CPU and Node; other features move them', async () => {
    const page = await p.page.evaluate(
      async ({ C, histories }) => {
        const out: Record<string, { id: string; score: number }[][]> = {};
        for (const backend of ['webgpu-fused', 'cpu'] as const) {
          out[backend] = [];
          for (const h of histories) {
            // Recorded by one recommender into IndexedDB, read back by another.
            const writer = await window.kindling.createRecommender({ backend, modelBase: '/hist-model/' });
            await writer.clearHistory();
            for (const e of h) await writer.record(e);
            await writer.dispose();
            const reader = await window.kindling.createRecommender({ backend, modelBase: '/hist-model/' });
            const stored = await reader.history();
            if (JSON.stringify(stored.map((e) => e.features)) !== JSON.stringify(h.map((e) => e.features))) throw new Error(`stored features: ${JSON.stringify(stored)}`);
            out[backend].push(await reader.rerank(C, { domain: 'cards' }));
            await reader.clearHistory();
            await reader.dispose();
          }
        }
        return out;
      },
      { C: CANDIDATES, histories: HISTORIES },
    );
    const score = (s: Scores, h: number, id: string) => s[h].find((x) => x.id === id)!.score;
    for (const [name, s] of Object.entries(page)) {
      for (let h = 0; h < HISTORIES.length; h++) {
        for (const c of CANDIDATES) expect(Math.abs(score(s, h, c.id) - score(node, h, c.id)), `${name} history ${h} ${c.id}`).toBeLessThan(1e-4);
      }
    }
    // The same clicks with other item features give other scores.
    const moved = Math.max(...CANDIDATES.map((c) => Math.abs(score(node, 0, c.id) - score(node, 1, c.id))));
    expect(moved).toBeGreaterThan(1e-4);
    expect(p.errors).toEqual([]);
  });

  it('reject a bad event feature by name', async () => {
    const err = await p.page.evaluate(async () => {
      const r = await window.kindling.createRecommender({ backend: 'cpu', modelBase: '/hist-model/', memoryOnly: true });
      try {
        await r.record({ item: 'x', domain: 'cards', action: 'click', features: { category: [] as never } });
        return 'resolved';
      } catch (e) {
        return (e as Error).message;
      } finally {
        await r.dispose();
      }
    });
    expect(err).toBe('event.features.category: expected a string or a number, got array');
  });
});
