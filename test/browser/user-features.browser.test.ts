/**
 * User features end to end: a small world with users.jsonl, a model trained on it in Node, and the
 * same model in the page. Their MLP feeds the user tower; the fused kernel, TF.js CPU and Node give
 * the same scores within 1e-4, and the scores move when the user's features do.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createRecommender } from '../../src/node/index.ts';
import { launch, openPage, type OpenPage } from './chromium.ts';
import { serveModel, trainSmallModel } from './trained-model.ts';

const base = inject('baseURL');
const dir = mkdtempSync(join(tmpdir(), 'kindling-user-'));
let modelBase: string;
const CANDIDATES = [
  { id: 'a', text: 'electricity billing portal' },
  { id: 'b', text: 'fresh espresso lounge' },
  { id: 'c', text: 'puppy grooming club' },
  { id: 'd', text: 'airport shuttle booking' },
];
const USERS = [{ segment: 'food', age: 25 }, { segment: 'travel', age: 60 }];
type Scores = { id: string; score: number }[][];

describe('user features', () => {
  let browser: Browser;
  let p: OpenPage;
  let node: Scores;
  beforeAll(async () => {
    modelBase = await trainSmallModel(dir, ['--user-features'], []);
    const rec = await createRecommender({ modelBase });
    node = [];
    for (const u of USERS) node.push(await rec.rerank(CANDIDATES, { domain: 'cards', userFeatures: u }));
    await rec.dispose();
    browser = await launch({ webgpu: true });
    p = await openPage(browser, `${base}/test/browser/pages/api.html`);
    // The page reads this model from /user-model/: the ranker from the temporary folder, the encoder as shipped.
    await serveModel(p.page, base, 'user-model', modelBase);
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are in the trained model: its config and an MLP of their own', () => {
    const m = JSON.parse(readFileSync(join(modelBase, 'ranker/model.json'), 'utf8'));
    expect(m.kindling.config.userFeatures.categorical).toEqual(['segment']);
    expect(m.kindling.config.userFeatures.numeric.map((f: { name: string }) => f.name)).toEqual(['age']);
    expect(m.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('sparse.user.1.w');
  });

  it('give the same scores on the fused kernel, TF.js CPU and Node, and move the scores', async () => {
    const page = await p.page.evaluate(
      async ({ C, users }) => {
        const out: Record<string, { id: string; score: number }[][]> = {};
        for (const backend of ['webgpu-fused', 'cpu'] as const) {
          const r = await window.kindling.createRecommender({ backend, modelBase: '/user-model/', memoryOnly: true });
          out[backend] = [];
          for (const u of users) out[backend].push(await r.rerank(C, { domain: 'cards', userFeatures: u }));
          await r.dispose();
        }
        return out;
      },
      { C: CANDIDATES, users: USERS },
    );
    const score = (s: Scores, u: number, id: string) => s[u].find((x) => x.id === id)!.score;
    for (const [name, s] of Object.entries(page)) {
      for (let u = 0; u < USERS.length; u++) {
        for (const c of CANDIDATES) expect(Math.abs(score(s, u, c.id) - score(node, u, c.id)), `${name} user ${u} ${c.id}`).toBeLessThan(1e-4);
      }
    }
    // Another user's features give other scores.
    const moved = Math.max(...CANDIDATES.map((c) => Math.abs(score(node, 0, c.id) - score(node, 1, c.id))));
    expect(moved).toBeGreaterThan(1e-3);
    expect(p.errors).toEqual([]);
  });

  it('reject a bad value by name', async () => {
    const err = await p.page.evaluate(async () => {
      const r = await window.kindling.createRecommender({ backend: 'cpu', modelBase: '/user-model/', memoryOnly: true });
      try {
        await r.rerank([{ id: 'a', text: 'x' }], { domain: 'cards', userFeatures: { segment: {} as never } });
        return 'resolved';
      } catch (e) {
        return (e as Error).message;
      } finally {
        await r.dispose();
      }
    });
    expect(err).toBe('context.userFeatures.segment: expected a string or a number, got object');
  });
});
