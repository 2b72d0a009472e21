/**
 * npm run bench:bytes — what a first visit downloads from the production build (`npm run build`'s
 * dist/, as a site serves it) before the first ranking: the embed widget on a plain page, and the
 * demo. Bytes per file as served (Vite's preview server does not compress) and gzip-compressed
 * (zlib level 9, what a server with gzip on would send). Writes bench/bytes.json and bench/BYTES.md.
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, preview } from 'vite';
import { launch } from '../test/browser/chromium.ts';

await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
await build({ configFile: 'vite.embed.config.ts', logLevel: 'warn' });
const server = await preview({ configFile: 'vite.config.ts', preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
const port = (server.httpServer.address() as { port: number }).port;
const origin = `http://127.0.0.1:${port}`;
const browser = await launch({ webgpu: true });

interface Fetched {
  path: string;
  bytes: number;
  gzip: number;
}

async function visit(url: string, ready: string, route?: string): Promise<Fetched[]> {
  const page = await browser.newPage();
  const paths: string[] = [];
  page.on('requestfinished', (r) => {
    const u = new URL(r.url());
    if (u.origin === origin) paths.push(u.pathname);
  });
  if (route) await page.route(`${origin}/plain/**`, (r) => r.fulfill({ contentType: 'text/html', body: route }));
  await page.goto(url);
  await page.waitForSelector(ready, { timeout: 180_000 });
  // What the load fetches after the first ranking counts too (with kernelInBackground, the fused
  // kernel's shader source may come later): until the network has been quiet for 500 ms, and 2 s more.
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(2000);
  await page.close();
  return [...new Set(paths)]
    .filter((p) => !p.startsWith('/plain/'))
    .map((p) => {
      const file = readFileSync(join('dist', p === '/' ? 'index.html' : decodeURIComponent(p)));
      return { path: p, bytes: file.length, gzip: gzipSync(file, { level: 9 }).length };
    })
    .sort((a, b) => b.bytes - a.bytes);
}

const widget = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<input id="search"><div id="suggestions"></div>
<script type="application/json" id="catalogue">[{"id":"s1","text":"order latte"},{"id":"s2","text":"pay electricity bill"},{"id":"s3","text":"book a flight"}]</script>
<script src="/kindling.embed.js" data-target="#suggestions" data-domain="suggest" data-candidates="#catalogue" data-query-input="#search"></script></body></html>`;
const pages = {
  'embed widget on a plain page': await visit(`${origin}/plain/widget.html`, '#suggestions .kindling-item', widget),
  'the demo page': await visit(`${origin}/`, 'body[data-ready="true"]'),
};
await browser.close();

/**
 * Time to the first ranking from a cold cache (a fresh browser context): navigation start to the
 * widget's first `kindling:ranked` event, with the recommender's own load timings (where it ran: the
 * worker) and when the page's last script arrived. With WebGPU (the widget's default: the first
 * ranking on TF.js CPU while the fused kernel compiles; and with data-kernel-in-background="false",
 * waiting for the kernel) and without WebGPU (CPU).
 */
interface FirstRank {
  gpu: boolean;
  waitKernel: boolean;
  rankedMs: number;
  scriptsMs: number;
  backend: string;
  runsIn: string;
  loadTimings: Record<string, number>;
}
async function firstRank(gpu: boolean, waitKernel: boolean): Promise<FirstRank> {
  const html = waitKernel ? widget.replace('<script src="/kindling.embed.js"', '<script src="/kindling.embed.js" data-kernel-in-background="false"') : widget;
  const b = await launch({ webgpu: gpu });
  try {
    const page = await b.newPage();
    await page.addInitScript(() => {
      document.addEventListener('kindling:ranked', (e) => {
        const w = window as unknown as { __first?: unknown };
        w.__first ??= { at: performance.now(), detail: (e as CustomEvent).detail };
      });
    });
    await page.route(`${origin}/plain/**`, (r) => r.fulfill({ contentType: 'text/html', body: html }));
    await page.goto(`${origin}/plain/widget.html`);
    await page.waitForFunction(() => (window as unknown as { __first?: unknown }).__first, null, { timeout: 180_000 });
    const r = await page.evaluate(() => {
      const f = (window as unknown as { __first: { at: number; detail: { backend: string; runsIn: string; loadTimings: Record<string, number> } } }).__first;
      const scripts = performance.getEntriesByType('resource').filter((e) => (e as PerformanceResourceTiming).initiatorType === 'script' || e.name.endsWith('.js'));
      return { rankedMs: f.at, scriptsMs: Math.max(0, ...scripts.map((e) => (e as PerformanceResourceTiming).responseEnd)), backend: f.detail.backend, runsIn: f.detail.runsIn, loadTimings: f.detail.loadTimings };
    });
    return { gpu, waitKernel, ...r };
  } finally {
    await b.close();
  }
}
/** The run with the median time to first ranking, of RUNS. */
const RUNS = Number(process.env.BENCH_FIRST_RUNS ?? 3);
async function medianRun(gpu: boolean, waitKernel = false): Promise<FirstRank & { runs: number[] }> {
  const all: FirstRank[] = [];
  for (let i = 0; i < RUNS; i++) all.push(await firstRank(gpu, waitKernel));
  all.sort((a, b) => a.rankedMs - b.rankedMs);
  return { ...all[Math.floor(all.length / 2)], runs: all.map((t) => Math.round(t.rankedMs)) };
}
const times = [await medianRun(true), await medianRun(true, true), await medianRun(false)];
await new Promise<void>((r) => server.httpServer.close(() => r()));

const kind = (p: string) => (p.startsWith('/models/') ? 'models' : p.endsWith('.wasm') ? 'wasm' : p.endsWith('.js') || p.endsWith('.mjs') ? 'JavaScript' : 'other');
const mb = (n: number) => (n / 1e6).toFixed(2);
const sum = (xs: Fetched[], k: 'bytes' | 'gzip') => xs.reduce((n, f) => n + f[k], 0);
const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
const sections = Object.entries(pages).map(([name, files]) => {
  const kinds = ['models', 'JavaScript', 'wasm', 'other'].map((k) => [k, files.filter((f) => kind(f.path) === k)] as const).filter(([, f]) => f.length);
  return [
    `## ${name}`,
    `${files.length} files, ${mb(sum(files, 'bytes'))} MB as served, ${mb(sum(files, 'gzip'))} MB gzipped.`,
    '',
    '| kind | files | MB | MB gzipped |',
    '|---|---|---|---|',
    ...kinds.map(([k, f]) => `| ${k} | ${f.length} | ${mb(sum(f, 'bytes'))} | ${mb(sum(f, 'gzip'))} |`),
    '',
    '| largest files | MB | MB gzipped |',
    '|---|---|---|',
    ...files.slice(0, 6).map((f) => `| \`${f.path}\` | ${mb(f.bytes)} | ${mb(f.gzip)} |`),
    '',
  ].join('\n');
});
const md = `# First-visit bytes (production build)

Written by \`npm run bench:bytes\` (scripts/bench-bytes.ts) on ${new Date().toISOString().slice(0, 10)}; ${machine}; headless Chromium with WebGPU on
SwiftShader. Every file the page fetched from its own origin until its first ranking was on screen and the network
had gone quiet (500 ms, then 2 s more: what the load fetches after the first ranking counts too), sized from
dist/ as served and gzip-compressed (level 9). The shipped encoder runs in plain JS, so ONNX Runtime's wasm is
not among them.

${sections.join('\n')}
## Time to the first ranking (embed widget, cold cache)
Navigation start to the widget's first \`kindling:ranked\` event, the production build served locally, each a
fresh browser (cold cache); the run shown is the median of ${RUNS} (all of them in the last column). The parts are the
recommender's \`loadTimings\` (measured where it runs, here in Kindling's worker).
The adapter probe, the encoder and the ranker run side by side (and the fused kernel compiles once the
ranker's weights and the adapter are in), so the parts overlap: "parts in a row" adds them up, "load total"
is the wall time. On this machine they compete for 2 cores (SwiftShader's adapter probe and shader
compilation are CPU work too), so each part takes longer side by side than alone; over a network, with a
GPU, the fetches overlap the probe and the compilation instead.

| WebGPU | widget | first ranking on | runs in | first ranking ms | page scripts in by ms | load total ms | adapter probe ms | TF.js backend ms | encoder ms | ranker ms | kernel ms | warm-up ms | parts in a row ms | every run: first ranking ms |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${times.map((t) => { const l = t.loadTimings; return `| ${t.gpu ? 'yes (SwiftShader)' : 'no'} | ${t.gpu ? (t.waitKernel ? 'waits for the kernel' : 'kernel in background (default)') : 'default'} | ${t.backend} | ${t.runsIn} | ${t.rankedMs.toFixed(0)} | ${t.scriptsMs.toFixed(0)} | ${l.totalMs.toFixed(0)} | ${l.adapterMs.toFixed(0)} | ${l.backendMs.toFixed(0)} | ${l.encoderMs.toFixed(0)} | ${l.rankerMs.toFixed(0)} | ${l.kernelMs.toFixed(0)} | ${l.warmupMs.toFixed(0)} | ${(l.adapterMs + l.backendMs + l.encoderMs + l.rankerMs + l.kernelMs + l.warmupMs).toFixed(0)} | ${t.runs.join(', ')} |`; }).join('\n')}

With the kernel in the background (the widget's default) the load does not wait for the fused kernel
(its "kernel ms" is 0: it compiles after the first ranking, and the widget's later rankings run on it);
"waits for the kernel" is the same page with \`data-kernel-in-background="false"\`, measured in the same run.
What the first ranking waits for beyond the load: the worker's start (its script), the page's candidates,
and the first \`rerank()\` itself.
`;
mkdirSync('bench', { recursive: true });
writeFileSync('bench/bytes.json', JSON.stringify({ date: new Date().toISOString(), machine, pages, firstRanking: times }, null, 1) + '\n');
writeFileSync('bench/BYTES.md', md);
console.log(md);
process.exit(0);
