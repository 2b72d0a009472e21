/**
 * npm run bench:mainthread — what the page's visitors feel while Kindling ranks: the main thread's
 * longest task and its total blocking time while rerank() runs on 100 and 1,000 candidates whose
 * texts are all new (so the encoder works too), on the fused path and on the CPU path (TF.js),
 * with Kindling on the main thread and in its worker. Headless Chromium, one page, one run.
 * Longest task: the Long Tasks API's longest entry, and the longest gap a setTimeout(0) probe saw
 * between its turns (which also catches tasks under 50 ms); blocking time: the sum over long tasks
 * of what exceeds 50 ms. Writes bench/mainthread.json and bench/MAINTHREAD.md.
 * A benchmark, not a test: nothing here fails on a slow machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createServer } from 'vite';
import { launch } from '../test/browser/chromium.ts';
import lexicon from '../src/world/lexicon.json';

const CALLS = Number(process.env.BENCH_CALLS ?? 5);
const SIZES = [100, 1000];
const PATHS = ['webgpu-fused', 'cpu'] as const;

const server = await createServer({ configFile: 'vite.config.ts', server: { port: 0 }, logLevel: 'warn' });
await server.listen();
const port = (server.httpServer!.address() as { port: number }).port;
const browser = await launch({ webgpu: true });
const words = Object.values(lexicon.topics).flatMap((t) => [...t.items, ...t.services]);
type Cell = { longestTaskMs: number; longestGapMs: number; blockingMs: number; longTasks: number; callMs: number };
try {
  const page = await browser.newPage();
  await page.addInitScript('globalThis.__name = (f) => f'); // tsx's keepNames wraps functions sent to the page
  await page.goto(`http://127.0.0.1:${port}/test/browser/pages/api.html`);
  await page.waitForFunction(() => window.kindlingReady === true);
  const r = await page.evaluate(
    async ({ CALLS, SIZES, PATHS, words }) => {
      window.FusedRanker.validate = false;
      const adapter = (await (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info: Record<string, string> }> } }).gpu.requestAdapter()).info;
      const out: Record<string, unknown> = { adapter: `${adapter.vendor} ${adapter.architecture}`.trim() };
      let fresh = 0;
      const word = (i: number) => words[i % words.length];
      for (const path of PATHS) {
        for (const worker of [false, true]) {
          const rec = await window.kindling.createRecommender({ backend: path, worker, memoryOnly: true });
          for (let e = 0; e < 30; e++) await rec.record({ item: `cards-${e}`, domain: 'cards', action: 'click', text: `${word(e)} ${word(e * 7)}` });
          await rec.rerank([{ id: 'w', text: 'warm up' }], { domain: 'cards' });
          for (const N of SIZES) {
            // Measured: CALLS calls, each with N candidates whose texts no call has seen before.
            const calls = Array.from({ length: CALLS }, () => Array.from({ length: N }, (_, i) => ({ id: `c${i}`, text: `${word(i)} ${word(i * 13)} n${fresh++}`, features: { price: i % 5 } })));
            const tasks: number[] = [];
            const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => tasks.push(e.duration)));
            obs.observe({ type: 'longtask', buffered: false });
            let longestGap = 0;
            let last = performance.now();
            let on = true;
            const probe = () => {
              const now = performance.now();
              longestGap = Math.max(longestGap, now - last);
              last = now;
              if (on) setTimeout(probe, 0);
            };
            setTimeout(probe, 0);
            const t0 = performance.now();
            for (const C of calls) await rec.rerank(C, { domain: 'cards', query: 'coffee travel' });
            const callMs = (performance.now() - t0) / CALLS;
            await new Promise((r) => setTimeout(r, 100)); // let the last long-task entries arrive
            on = false;
            obs.disconnect();
            out[`${path}:${worker ? 'worker' : 'main'}:${N}`] = { longestTaskMs: Math.max(0, ...tasks), longestGapMs: longestGap, blockingMs: tasks.reduce((a, d) => a + Math.max(0, d - 50), 0), longTasks: tasks.length, callMs };
          }
          await rec.dispose();
        }
      }
      return out;
    },
    { CALLS, SIZES, PATHS: [...PATHS], words },
  );
  const cell = (p: string, w: string, n: number) => r[`${p}:${w}:${n}`] as Cell;
  const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const rows: string[] = [];
  for (const p of PATHS) for (const n of SIZES) for (const w of ['main', 'worker']) {
    const c = cell(p, w, n);
    rows.push(`| ${p === 'cpu' ? 'CPU (TF.js)' : 'fused (WebGPU)'} | ${n} | ${w === 'worker' ? "Kindling's worker" : 'main thread'} | ${c.longestTaskMs ? c.longestTaskMs.toFixed(0) : 'none over 50'} | ${c.longestGapMs.toFixed(0)} | ${c.blockingMs.toFixed(0)} | ${c.longTasks} | ${c.callMs.toFixed(0)} |`);
  }
  const md = `# The main thread while Kindling ranks

Written by \`npm run bench:mainthread\` (scripts/bench-mainthread.ts) on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine};
headless Chromium ${browser.version()}; WebGPU adapter: **${r.adapter}** (SwiftShader, a CPU driver). One run.
Each row: ${CALLS} \`rerank()\` calls in a row, each with its own N candidates whose texts are all new (so
the encoder runs too), a query and 30 history events; the page is otherwise idle. Long tasks are the
Long Tasks API's (over 50 ms); the probe is a \`setTimeout(0)\` loop whose longest gap between turns is
the longest the page could not respond; blocking time is the sum over long tasks of what exceeds 50 ms.
Times on this machine are noisy: compare the rows of one run.

| path | N | Kindling runs on | longest task ms | longest probe gap ms | total blocking ms | long tasks | ms per call |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

With the worker the main thread only posts the call and receives the ranking (structured clone of the
candidates and results); the encoder, the store and the network run in the worker.
`;
  mkdirSync('bench', { recursive: true });
  writeFileSync('bench/mainthread.json', JSON.stringify({ date: new Date().toISOString().slice(0, 10), machine, chromium: browser.version(), adapter: r.adapter, calls: CALLS, cells: r }, null, 2) + '\n');
  writeFileSync('bench/MAINTHREAD.md', md);
  console.log(md);
} finally {
  await browser.close();
  await server.close();
}
