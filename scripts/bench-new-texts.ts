/**
 * npm run bench:newtexts — rerank() on the fused path when every candidate's text is new (no cached
 * vector), with the static encoder's lookup and pooling in the kernel's text pass (tokens in) and,
 * in the same run on the same page, with the texts encoded in JS first (FusedRanker.poolTexts =
 * false: how it ran before). Also the JS encoder's own time for those texts, split into the
 * tokenizer (which stays on the CPU either way) and the rest. Headless Chromium, WebGPU on
 * SwiftShader; medians of BENCH_CALLS (default 15) calls, each on texts no call saw before.
 * Writes bench/new-texts.json and bench/NEWTEXTS.md. A benchmark, not a test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { openApiPage } from './bench-page.ts';
import lexicon from '../src/world/lexicon.json';

const CALLS = Number(process.env.BENCH_CALLS ?? 15);
const SIZES = [100, 1000];
const { page, close } = await openApiPage();
const words = Object.values(lexicon.topics).flatMap((t) => [...t.items, ...t.queries, ...t.services]);
try {
  const r = await page.evaluate(
    async ({ CALLS, SIZES, words }) => {
      window.FusedRanker.validate = false;
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const adapter = (await (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info: Record<string, string> }> } }).gpu.requestAdapter()).info;
      let fresh = 0;
      // N texts no call has seen: three lexicon words and a counter the encoder does not know.
      const texts = (N: number) => Array.from({ length: N }, (_, i) => `${words[(fresh + i) % words.length]} ${words[(fresh * 7 + i * 13) % words.length]} ${words[(i * 31 + fresh) % words.length]} n${fresh++}x${i}`);
      const rows: Record<string, number | string>[] = [];
      for (const N of SIZES) {
        const row: Record<string, number | string> = { N };
        for (const pool of [true, false]) {
          window.FusedRanker.poolTexts = pool;
          const rec = await window.kindling.createRecommender({ backend: 'webgpu-fused', memoryOnly: true });
          await rec.rerank(texts(N).map((text, i) => ({ id: `c${i}`, text })), { domain: 'cards' }); // first call: buffers grow
          const ms: number[] = [];
          for (let c = 0; c < CALLS; c++) {
            const C = texts(N).map((text, i) => ({ id: `c${i}`, text }));
            const t = performance.now();
            await rec.rerank(C, { domain: 'cards', query: 'coffee travel' });
            ms.push(performance.now() - t);
          }
          row[pool ? 'kernel pools' : 'JS encodes'] = median(ms);
          await rec.dispose();
        }
        window.FusedRanker.poolTexts = true;
        // The JS encoder alone on N new texts (no cache): all of it, and its tokenizer.
        const enc = await window.kindling.createEncoder({ cache: false });
        const all: number[] = [];
        const tok: number[] = [];
        for (let c = 0; c < CALLS; c++) {
          const T = texts(N);
          let t = performance.now();
          enc.words!.tokenize(T);
          tok.push(performance.now() - t);
          t = performance.now();
          await enc.encode(T);
          all.push(performance.now() - t);
        }
        await enc.dispose();
        row['JS encode'] = median(all);
        row['of it, tokenizer'] = median(tok);
        rows.push(row);
      }
      return { adapter: `${adapter.vendor} ${adapter.architecture}`.trim(), rows };
    },
    { CALLS, SIZES, words },
  );
  const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const f = (x: unknown) => (x as number).toFixed(1);
  const md = `# rerank() on new texts: the encoder in the kernel vs in JS

Written by \`npm run bench:newtexts\` (scripts/bench-new-texts.ts) on ${new Date().toISOString().slice(0, 10)}; ${machine}; headless Chromium,
WebGPU adapter "${r.adapter}" (SwiftShader, a CPU Vulkan driver: not a GPU). One run, one page; each cell is the median
of ${CALLS} calls, every call on ${'N'} texts no call saw before (so no vector is cached), a query and no history.

- *kernel pools*: the fused path as shipped: Transformers.js tokenizes, the kernel's text pass looks the tokens
  up in the word table (uploaded once), dequantises and mean-pools them (3 dispatches, 1 submit); the pooled
  vectors come back with the scores and go into the memory cache at once, and into IndexedDB behind the call.
- *JS encodes*: the same path with the texts encoded in JS first (\`FusedRanker.poolTexts = false\`), as before:
  \`encode()\` returns once IndexedDB has the new vectors.
- Both look every text up in the vector caches first (a SHA-256 key per text, then IndexedDB).
- *JS encode*: the JS encoder alone on N new texts, and the tokenizer's part of it (which stays on the CPU).

| N | rerank, kernel pools (ms) | rerank, JS encodes (ms) | JS encode alone (ms) | of it, tokenizer (ms) | JS time that leaves the call (ms) |
|---|---|---|---|---|---|
${r.rows.map((x) => `| ${x.N} | ${f(x['kernel pools'])} | ${f(x['JS encodes'])} | ${f(x['JS encode'])} | ${f(x['of it, tokenizer'])} | ${f((x['JS encode'] as number) - (x['of it, tokenizer'] as number))} |`).join('\n')}
`;
  mkdirSync('bench', { recursive: true });
  writeFileSync('bench/new-texts.json', JSON.stringify({ date: new Date().toISOString(), machine, calls: CALLS, ...r }, null, 1) + '\n');
  writeFileSync('bench/NEWTEXTS.md', md);
  console.log(md);
} finally {
  await close();
}
process.exit(0);
