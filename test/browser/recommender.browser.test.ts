/**
 * createRecommender() / rerank() in headless Chromium: the ranking network on TF.js WebGPU
 * (SwiftShader) and CPU, against the Node model; the behaviour store in IndexedDB; leaks;
 * and requests to the page's own origin only.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DisposedError } from '../../src/errors.ts';
import type { Browser } from 'playwright-core';
import { createRecommender } from '../../src/node/index.ts';
import { foreignRequests, launch, openPage, type OpenPage } from './chromium.ts';
import { useApiPage } from './use-api-page.ts';
import type { Candidate } from '../../src/index.ts';

const base = inject('baseURL');
const url = `${base}/test/browser/pages/api.html`;

const CANDIDATES: Candidate[] = [
  { id: 'brand-new-1', text: 'electricity billing portal', domain: 'cards' },
  { id: 'brand-new-2', text: 'fresh espresso lounge', domain: 'cards', features: { category: 'coffee', price: 2 } },
  { id: 'brand-new-3', text: 'puppy grooming club', domain: 'cards' },
  { id: 'cards-7', text: 'golden cinema tickets', domain: 'cards', features: { brand: 'b3' } },
  { id: 'brand-new-5', text: 'railway commute pass', domain: 'cards' },
];
const SEARCH = { domain: 'search', query: 'coffee decaf' };
const CLICKS = [1, 2, 3].map((i) => ({ item: `cards-${i}`, domain: 'cards', action: 'click' as const, text: 'dog veterinary care', ts: 1000 + i }));

type R = { id: string; score: number; ctr: number; relevance: number; weights: { id: number; text: number; sparse: number } }[];

/** Node's scores for the same calls: the reference the page must match within 1e-4. */
async function nodeScores() {
  await tf.setBackend('cpu');
  const r = await createRecommender();
  const search = await r.rerank(CANDIDATES, SEARCH);
  for (const c of CLICKS) await r.record(c);
  const cards = await r.rerank(CANDIDATES, { domain: 'cards' });
  await r.dispose();
  // After dispose() a call says so, by its own error class.
  await expect(r.rerank(CANDIDATES, SEARCH)).rejects.toThrow(DisposedError);
  return { search, cards };
}

function inPage(p: OpenPage, backend: 'auto' | 'webgpu' | 'cpu') {
  return p.page.evaluate(
    async ({ backend, CANDIDATES, SEARCH, CLICKS }) => {
      const r = await window.kindling.createRecommender({ backend });
      await r.clearHistory();
      const search = await r.rerank(CANDIDATES, SEARCH);
      for (const c of CLICKS) await r.record(c);
      const cards = await r.rerank(CANDIDATES, { domain: 'cards' });
      const out = { backend: r.backend, domains: r.domains, search, cards };
      await r.dispose();
      return out;
    },
    { backend, CANDIDATES, SEARCH, CLICKS },
  );
}

const maxDiff = (a: R, b: R) => Math.max(...a.map((x) => Math.abs(x.score - b.find((y) => y.id === x.id)!.score)));

describe('rerank() in Chromium with WebGPU', () => {
  const api = useApiPage();
  let node: { search: R; cards: R };
  beforeAll(async () => {
    node = await nodeScores();
  });

  it('runs the fused kernel on WebGPU, ranks the cold candidate matching the query first, and equals Node within 1e-4', async () => {
    const r = await inPage(api.p, 'auto');
    expect(r.backend).toBe('webgpu-fused');
    expect(r.domains).toEqual(['cards', 'search', 'suggest']);
    expect(r.search[0].id).toBe('brand-new-2'); // "fresh espresso lounge" for "coffee decaf": no shared word
    expect(r.search.map((x) => x.id)).toEqual(node.search.map((x) => x.id));
    expect(maxDiff(r.search, node.search)).toBeLessThan(1e-4);
    expect(maxDiff(r.cards, node.cards)).toBeLessThan(1e-4);
    for (const x of r.search) {
      expect(x.weights.id + x.weights.text + x.weights.sparse).toBeCloseTo(1, 5);
      expect(Number.isFinite(x.score)).toBe(true);
    }
  });

  it('gives the same ranking on TF.js WebGPU and TF.js CPU (scores within 1e-4)', async () => {
    const fused = await inPage(api.p, 'auto');
    for (const backend of ['webgpu', 'cpu'] as const) {
      const r = await inPage(api.p, backend);
      expect(r.backend).toBe(backend);
      expect(r.search.map((x) => x.id)).toEqual(fused.search.map((x) => x.id));
      expect(maxDiff(r.search, fused.search)).toBeLessThan(1e-4);
      expect(maxDiff(r.cards, fused.cards)).toBeLessThan(1e-4);
    }
  });

  it('kernelInBackground: ranks on TF.js CPU until the fused kernel is in, then on it, with the same scores (page and worker)', async () => {
    for (const worker of [false, true]) {
      const r = await api.p.page.evaluate(
        async ({ CANDIDATES, SEARCH, worker }) => {
          const events: string[] = [];
          let ready!: () => void;
          const kernel = new Promise<void>((res) => (ready = res));
          const rec = await window.kindling.createRecommender({
            kernelInBackground: true,
            worker,
            onProgress: (e) => {
              if (e.stage === 'kernel') {
                events.push(`kernel ${e.status} ${typeof e.ms}`);
                ready();
              }
            },
          });
          const first = { backend: rec.backend, ranked: await rec.rerank(CANDIDATES, SEARCH) };
          await kernel;
          const then = { backend: rec.backend, ranked: await rec.rerank(CANDIDATES, SEARCH) };
          await rec.dispose();
          const cpu = await window.kindling.createRecommender({ backend: 'cpu', worker });
          const onCpu = await cpu.rerank(CANDIDATES, SEARCH);
          await cpu.dispose();
          return { first, then, onCpu, events, runsIn: rec.runsIn };
        },
        { CANDIDATES, SEARCH, worker },
      );
      expect(r.runsIn).toBe(worker ? 'worker' : 'main');
      expect(r.first.backend).toBe('cpu');
      expect(r.then.backend).toBe('webgpu-fused');
      expect(r.events).toEqual(['kernel ready number']);
      expect(maxDiff(r.first.ranked, r.onCpu)).toBeLessThan(1e-6); // the same path: TF.js CPU
      expect(maxDiff(r.then.ranked, r.onCpu)).toBeLessThan(1e-4); // the kernel against TF.js CPU
      expect(maxDiff(r.then.ranked, r.first.ranked)).toBeGreaterThan(0); // ... and it really is another path
    }
  });

  it('kernelInBackground: a kernel that fails to build leaves ranking on the CPU, with a fused-unavailable warning', async () => {
    const r = await api.p.page.evaluate(async ({ CANDIDATES, SEARCH }) => {
      const proto = GPUDevice.prototype as unknown as { createComputePipelineAsync: unknown };
      const real = proto.createComputePipelineAsync;
      proto.createComputePipelineAsync = () => Promise.reject(new Error('injected: no pipeline'));
      const warnings: string[] = [];
      let warned!: () => void;
      const warning = new Promise<void>((res) => (warned = res));
      try {
        const rec = await window.kindling.createRecommender({
          kernelInBackground: true,
          onWarning: (w) => {
            warnings.push(`${w.type}: ${w.message}`);
            warned();
          },
        });
        await warning;
        const ranked = await rec.rerank(CANDIDATES, SEARCH);
        const out = { backend: rec.backend, ids: ranked.map((x) => x.id), warnings };
        await rec.dispose();
        return out;
      } finally {
        proto.createComputePipelineAsync = real;
      }
    }, { CANDIDATES, SEARCH });
    expect(r.backend).toBe('cpu');
    expect(r.ids).toHaveLength(CANDIDATES.length);
    expect(r.warnings).toEqual([expect.stringMatching(/^fused-unavailable: the fused kernel could not be built \(injected: no pipeline\)/)]);
  });

  it('changes the order as the user clicks, and keeps the history across a reload', async () => {
    const before = await api.p.page.evaluate(async (C) => {
      const r = await window.kindling.createRecommender();
      await r.clearHistory();
      const ranked = (await r.rerank(C, { domain: 'cards' })).map((x) => x.id);
      for (let i = 0; i < 4; i++) await r.record({ item: `cards-${i}`, domain: 'cards', action: 'click', text: 'puppy dog grooming' });
      const after = (await r.rerank(C, { domain: 'cards' })).map((x) => x.id);
      return { ranked, after };
    }, CANDIDATES);
    expect(before.after).not.toEqual(before.ranked);
    expect(before.after[0]).toBe('brand-new-3');
    await api.p.page.reload();
    await api.p.page.waitForFunction(() => window.kindlingReady === true);
    const reloaded = await api.p.page.evaluate(async (C) => {
      const r = await window.kindling.createRecommender();
      return { history: (await r.history()).length, ranked: (await r.rerank(C, { domain: 'cards' })).map((x) => x.id) };
    }, CANDIDATES);
    expect(reloaded.history).toBe(4);
    expect(reloaded.ranked).toEqual(before.after);
  });

  it('leaks no tensors over 1,000 calls (cpu, webgpu-fused) and 100 calls (TF.js webgpu)', async () => {
    const counts = await api.p.page.evaluate(async (C) => {
      const out: Record<string, number[]> = {};
      for (const [backend, calls] of [['cpu', 1000], ['webgpu-fused', 1000], ['webgpu', 100]] as const) {
        const r = await window.kindling.createRecommender({ backend });
        const before = window.tf.memory().numTensors;
        for (let i = 0; i < calls; i++) await r.rerank(C, i % 2 ? { domain: 'search', query: `coffee ${i}` } : { domain: 'cards' });
        out[backend] = [before, window.tf.memory().numTensors];
        await r.dispose();
      }
      return out;
    }, CANDIDATES);
    expect(counts.cpu[1]).toBe(counts.cpu[0]);
    expect(counts.webgpu[1]).toBe(counts.webgpu[0]);
    expect(counts['webgpu-fused'][1]).toBe(counts['webgpu-fused'][0]);
  });

  it('rejects bad input with typed errors naming the field', async () => {
    const errs = await api.p.page.evaluate(async () => {
      const r = await window.kindling.createRecommender({ backend: 'cpu' });
      const out: string[] = [];
      const tries: [unknown, unknown][] = [
        [[{ id: 1, text: 'x' }], { domain: 'cards' }],
        [[{ id: 'a' }], { domain: 'cards' }],
        ['nope', { domain: 'cards' }],
        [[], {}],
      ];
      for (const [c, ctx] of tries) {
        try {
          await r.rerank(c as never, ctx as never);
          out.push('resolved');
        } catch (e) {
          out.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
      }
      try {
        await window.kindling.createRecommender({ backend: 'gpu' as never });
      } catch (e) {
        out.push(`${(e as Error).name}: ${(e as Error).message}`);
      }
      return out;
    });
    expect(errs).toEqual([
      'InputError: candidates[0].id: expected a non-empty string, got number',
      'InputError: candidates[0].text: expected a string, got undefined',
      'InputError: candidates: expected an array, got string',
      'InputError: context.domain: expected a non-empty string, got undefined',
      'ConfigError: backend: got "gpu"; allowed: "auto", "webgpu-fused", "webgpu", "cpu"',
    ]);
  });

  it('requested files from its own origin only', () => {
    expect(foreignRequests(api.p.requests, base)).toEqual([]);
    expect(api.p.requests.some((r) => r.endsWith('/models/ranker/weights.bin'))).toBe(true);
    expect(api.p.errors).toEqual([]);
  });
});

describe('rerank() in Chromium without WebGPU', () => {
  let browser: Browser;
  afterAll(async () => browser?.close());
  it('falls back to the cpu backend with the same order as Node', async () => {
    const node = await nodeScores();
    browser = await launch({ webgpu: false });
    const p = await openPage(browser, url);
    const r = await inPage(p, 'auto');
    expect(r.backend).toBe('cpu');
    expect(r.search.map((x) => x.id)).toEqual(node.search.map((x) => x.id));
    expect(maxDiff(r.cards, node.cards)).toBeLessThan(1e-4);
  });
});
