/**
 * The static encoder inside the fused kernel (issue 11 part 1): the word table uploaded once, the
 * text pass pooling token ids itself. Against the JS encoder (vectors within 1e-5 on 1,000 random
 * texts: empty, longer than the model reads, unknown words), against TF.js CPU on JS vectors (scores
 * within 1e-4), with the vector caches (a cached text is not pooled again; a cached vector and a
 * pooled one give the same score), in three dispatches and one submit.
 */
import { describe, expect, it } from 'vitest';
import lexicon from '../../src/world/lexicon.json';
import { useApiPage } from './use-api-page.ts';

const WORDS = Object.values(lexicon.topics).flatMap((t) => [...t.items, ...t.queries, ...t.services]);

describe('the static encoder in the fused kernel', () => {
  const api = useApiPage({ webgpu: true });

  it('pools 1,000 random texts as the JS encoder does (1e-5), and scores as TF.js CPU on the JS vectors (1e-4), in 3 dispatches and 1 submit', async () => {
    const r = await api.p.page.evaluate(
      async ({ words }) => {
        const { rand, pick, phrase } = window.randomText(23, words);
        const odd = () =>
          pick([
            '',
            ' ',
            `${phrase()} zzqxv unknownish-word`,
            'qqqq wwww',
            'coffee '.repeat(700), // longer than the 512 tokens the encoder reads
            `${phrase()} ${'espresso bar '.repeat(300)}`,
            '咖啡店 кофейня 🍕',
            phrase().toUpperCase(),
          ]);
        const texts = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? odd() : phrase()));
        const candidates = texts.map((text, i) => ({ id: `cold-${i}`, text }));
        // No cached vector anywhere: the kernel pools every text.
        await window.idb.clear(window.idb.createStore('kindling-vectors', 'vectors'));
        const seen: { rows: number; tokenRows: number; pooled: Map<number, Float32Array> }[] = [];
        const run = window.FusedRanker.prototype.run;
        window.FusedRanker.prototype.run = async function (x, tokens) {
          const out = await run.call(this, x, tokens);
          seen.push({ rows: x.textRows, tokenRows: tokens ? [...Array(x.textRows).keys()].filter((j) => tokens.offsets[j + 1] > tokens.offsets[j]).length : 0, pooled: out.pooled ?? new Map() });
          return out;
        };
        try {
          const fused = await window.kindling.createRecommender({ backend: 'webgpu-fused', memoryOnly: true });
          await fused.clearHistory();
          seen.length = 0;
          const d0 = window.gpuLog.dispatches;
          const s0 = window.gpuLog.submits;
          const a = await fused.rerank(candidates, { domain: 'cards' });
          const calls = { dispatches: window.gpuLog.dispatches - d0, submits: window.gpuLog.submits - s0 };
          const first = seen[0];
          // The JS encoder's vectors of the same texts (the call's distinct non-empty texts, in order: row i + 1).
          const distinct = [...new Set(texts)].filter((t) => t !== '');
          const enc = await window.kindling.createEncoder({ cache: false });
          const js = await enc.encode(distinct);
          let maxVec = 0;
          distinct.forEach((_, i) => {
            const g = first.pooled.get(i + 1)!;
            for (let k = 0; k < g.length; k++) maxVec = Math.max(maxVec, Math.abs(g[k] - js[i][k]));
          });
          // TF.js CPU on the JS encoder's vectors: the kernel's own cache entries would be pooled
          // vectors, so the caches are cleared first and the CPU run encodes in JS.
          await window.idb.clear(window.idb.createStore('kindling-vectors', 'vectors'));
          const tfcpu = await window.kindling.createRecommender({ backend: 'cpu', memoryOnly: true });
          const b = await tfcpu.rerank(candidates, { domain: 'cards' });
          const byId = new Map(b.map((x) => [x.id, x]));
          const maxScore = Math.max(...a.map((x) => Math.abs(x.score - byId.get(x.id)!.score)));
          await Promise.all([fused.dispose(), tfcpu.dispose(), enc.dispose()]);
          return { rows: first.rows, tokenRows: first.tokenRows, distinct: distinct.length, maxVec, maxScore, calls };
        } finally {
          window.FusedRanker.prototype.run = run;
        }
      },
      { words: WORDS },
    );
    expect(r.tokenRows).toBe(r.distinct); // every distinct text pooled in the kernel
    expect(r.rows).toBe(r.distinct + 1); // and row 0, "no text"
    expect(r.maxVec).toBeLessThan(1e-5);
    expect(r.maxScore).toBeLessThan(1e-4);
    expect(r.calls).toEqual({ dispatches: 3, submits: 1 });
  });

  it('keeps the vector caches: a cached text is not pooled again, and a cached vector scores as the pooled one did', async () => {
    const r = await api.p.page.evaluate(async () => {
      await window.idb.clear(window.idb.createStore('kindling-vectors', 'vectors'));
      const tokenRows: number[] = [];
      const run = window.FusedRanker.prototype.run;
      window.FusedRanker.prototype.run = async function (x, tokens) {
        // A call with every text cached passes no tokens at all: 0 rows pooled.
        tokenRows.push(tokens ? [...Array(x.textRows).keys()].filter((j) => tokens.offsets[j + 1] > tokens.offsets[j]).length : 0);
        return run.call(this, x, tokens);
      };
      try {
        const C = Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, text: `fresh espresso lounge number ${i} by the river` }));
        const rec = await window.kindling.createRecommender({ backend: 'webgpu-fused', memoryOnly: true });
        tokenRows.length = 0;
        const pooled = await rec.rerank(C, { domain: 'cards' });
        const again = await rec.rerank(C, { domain: 'cards' }); // from the memory layer
        await rec.dispose();
        // A new recommender: its memory layer is empty, IndexedDB holds the pooled vectors.
        const fresh = await window.kindling.createRecommender({ backend: 'webgpu-fused', memoryOnly: true });
        const warm = tokenRows.length;
        const fromDb = await fresh.rerank(C, { domain: 'cards' });
        // Half the texts new: only those are pooled.
        const mixed = await fresh.rerank(C.map((c, i) => (i % 2 ? { ...c, text: `${c.text} today` } : c)), { domain: 'cards' });
        await fresh.dispose();
        const stored = (await window.idb.keys(window.idb.createStore('kindling-vectors', 'vectors'))).length;
        const diff = (a: typeof pooled, b: typeof pooled) => Math.max(...a.map((x, i) => Math.abs(x.score - b[i].score)));
        return { tokenRows, warm, again: diff(pooled, again), fromDb: diff(pooled, fromDb), mixed: mixed.length, stored };
      } finally {
        window.FusedRanker.prototype.run = run;
      }
    });
    // The first call pools all 50 texts; the second finds them in memory; the fresh recommender's
    // warm-up pools its own text, then finds the 50 in IndexedDB, then pools only the 25 new ones.
    expect(r.tokenRows.slice(0, 2)).toEqual([50, 0]);
    expect(r.tokenRows.slice(r.warm)).toEqual([0, 25]);
    expect(r.again).toBe(0);
    expect(r.fromDb).toBe(0);
    expect(r.stored).toBeGreaterThanOrEqual(75);
  });
});
