/**
 * The text encoder: texts in, one mean-pooled vector per text out. The same code runs in Node
 * (training) and in the page (ranking); only the platform (file access, default cache) differs.
 * The model is any Transformers.js feature-extraction folder; its vectors are phi_lm of the
 * paper's text aspect, mean-pooled over the tokens with the attention mask.
 */
import { InputError, ModelLoadError, ModelOutputError } from '../errors.ts';
import { hex } from '../util/digest.ts';
import { chooseDevice, deviceNeedsWebGPU, isBrowser, requestWebGPUAdapter, type ResolvedDevice } from './device.ts';
import { onnxFileFor, validateEncoderOptions, type EncoderOptions, type LoadProgress } from './options.ts';
import type { EncoderPlatform } from './platform.ts';
import { readStaticTable, STATIC_KIND, staticExtractor, tokenIds, type StaticTable, type Tokenize } from './static-encoder.ts';
import { FallibleCache, vectorKey } from './vector-cache.ts';
import { Lru } from '../util/lru.ts';

export interface Encoder {
  /** `<name>@<content hash>`: the key vector caches and trained rankers record. */
  readonly id: string;
  /** Vector size, read from the model's config. */
  readonly dim: number;
  readonly model: string;
  readonly device: ResolvedDevice;
  /** One vector per text, in order. Empty text gives the model's vector for no words. */
  encode(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * The static word-vector encoder on the `js` device only: what another device needs to do its
   * lookup and pooling itself (the fused kernel does, on the GPU), with the caches kept in step.
   */
  readonly words?: WordPooling;
  clearCache(): Promise<void>;
  dispose(): Promise<void>;
}

export interface WordPooling {
  /** The word-vector table as stored (static-table.ts). */
  readonly table: StaticTable;
  /**
   * The token ids of each text as encode() reads it (clipped, truncated, [CLS] first), flattened:
   * text i's are ids[offsets[i] .. offsets[i + 1]). Its vector is the mean of those rows.
   */
  tokenize(texts: readonly string[]): { ids: Int32Array; offsets: Int32Array };
  /** Each text's vector from the caches (memory, then persistent), or undefined: encodes nothing. */
  cached(texts: readonly string[]): Promise<(Float32Array | undefined)[]>;
  /** Puts vectors pooled elsewhere into the caches, as encode() would have. */
  remember(texts: readonly string[], vectors: Float32Array[]): Promise<void>;
}

type Transformers = typeof import('@huggingface/transformers');
type Extractor = Awaited<ReturnType<Transformers['pipeline']>> & {
  (texts: string[], o: { pooling: 'mean'; normalize: boolean }): Promise<{ data: Float32Array; dims: number[]; dispose?(): void }>;
  dispose(): Promise<void>;
};

// Transformers.js keeps its settings in one global `env`; loads are queued so that two encoders
// with different folders never see each other's localModelPath.
let loadChain: Promise<unknown> = Promise.resolve();


function configDim(config: Record<string, unknown>): number | undefined {
  for (const k of ['hidden_size', 'd_model', 'dim', 'n_embd', 'embedding_size']) {
    const v = config[k];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

/** Transformers.js says `Could not locate file: "<url>"` for a missing file; name that file. */
function loadError(folder: string, err: unknown): ModelLoadError {
  const msg = err instanceof Error ? err.message : String(err);
  const file = /locate file: "([^"]+)"/.exec(msg)?.[1];
  return new ModelLoadError(file ?? folder, file ? 'not found' : `could not be loaded: ${msg}`, { cause: err });
}

/**
 * Sets Transformers.js's settings for a load of Kindling's own files (no hub, no Cache API copy: the
 * files come from our origin and the HTTP cache revalidates them); returns what puts the page's back.
 */
function borrowSettings(env: Transformers['env'], wasmPaths: unknown, root: string): () => void {
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown } };
  const saved = { allowRemoteModels: env.allowRemoteModels, allowLocalModels: env.allowLocalModels, useBrowserCache: env.useBrowserCache, localModelPath: env.localModelPath };
  const savedWasm = onnx.wasm ? { had: 'wasmPaths' in onnx.wasm, value: onnx.wasm.wasmPaths } : undefined;
  Object.assign(env, { allowRemoteModels: false, allowLocalModels: true, useBrowserCache: false, localModelPath: root });
  if (wasmPaths && onnx.wasm) onnx.wasm.wasmPaths = wasmPaths;
  return () => {
    Object.assign(env, saved);
    if (onnx.wasm && savedWasm) {
      if (savedWasm.had) onnx.wasm.wasmPaths = savedWasm.value;
      else delete onnx.wasm.wasmPaths;
    }
  };
}

/**
 * `webgpu`: whether the page has a WebGPU adapter, when the caller already asks (createRecommender
 * probes once for both); asked only if the device choice needs it (deviceNeedsWebGPU).
 */
export async function createEncoderOn(platform: EncoderPlatform, options?: EncoderOptions, webgpu?: () => Promise<boolean>): Promise<Encoder> {
  const o = validateEncoderOptions(options);
  const root = `${platform.modelRoot(o.modelBase)}encoder/`;
  const folder = `${root}${o.model}/`;

  const configBytes = await platform.readBytes(`${folder}config.json`);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(new TextDecoder().decode(configBytes));
  } catch (err) {
    throw new ModelLoadError(`${folder}config.json`, 'is not valid JSON', { cause: err });
  }
  const dim = configDim(config);
  if (!dim) throw new ModelLoadError(`${folder}config.json`, 'names no hidden_size (or d_model, dim, n_embd)');
  const isStatic = (config.kindling as { kind?: unknown } | undefined)?.kind === STATIC_KIND;
  const model = { static: isStatic };
  const hasGpu = deviceNeedsWebGPU(o.device, model) ? await (webgpu ?? (async () => (await requestWebGPUAdapter()) != null))() : false;
  const device = chooseDevice(o.device, { browser: isBrowser(), webgpu: hasGpu }, model);

  const transformers: Transformers = await import('@huggingface/transformers');
  const load = async () => {
    // Transformers.js's settings are one object per copy of the library, which a page may share with
    // Kindling (one bundle): Kindling sets what its load needs and puts the page's values back when
    // the load ends (loads are chained, so two of Kindling's never overlap).
    const restore = borrowSettings(transformers.env, platform.onnxWasmPaths(), root);
    try {
      return await loadExtractor();
    } finally {
      restore();
    }
  };
  const loadExtractor = async () => {
    const progress_callback = (p: { status: string; file?: string; progress?: number; loaded?: number; total?: number }) => {
      if (!o.onProgress || !['initiate', 'download', 'progress', 'done', 'ready'].includes(p.status)) return;
      o.onProgress({ stage: 'encoder', status: p.status as LoadProgress['status'], file: p.file, progress: p.progress, loaded: p.loaded, total: p.total });
    };
    if (device === 'js') {
      // The tokenizer is Transformers.js's; the table is read out of the model file (static-encoder.ts).
      let tokenizer: Tokenize;
      try {
        tokenizer = (await transformers.AutoTokenizer.from_pretrained(o.model, { progress_callback })) as unknown as Tokenize;
      } catch (err) {
        throw loadError(folder, err);
      }
      const file = `${folder}${onnxFileFor(o.dtype)}`;
      const table = readStaticTable(await platform.readBytes(file), file, dim);
      staticParts = { tokenizer, table };
      return Object.assign(staticExtractor(tokenizer, table, transformers as never), { dispose: async () => undefined }) as unknown as Extractor;
    }
    try {
      return (await transformers.pipeline('feature-extraction', o.model, { device, dtype: o.dtype, progress_callback })) as unknown as Extractor;
    } catch (err) {
      throw loadError(folder, err);
    }
  };
  let staticParts: { tokenizer: Tokenize; table: StaticTable } | undefined;
  const loading = loadChain.then(load, load);
  loadChain = loading.catch(() => undefined);
  const extractor = await loading;

  const id = await encoderId(platform, folder, config, configBytes, o.dtype);
  const cache = new FallibleCache(
    o.cache === false ? undefined : (o.cache ?? platform.defaultCache()),
    (error) => o.onWarning?.({ type: 'storage-unavailable', message: 'the text-vector cache cannot be used; vectors are kept in memory only', error }),
  );

  // The memory layer, by text: a page reranks the same candidates often, and these skip hashing and
  // the persistent cache's lookups. With no persistent cache (or a failed one) it is the only one.
  const recent = new Lru<string, Float32Array>(o.memoryCacheEntries);

  async function run(texts: string[]): Promise<Float32Array[]> {
    const out = await extractor(texts, { pooling: 'mean', normalize: false });
    try {
      if (out.dims.length !== 2 || out.dims[0] !== texts.length || out.dims[1] !== dim) {
        throw new ModelOutputError(`${o.model}: expected output [${texts.length}, ${dim}] (dim from config.json), got [${out.dims.join(', ')}]`);
      }
      const rows = texts.map((_, i) => out.data.slice(i * dim, (i + 1) * dim));
      rows.forEach((r, i) => {
        if (!r.every(Number.isFinite)) throw new ModelOutputError(`${o.model}: non-finite vector for text ${i} of the batch`);
      });
      return rows;
    } finally {
      out.dispose?.();
    }
  }

  const clip = (texts: readonly string[]) => {
    if (!Array.isArray(texts)) throw new InputError('texts', `expected an array of strings, got ${texts === null ? 'null' : typeof texts}`);
    return texts.map((t, i) => {
      if (typeof t !== 'string') throw new InputError(`texts[${i}]`, `expected a string, got ${t === null ? 'null' : typeof t}`);
      return t.length > o.maxTextChars ? t.slice(0, o.maxTextChars) : t;
    });
  };
  // A text's cache key is a SHA-256 of it: kept for the texts seen lately, so a text looked up and then
  // stored (encode(), or the kernel's pooled vectors) is hashed once.
  const keys = new Lru<string, string>(o.memoryCacheEntries);
  const keyOf = async (t: string) => {
    let k = keys.get(t);
    if (k === undefined) keys.set(t, (k = await vectorKey(id, t)));
    return k;
  };
  /** Clipped texts' vectors from the memory layer, then the persistent cache (one lookup per distinct text). */
  async function lookup(clipped: string[]): Promise<{ out: (Float32Array | undefined)[]; missing: string[] }> {
    const out: (Float32Array | undefined)[] = clipped.map((t) => recent.get(t));
    const unseen = [...new Set(clipped.filter((_, i) => !out[i]))];
    if (!unseen.length) return { out, missing: [] };
    const found = await cache.getMany(await Promise.all(unseen.map(keyOf)));
    const got = new Map<string, Float32Array>();
    unseen.forEach((t, i) => {
      if (!found[i]) return;
      got.set(t, found[i]);
      recent.set(t, found[i]);
    });
    return { out: clipped.map((t, i) => out[i] ?? got.get(t)), missing: unseen.filter((t) => !got.has(t)) };
  }
  /** Into the memory layer at once (the next call finds them), then the persistent cache. */
  async function store(texts: string[], vectors: Float32Array[]) {
    texts.forEach((t, i) => recent.set(t, vectors[i]));
    await cache.setMany(await Promise.all(texts.map(async (t, i) => [await keyOf(t), vectors[i]] as [string, Float32Array])));
  }

  const words: WordPooling | undefined = staticParts && {
    table: staticParts.table,
    tokenize: (texts) => tokenIds(staticParts!.tokenizer, clip(texts)),
    cached: async (texts) => (await lookup(clip(texts))).out,
    async remember(texts, vectors) {
      const clipped = clip(texts);
      if (vectors.length !== clipped.length) throw new InputError('vectors', `expected ${clipped.length} vectors, got ${vectors.length}`);
      const fresh = new Map<string, Float32Array>();
      clipped.forEach((t, i) => {
        if (vectors[i]?.length !== dim) throw new InputError(`vectors[${i}]`, `expected ${dim} floats`);
        fresh.set(t, vectors[i]);
      });
      await store([...fresh.keys()], [...fresh.values()]);
    },
  };

  return {
    id,
    dim,
    model: o.model,
    device,
    ...(words ? { words } : {}),
    async encode(texts) {
      const clipped = clip(texts);
      const { out, missing } = await lookup(clipped);
      if (!missing.length) return out as Float32Array[];
      const fresh: Float32Array[] = [];
      for (let s = 0; s < missing.length; s += o.batchSize) fresh.push(...(await run(missing.slice(s, s + o.batchSize))));
      await store(missing, fresh);
      const byText = new Map(missing.map((t, i) => [t, fresh[i]]));
      return clipped.map((t, i) => out[i] ?? byText.get(t)!);
    },
    clearCache: () => {
      recent.clear();
      return cache.clear();
    },
    dispose: () => extractor.dispose(),
  };
}

/** The id the build wrote into config.json, or a hash of the files that decide the vectors. */
async function encoderId(platform: EncoderPlatform, folder: string, config: Record<string, unknown>, configBytes: Uint8Array, dtype: Parameters<typeof onnxFileFor>[0]): Promise<string> {
  const written = (config.kindling as { encoder_id?: unknown } | undefined)?.encoder_id;
  if (typeof written === 'string' && written) return written;
  const parts = [configBytes, await platform.readBytes(`${folder}tokenizer.json`), await platform.readBytes(`${folder}${onnxFileFor(dtype)}`)];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.byteLength;
  }
  const name = folder.replace(/\/$/, '').split('/').pop();
  return `${name}@${hex(await crypto.subtle.digest('SHA-256', all)).slice(0, 16)}`;
}
