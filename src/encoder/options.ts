/** The encoder's options: one validator copies them, fills the defaults and names any bad field. */
import {
  DEFAULT_ENCODE_BATCH, DEFAULT_ENCODER, DEFAULT_MAX_TEXT_CHARS, DEFAULT_MEMORY_CACHE_ENTRIES, ENCODER_DEVICES, ENCODER_DTYPES,
} from '../defaults.ts';
import { ConfigError } from '../errors.ts';
import type { EncoderDevice } from './device.ts';
import type { VectorCache } from './vector-cache.ts';

export type EncoderDtype = (typeof ENCODER_DTYPES)[number];

export interface LoadProgress {
  /** What is loading: the encoder's files for now (later also the ranker's). */
  stage: 'encoder';
  status: 'initiate' | 'download' | 'progress' | 'done' | 'ready';
  file?: string;
  /** 0-100 for the file named, when known. */
  progress?: number;
  loaded?: number;
  total?: number;
}

export interface KindlingWarning {
  /**
   * `storage-unavailable`: IndexedDB cannot be used, Kindling goes on in memory.
   * `storage-migrated`: the stored history was moved to the current schema (nothing dropped).
   * `storage-restored`: IndexedDB became usable after a `storage-unavailable` (the tab that blocked
   *   the upgrade closed); what was recorded in memory meanwhile is now stored.
   * `worker-unavailable`: `worker: true` was asked for, but no worker could start here (no Worker, or a
   *   Content-Security-Policy without `worker-src 'self'`); Kindling runs on the page's main thread.
   * `fused-unavailable`: with `kernelInBackground`, the fused kernel failed to build after the load;
   *   ranking stays on TF.js's CPU backend.
   */
  type: 'storage-unavailable' | 'storage-migrated' | 'storage-restored' | 'worker-unavailable' | 'fused-unavailable';
  message: string;
  error?: unknown;
}

export interface EncoderOptions {
  /** Folder (URL in a browser, path or file: URL in Node) that holds `encoder/<model>/`. */
  modelBase?: string | URL;
  /** The encoder folder's name; any Transformers.js feature-extraction model folder works. */
  model?: string;
  device?: EncoderDevice;
  /** Which ONNX file of the folder to load (`q8` is onnx/model_quantized.onnx). */
  dtype?: EncoderDtype;
  batchSize?: number;
  maxTextChars?: number;
  /** Persistent vector cache; `false` for none. Default: IndexedDB in a browser, none in Node. */
  cache?: VectorCache | false;
  memoryCacheEntries?: number;
  onProgress?: (e: LoadProgress) => void;
  onWarning?: (w: KindlingWarning) => void;
}

export type ResolvedEncoderOptions = Required<Omit<EncoderOptions, 'modelBase' | 'cache' | 'onProgress' | 'onWarning'>> &
  Pick<EncoderOptions, 'modelBase' | 'cache' | 'onProgress' | 'onWarning'>;

const KEYS = ['modelBase', 'model', 'device', 'dtype', 'batchSize', 'maxTextChars', 'cache', 'memoryCacheEntries', 'onProgress', 'onWarning'];

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw new ConfigError(name, `got ${JSON.stringify(v)}; allowed: ${allowed.map((a) => `"${a}"`).join(', ')}`);
  return v as T;
}

function positiveInt(name: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw new ConfigError(name, `got ${String(v)}; expected an integer from 1 to ${max}`);
  return v;
}

function fn<T>(name: string, v: unknown): T | undefined {
  if (v !== undefined && typeof v !== 'function') throw new ConfigError(name, `expected a function, got ${typeof v}`);
  return v as T | undefined;
}

export function validateEncoderOptions(options: EncoderOptions = {}): ResolvedEncoderOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError('options', `expected an object, got ${options === null ? 'null' : typeof options}`);
  for (const k of Object.keys(options)) if (!KEYS.includes(k)) throw new ConfigError(k, `unknown option; allowed: ${KEYS.join(', ')}`);
  // Own properties only: a polluted Object.prototype must not become an option.
  const o = Object.fromEntries(Object.entries(options)) as EncoderOptions;
  if (o.modelBase !== undefined && typeof o.modelBase !== 'string' && !(o.modelBase instanceof URL)) throw new ConfigError('modelBase', 'expected a string or URL');
  const model = o.model ?? DEFAULT_ENCODER;
  if (typeof model !== 'string' || !/^[\w.@-]+(\/[\w.@-]+)*$/.test(model) || model.split('/').includes('..')) {
    throw new ConfigError('model', `got ${JSON.stringify(model)}; expected a folder name of letters, digits, '.', '_', '-', '@'`);
  }
  const cache = o.cache;
  if (cache !== undefined && cache !== false && (typeof cache !== 'object' || typeof cache.getMany !== 'function' || typeof cache.setMany !== 'function')) {
    throw new ConfigError('cache', 'expected false or an object with getMany, setMany and clear');
  }
  return {
    modelBase: o.modelBase,
    model,
    device: oneOf('device', o.device ?? 'auto', ENCODER_DEVICES),
    dtype: oneOf('dtype', o.dtype ?? 'q8', ENCODER_DTYPES),
    batchSize: positiveInt('batchSize', o.batchSize ?? DEFAULT_ENCODE_BATCH, 4096),
    maxTextChars: positiveInt('maxTextChars', o.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS, 10_000_000),
    memoryCacheEntries: positiveInt('memoryCacheEntries', o.memoryCacheEntries ?? DEFAULT_MEMORY_CACHE_ENTRIES, 10_000_000),
    cache,
    onProgress: fn('onProgress', o.onProgress),
    onWarning: fn('onWarning', o.onWarning),
  };
}

/** The ONNX file Transformers.js loads for a dtype (its own naming convention). */
export function onnxFileFor(dtype: EncoderDtype): string {
  const suffix: Record<EncoderDtype, string> = {
    fp32: '', q8: '_quantized', fp16: '_fp16', int8: '_int8', uint8: '_uint8', q4: '_q4', q4f16: '_q4f16', bnb4: '_bnb4',
  };
  return `onnx/model${suffix[dtype]}.onnx`;
}
