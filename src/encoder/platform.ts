/** What the encoder needs from where it runs; the browser's version is here, Node's in src/node/. */
import { ModelLoadError } from '../errors.ts';
import { defaultModelBase, defaultOrtBase } from '../defaults.ts';
import { createIdbVectorCache } from './idb-cache.ts';
import type { VectorCache } from './vector-cache.ts';

export interface EncoderPlatform {
  /** The models folder (holding encoder/ and ranker/) as a fetchable path or a file path, ending in '/'. */
  modelRoot(modelBase: string | URL | undefined): string;
  readBytes(path: string): Promise<Uint8Array>;
  defaultCache(): VectorCache | undefined;
  /** Settings of the ONNX Runtime environment (where its wasm files are fetched from). */
  onnxWasmPaths(): { mjs: string; wasm: string } | undefined;
}

function pageUrl(u: string | URL): URL {
  return new URL(u, typeof document !== 'undefined' ? document.baseURI : (globalThis as { location?: { href: string } }).location?.href);
}

/** Same-origin folders are given to Transformers.js as root-relative paths: with a full URL it
 * loads the config and ONNX file but not the tokenizer (see BROWSER-TESTING.md). */
function localPath(u: URL): string {
  const here = (globalThis as { location?: { origin: string } }).location?.origin;
  return here && u.origin === here ? u.pathname : u.href;
}

export const webPlatform: EncoderPlatform = {
  modelRoot(modelBase) {
    const base = pageUrl(modelBase ?? defaultModelBase());
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    return localPath(base);
  },
  async readBytes(path) {
    let res: Response;
    try {
      res = await fetch(path);
    } catch (err) {
      throw new ModelLoadError(path, 'could not be fetched', { cause: err });
    }
    if (!res.ok) throw new ModelLoadError(path, `HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  },
  defaultCache: () => (typeof indexedDB !== 'undefined' ? createIdbVectorCache() : undefined),
  onnxWasmPaths() {
    const ort = pageUrl(defaultOrtBase());
    // The asyncify build is the one Transformers.js 4 picks for both the wasm and WebGPU devices.
    return {
      mjs: new URL('ort-wasm-simd-threaded.asyncify.mjs', ort).href,
      wasm: new URL('ort-wasm-simd-threaded.asyncify.wasm', ort).href,
    };
  },
};
