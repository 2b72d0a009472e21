/**
 * The encoder in headless Chromium: the js (default), WebGPU (SwiftShader) and wasm devices,
 * against each other and against Node; the IndexedDB vector cache; and no request leaves the page's origin.
 */
import { describe, expect, inject, it } from 'vitest';
import { createEncoder } from '../../src/node/index.ts';
import { cosine } from '../../src/util/vector.ts';
import pairs from '../fixtures/encoder-pairs.json';
import phrases from '../fixtures/encoder-phrases.json';
import { foreignRequests, type OpenPage } from './chromium.ts';
import { useApiPage } from './use-api-page.ts';

const base = inject('baseURL');
const TEXTS = [...pairs.triples.flat(), ...phrases.phrases, '', 'x'.repeat(10_000)];

type Result = { device: string; dim: number; id: string; vectors: number[][]; progress: string[] };

/**
 * Loads an encoder in the page and encodes TEXTS; vectors come back as plain arrays. Without
 * `cached` the vector cache is off, so the device itself computes every vector.
 */
function encodeInPage(p: OpenPage, device: 'auto' | 'webgpu' | 'wasm' | 'js', cached = false): Promise<Result> {
  return p.page.evaluate(
    async ({ device, texts, cached }) => {
      const progress: string[] = [];
      const enc = await window.kindling.createEncoder({ device, onProgress: (e) => progress.push(`${e.status}:${e.file ?? ''}`), ...(cached ? {} : { cache: false as const }) });
      const vectors = (await enc.encode(texts)).map((v) => Array.from(v));
      await enc.dispose();
      return { device: enc.device, dim: enc.dim, id: enc.id, vectors, progress };
    },
    { device, texts: TEXTS, cached },
  );
}

const maxAbsDiff = (a: number[][], b: ArrayLike<number>[]) => Math.max(...a.map((row, i) => Math.max(...row.map((x, j) => Math.abs(x - b[i][j])))));

describe('encoder in Chromium with WebGPU', () => {
  const api = useApiPage({ webgpu: true });

  let gpu: Result;
  let wasm: Result;
  let js: Result;
  it('runs the shipped (static) encoder in plain JS by default, equal to Node bit for bit', async () => {
    js = await encodeInPage(api.p, 'auto', true);
    expect(js.device).toBe('js');
    const node = await createEncoder();
    expect(node.id).toBe(js.id);
    expect(maxAbsDiff(js.vectors, await node.encode(TEXTS))).toBe(0);
    await node.dispose();
  });

  it('runs on the webgpu device when asked, with the known pairs in order', async () => {
    gpu = await encodeInPage(api.p, 'webgpu');
    expect(gpu.device).toBe('webgpu');
    expect(gpu.dim).toBe(100);
    expect(gpu.progress).toContain('ready:');
    const v = gpu.vectors;
    for (let t = 0; t < pairs.triples.length; t++) {
      const [a, r, u] = [v[3 * t], v[3 * t + 1], v[3 * t + 2]];
      expect(cosine(a, r), pairs.triples[t].join(' / ')).toBeGreaterThan(cosine(a, u));
    }
    expect(v.flat().every(Number.isFinite)).toBe(true);
  });

  it('agrees with the wasm device within 1e-4, and with Node within 1e-4', async () => {
    wasm = await encodeInPage(api.p, 'wasm');
    expect(wasm.device).toBe('wasm');
    expect(wasm.id).toBe(gpu.id);
    expect(maxAbsDiff(gpu.vectors, wasm.vectors)).toBeLessThan(1e-4);
    const node = await createEncoder();
    expect(node.id).toBe(gpu.id);
    const nodeVectors = await node.encode(TEXTS);
    expect(maxAbsDiff(gpu.vectors, nodeVectors)).toBeLessThan(1e-4);
    expect(maxAbsDiff(wasm.vectors, nodeVectors)).toBeLessThan(1e-4);
    await node.dispose();
  });

  it('rejects bad input with a typed error naming the field', async () => {
    const errors = await api.p.page.evaluate(async () => {
      const enc = await window.kindling.createEncoder({ device: 'wasm' });
      const out: string[] = [];
      for (const bad of [[1], [null], 'text', [undefined], [{}]]) {
        try {
          await enc.encode(bad as never);
          out.push('resolved');
        } catch (e) {
          out.push(`${(e as Error).name} ${(e as Error).message} ${e instanceof window.kindling.InputError}`);
        }
      }
      return out;
    });
    expect(errors).toEqual([
      'InputError texts[0]: expected a string, got number true',
      'InputError texts[0]: expected a string, got null true',
      'InputError texts: expected an array of strings, got string true',
      'InputError texts[0]: expected a string, got undefined true',
      'InputError texts[0]: expected a string, got object true',
    ]);
  });

  it('caches vectors in IndexedDB under the encoder id, and serves them after a reload', async () => {
    const stored = await api.p.page.evaluate(async () => {
      const { createStore, keys } = window.idb;
      return (await keys(createStore('kindling-vectors', 'vectors'))) as string[];
    });
    expect(stored.length).toBeGreaterThanOrEqual(new Set(TEXTS).size);
    expect(stored.every((k) => k.startsWith(`${js.id}:`))).toBe(true);
    await api.p.page.reload();
    await api.p.page.waitForFunction(() => window.kindlingReady === true);
    // A cache that only reads IndexedDB proves the vectors come from there, not from the model.
    const cached = await api.p.page.evaluate(async (texts) => {
      const { createStore, getMany } = window.idb;
      const store = createStore('kindling-vectors', 'vectors');
      let misses = 0;
      const enc = await window.kindling.createEncoder({
        device: 'wasm',
        cache: {
          getMany: async (k: string[]) => getMany(k, store),
          setMany: async (e: [string, Float32Array][]) => void (misses += e.length),
          clear: async () => {},
        },
        memoryCacheEntries: 1,
      });
      const vectors = (await enc.encode(texts)).map((v) => Array.from(v));
      return { misses, vectors };
    }, TEXTS);
    expect(cached.misses).toBe(0);
    expect(maxAbsDiff(cached.vectors, js.vectors)).toBe(0);
    const afterClear = await api.p.page.evaluate(async () => {
      const enc = await window.kindling.createEncoder({ device: 'wasm' });
      await enc.clearCache();
      const { createStore, keys } = window.idb;
      return (await keys(createStore('kindling-vectors', 'vectors'))).length;
    });
    expect(afterClear).toBe(0);
  });

  it('made requests to its own origin only, and no page errors', () => {
    expect(foreignRequests(api.p.requests, base)).toEqual([]);
    expect(api.p.requests.some((r) => r.endsWith('/models/encoder/kindling-glove-100d/onnx/model_quantized.onnx'))).toBe(true);
    expect(api.p.requests.some((r) => r.endsWith('/ort/ort-wasm-simd-threaded.asyncify.wasm'))).toBe(true);
    expect(api.p.errors).toEqual([]);
  });
});

describe('encoder in Chromium without WebGPU', () => {
  const api = useApiPage({ webgpu: false });

  it('runs on wasm when asked, and says so when WebGPU is demanded', async () => {
    const r = await encodeInPage(api.p, 'wasm');
    expect(r.device).toBe('wasm');
    const node = await createEncoder();
    expect(maxAbsDiff(r.vectors, await node.encode(TEXTS))).toBeLessThan(1e-4);
    const err = await api.p.page.evaluate(async () => {
      try {
        await window.kindling.createEncoder({ device: 'webgpu' });
        return 'resolved';
      } catch (e) {
        return `${(e as Error).name}: ${e instanceof window.kindling.WebGPUUnavailableError}`;
      }
    });
    expect(err).toBe('WebGPUUnavailableError: true');
  });
});
