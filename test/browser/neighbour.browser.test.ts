/**
 * Kindling as a guest in a page that has its own TF.js model and its own Transformers.js settings, in
 * one module graph (one TF.js engine, one Transformers.js env). Before, during and after Kindling
 * loads and ranks, on each of its paths, the page's backend stays the one it chose, its model gives
 * the same outputs, and its Transformers.js settings are its own.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, openPage } from './chromium.ts';

const base = inject('baseURL');
const CANDIDATES = [
  { id: 'a', text: 'electricity billing portal', domain: 'cards' },
  { id: 'b', text: 'fresh espresso lounge', domain: 'cards' },
  { id: 'c', text: 'railway commute pass', domain: 'cards' },
  { id: 'd', text: 'puppy grooming club', domain: 'cards' },
];

describe("Kindling next to the page's own TF.js and Transformers.js", () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launch({ webgpu: true });
    ({ page } = await openPage(browser, `${base}/test/browser/pages/host.html`));
  });
  afterAll(async () => browser?.close());

  const scores: Record<string, [string, number][]> = {};
  for (const backend of ['webgpu', 'webgpu-fused', 'cpu'] as const) {
    it(`leaves the page's backend, model outputs and settings as they were (Kindling on ${backend})`, async () => {
      const r = await page.evaluate(
        async ({ backend, candidates }) => {
          const { host, kindling } = window;
          host.configureTransformers();
          const before = { backend: await host.useBackend('webgl'), model: host.run(), settings: host.transformersSettings() };
          // The page keeps running its model on every task while Kindling loads and ranks.
          const watched = await host.watch(async () => {
            const rec = await kindling.createRecommender({ backend, memoryOnly: true });
            try {
              return { used: rec.backend, ranked: (await rec.rerank(candidates, { domain: 'cards', query: 'coffee' })).map((x) => [x.id, x.score] as [string, number]) };
            } finally {
              await rec.dispose();
            }
          }, before.model.out);
          const after = { backend: host.backend(), model: host.run(), settings: host.transformersSettings() };
          return { before, after, watched };
        },
        { backend, candidates: CANDIDATES },
      );
      expect(r.before.backend).toBe('webgl');
      expect(r.watched.result.used).toBe(backend);
      expect(r.after.backend).toBe('webgl');
      expect(r.after.model.out).toEqual(r.before.model.out);
      expect(r.after.settings).toEqual(r.before.settings);
      expect(r.after.settings).toMatchObject({ allowRemoteModels: true, allowLocalModels: false, localModelPath: '/host-models/', wasmPaths: '/host-wasm/' });
      // While Kindling worked, the page's model never ran anywhere but on its own backend, nor failed.
      expect(r.watched.samples).toBeGreaterThan(3);
      expect(r.watched.seen).toEqual(['webgl']);
      expect(r.watched.errors).toEqual([]);
      expect(r.watched.maxDiff).toBe(0);
      scores[backend] = r.watched.result.ranked;
    }, 180_000);
  }

  it("ranks as it does alone: the same scores on each path within 1e-4, while the page's backend is another", () => {
    const ref = new Map(scores.cpu);
    expect(ref.size).toBe(CANDIDATES.length);
    for (const b of ['webgpu', 'webgpu-fused']) for (const [id, s] of scores[b]) expect(Math.abs(s - ref.get(id)!), `${b} ${id}`).toBeLessThan(1e-4);
    expect(scores.cpu[0][0]).toBe('b'); // the coffee place first, for a coffee query
  });
});
