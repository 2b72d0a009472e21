/**
 * npm run bench:encoder — texts per second of the shipped encoder in Node (ONNX Runtime CPU),
 * in headless Chromium in plain JS (the page's default for this model), on WebGPU (SwiftShader here)
 * and on wasm, measured in one run.
 * Writes bench/encoder.json and bench/ENCODER.md. Not a test: nothing here can fail on a slow day.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createServer } from 'vite';
import { launch } from '../test/browser/chromium.ts';
import { createEncoder } from '../src/node/index.ts';
import { mulberry32, randInt } from '../src/util/random.ts';

const N = 512;
const REPS = 5;
const words = 'coffee shop espresso bar airline tickets hotel room taxi ride pay electricity bill movie cinema doctor clinic pizza delivery grocery store bank loan insurance policy train booking weather forecast'.split(' ');

/** REPS sets of N distinct texts, so the vector cache never answers. */
function textSets(): string[][] {
  const rand = mulberry32(7);
  return Array.from({ length: REPS + 1 }, (_, r) =>
    Array.from({ length: N }, (_, i) => `${Array.from({ length: 2 + randInt(rand, 6) }, () => words[randInt(rand, words.length)]).join(' ')} ${r}-${i}`),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function node(sets: string[][]) {
  const enc = await createEncoder({ cache: false });
  await enc.encode(sets[0]); // warm-up
  const ms: number[] = [];
  for (const s of sets.slice(1)) {
    const t = performance.now();
    await enc.encode(s);
    ms.push(performance.now() - t);
  }
  await enc.dispose();
  return { device: 'cpu (onnxruntime-node)', textsPerSecond: (N * 1000) / median(ms) };
}

async function browser(sets: string[][]) {
  const server = await createServer({ configFile: 'vite.config.ts', server: { port: 0 }, logLevel: 'warn' });
  await server.listen();
  const addr = server.httpServer!.address() as { port: number };
  const b = await launch({ webgpu: true });
  try {
    const page = await b.newPage();
    await page.goto(`http://127.0.0.1:${addr.port}/test/browser/pages/api.html`);
    await page.waitForFunction(() => window.kindlingReady === true);
    const adapter = await page.evaluate(async () => {
      const a = await (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info: Record<string, string> } | null> } }).gpu.requestAdapter();
      return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description ?? ''}`.trim() : 'none';
    });
    const rows = [];
    for (const device of ['js', 'webgpu', 'wasm'] as const) {
      const ms = await page.evaluate(
        async ({ device, sets }) => {
          const enc = await window.kindling.createEncoder({ device, cache: false });
          await enc.encode(sets[0]);
          const out: number[] = [];
          for (const s of sets.slice(1)) {
            const t = performance.now();
            await enc.encode(s);
            out.push(performance.now() - t);
          }
          await enc.dispose();
          return out;
        },
        { device, sets },
      );
      rows.push({ device: `browser ${device}`, textsPerSecond: (N * 1000) / median(ms) });
    }
    return { adapter, browserVersion: b.version(), rows };
  } finally {
    await b.close();
    await server.close();
  }
}

const sets = textSets();
const n = await node(sets);
const br = await browser(sets);
const rows = [n, ...br.rows];
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
const result = {
  date: new Date().toISOString().slice(0, 10),
  machine,
  adapter: br.adapter,
  chromium: br.browserVersion,
  texts: N,
  batch: 32,
  reps: REPS,
  rows: rows.map((r) => ({ ...r, textsPerSecond: Math.round(r.textsPerSecond) })),
};
const table = [
  '| path | texts / second | vs Node |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.device} | ${Math.round(r.textsPerSecond).toLocaleString('en-US')} | ${(r.textsPerSecond / n.textsPerSecond).toFixed(2)}x |`),
].join('\n');
const md = `# Encoder throughput

Written by \`npm run bench:encoder\` (scripts/bench-encoder.ts) on ${result.date}.
Machine: ${machine}. Browser: headless Chromium ${br.browserVersion}; WebGPU adapter: ${br.adapter}.
The shipped encoder (kindling-glove-100d, q8), batches of 32, cache off; each row is the median of
${REPS} runs of ${N} distinct short phrases after one warm-up run, all in one process and one page.

${table}

SwiftShader runs WebGPU shaders on the CPU, so the WebGPU row says nothing about a real GPU: read
the ratios, not the absolute numbers. For this encoder (a table lookup and a mean) we expect most of the time to go to
tokenization and per-call overhead rather than arithmetic on every device (not measured separately here).
`;
mkdirSync('bench', { recursive: true });
writeFileSync('bench/encoder.json', JSON.stringify(result, null, 2) + '\n');
writeFileSync('bench/ENCODER.md', md);
console.log(md);
