/**
 * The fused WGSL kernel against the TF.js model it copies: 1,000 random candidates under 20
 * random histories, scores and gating weights within 1e-4 (max abs), every call inside a
 * validation error scope; the same for withoutAspects, which runs on a kernel built for that aspect
 * set; three dispatches and one submit per call. (Recovery from a lost device: reliability.browser.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import lexicon from '../../src/world/lexicon.json';
import { useApiPage } from './use-api-page.ts';

describe('the fused ranking kernel', () => {
  const api = useApiPage({ webgpu: true });

  it('equals the TF.js model within 1e-4 on 1,000 random candidates and 20 random histories', async () => {
    const words = Object.values(lexicon.topics).flatMap((t) => [...t.items, ...t.queries, ...t.services]);
    const r = await api.p.page.evaluate(
      async ({ words }) => {
        const { rand, pick, phrase } = window.randomText(7, words);
        const domains = ['cards', 'search', 'suggest', 'miniapps', 'never-seen'];
        const candidates = Array.from({ length: 1000 }, (_, i) => ({
          id: rand() < 0.5 ? `cards-${i}` : `cold-${i}`,
          text: rand() < 0.05 ? '' : phrase(),
          domain: pick(domains),
          features: rand() < 0.7 ? { category: pick(['coffee', 'travel', 'bills', 'x']), price: Math.round(rand() * 6), brand: `b${Math.floor(rand() * 30)}` } : undefined,
        }));
        const fused = await window.kindling.createRecommender({ backend: 'webgpu-fused' });
        const tfcpu = await window.kindling.createRecommender({ backend: 'cpu' });
        let maxScore = 0;
        let maxWeight = 0;
        const before = window.gpuLog.dispatches;
        const submits = window.gpuLog.submits;
        for (let h = 0; h < 20; h++) {
          await fused.clearHistory();
          const events = Math.floor(rand() * 70); // beyond the 50 the model reads, sometimes
          for (let e = 0; e < events; e++) {
            const action = pick(['click', 'view', 'search'] as const);
            await fused.record({ item: `cards-${Math.floor(rand() * 400)}`, domain: pick(domains), action, text: phrase(), query: action === 'search' ? phrase() : undefined, ts: e });
          }
          const ctx = { domain: pick(domains), query: rand() < 0.5 ? phrase() : undefined };
          const a = await fused.rerank(candidates, ctx);
          const b = await tfcpu.rerank(candidates, ctx); // the same store: one database per origin
          const byId = new Map(b.map((x) => [x.id, x]));
          for (const x of a) {
            const y = byId.get(x.id)!;
            maxScore = Math.max(maxScore, Math.abs(x.score - y.score), Math.abs(x.ctr - y.ctr), Math.abs(x.relevance - y.relevance));
            for (const k of ['id', 'text', 'sparse'] as const) maxWeight = Math.max(maxWeight, Math.abs(x.weights[k] - y.weights[k]));
          }
        }
        const out = { maxScore, maxWeight, dispatches: (window.gpuLog.dispatches - before) / 20, submits: (window.gpuLog.submits - submits) / 20 };
        await fused.dispose();
        await tfcpu.dispose();
        return out;
      },
      { words },
    );
    expect(r.maxScore).toBeLessThan(1e-4);
    expect(r.maxWeight).toBeLessThan(1e-4);
    // The encoder (ONNX Runtime on WebGPU) dispatches too; with cached vectors a call is the kernel's 3.
    expect(r.dispatches).toBeGreaterThanOrEqual(3);
  });

  it('runs withoutAspects on the kernel too (one built per aspect set), equal to TF.js within 1e-4', async () => {
    const words = Object.values(lexicon.topics).flatMap((t) => [...t.items, ...t.queries, ...t.services]);
    const r = await api.p.page.evaluate(
      async ({ words }) => {
        const { rand, pick, phrase } = window.randomText(11, words);
        const candidates = Array.from({ length: 200 }, (_, i) => ({
          id: rand() < 0.5 ? `cards-${i}` : `cold-${i}`,
          text: phrase(),
          features: { category: pick(['coffee', 'travel', 'bills']), price: Math.round(rand() * 6), brand: `b${Math.floor(rand() * 30)}` },
        }));
        const fused = await window.kindling.createRecommender({ backend: 'webgpu-fused' });
        const tfcpu = await window.kindling.createRecommender({ backend: 'cpu' });
        await fused.clearHistory();
        for (let e = 0; e < 30; e++) await fused.record({ item: `cards-${Math.floor(rand() * 400)}`, domain: pick(['cards', 'search']), action: pick(['click', 'search'] as const), text: phrase(), ts: e });
        const sets = [['text'], ['id'], ['sparse'], ['id', 'sparse'], ['text', 'sparse']] as ('id' | 'text' | 'sparse')[][];
        const rows = [];
        for (const without of sets) {
          let maxDiff = 0;
          let droppedWeight = 0;
          let dispatches = 0;
          for (const ctx of [{ domain: 'cards' }, { domain: 'search', query: phrase() }]) {
            const d0 = window.gpuLog.dispatches;
            const a = await fused.rerank(candidates, ctx, { withoutAspects: without });
            dispatches += window.gpuLog.dispatches - d0;
            const b = await tfcpu.rerank(candidates, ctx, { withoutAspects: without });
            const byId = new Map(b.map((x) => [x.id, x]));
            for (const x of a) {
              const y = byId.get(x.id)!;
              maxDiff = Math.max(maxDiff, Math.abs(x.score - y.score), Math.abs(x.ctr - y.ctr), Math.abs(x.relevance - y.relevance));
              for (const k of ['id', 'text', 'sparse'] as const) maxDiff = Math.max(maxDiff, Math.abs(x.weights[k] - y.weights[k]));
              for (const k of without) droppedWeight = Math.max(droppedWeight, x.weights[k]);
            }
          }
          rows.push({ without: without.join('+'), maxDiff, droppedWeight, dispatches });
        }
        const full = await fused.rerank(candidates, { domain: 'cards' });
        const fullTf = await tfcpu.rerank(candidates, { domain: 'cards' });
        const textOff = await fused.rerank(candidates, { domain: 'cards' }, { withoutAspects: ['text'] });
        await fused.dispose();
        await tfcpu.dispose();
        return { rows, fullDiff: Math.max(...full.map((x, i) => Math.abs(x.score - fullTf[i].score))), differs: textOff.some((x, i) => x.id !== full[i].id) };
      },
      { words },
    );
    for (const row of r.rows) {
      expect(row.maxDiff, row.without).toBeLessThan(1e-4);
      expect(row.droppedWeight, row.without).toBe(0);
      expect(row.dispatches, row.without).toBeGreaterThanOrEqual(6); // 3 kernel dispatches a call, 2 calls
    }
    expect(r.fullDiff).toBeLessThan(1e-4); // the model's own kernel is untouched by the others
    expect(r.differs).toBe(true); // dropping the text aspect really changes the order
  });

  it('dispatches three times and submits once per call', async () => {
    const r = await api.p.page.evaluate(async () => {
      const rec = await window.kindling.createRecommender({ backend: 'webgpu-fused', encoderDevice: 'wasm' });
      const C = Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, text: `espresso ${i % 7}` }));
      await rec.rerank(C, { domain: 'cards' });
      const d0 = window.gpuLog.dispatches;
      const s0 = window.gpuLog.submits;
      for (let i = 0; i < 10; i++) await rec.rerank(C, { domain: 'cards' });
      const out = { dispatches: (window.gpuLog.dispatches - d0) / 10, submits: (window.gpuLog.submits - s0) / 10 };
      await rec.dispose();
      return out;
    });
    expect(r).toEqual({ dispatches: 3, submits: 1 });
  });

  it('answers concurrent calls of different sizes, each as it would alone', async () => {
    const r = await api.p.page.evaluate(async () => {
      const rec = await window.kindling.createRecommender({ backend: 'webgpu-fused', encoderDevice: 'wasm' });
      const lists = [3, 200, 17, 1000, 1].map((n) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, text: `espresso lounge ${i % 11}` })));
      const together = await Promise.all(lists.map((C) => rec.rerank(C, { domain: 'cards' })));
      const alone: { score: number }[][] = [];
      for (const C of lists) alone.push(await rec.rerank(C, { domain: 'cards' }));
      await rec.dispose();
      return together.map((t, i) => Math.max(...t.map((x, j) => Math.abs(x.score - alone[i][j].score))));
    });
    expect(r.every((d) => d === 0)).toBe(true);
  });
});
