/** createRecommender()'s options: validated in one place, naming the bad field and the allowed values. */
import { ConfigError, WebGPUUnavailableError } from '../errors.ts';
import { DEFAULT_HISTORY_LIMIT, DEFAULT_RELEVANCE_WEIGHT, ENCODER_DEVICES } from '../defaults.ts';
import type { EncoderDevice } from '../encoder/device.ts';
import type { KindlingWarning, LoadProgress } from '../encoder/options.ts';

export const RANKER_BACKENDS = ['auto', 'webgpu-fused', 'webgpu', 'cpu'] as const;
export type RankerBackendChoice = (typeof RANKER_BACKENDS)[number];

export interface RecommenderOptions {
  /** Folder holding `encoder/` and `ranker/` (default: the shipped models next to the library). */
  modelBase?: string | URL;
  /**
   * What runs the ranking network: `webgpu-fused` (our WGSL kernel, one compute pass), `webgpu`
   * (TF.js's WebGPU backend, op by op) or `cpu` (TF.js). Default `auto`: the fused kernel when
   * the page has a WebGPU adapter, else the CPU.
   */
  backend?: RankerBackendChoice;
  /**
   * Where the encoder runs (default auto: the shipped static word-vector encoder runs in plain JS;
   * an ONNX encoder on WebGPU when there is an adapter, else on wasm). See src/encoder/device.ts.
   */
  encoderDevice?: EncoderDevice;
  /**
   * With a query, score = (1 - relevanceWeight) * ctr + relevanceWeight * relevance; without
   * one, score = ctr. Default 0.5.
   */
  relevanceWeight?: number;
  /** Behaviour events kept (newest first to survive). Default 200. */
  historyLimit?: number;
  /** Keep the history in memory only (no IndexedDB). Default false. */
  memoryOnly?: boolean;
  /**
   * Run the encoder, the history store and the ranking network in a dedicated Web Worker, off the
   * page's main thread (same API, same scores). Where no worker can start (no Worker; a CSP without
   * `worker-src 'self'`), it runs in the page and says so with an onWarning `worker-unavailable`.
   * Default false (the embed script's widget: true).
   */
  worker?: boolean;
  /**
   * With backend `auto` on a page with WebGPU: resolve as soon as the encoder and the ranker are
   * in, without waiting for the fused kernel's shaders to compile. Rankings run on TF.js's CPU
   * backend (the same scores, to 1e-5) until the kernel is ready, then on the kernel;
   * `backend` says which, and onProgress `{ stage: 'kernel', status: 'ready' }` says when. Should the
   * kernel fail, ranking stays on the CPU with an onWarning `fused-unavailable`. A shorter time to
   * the first ranking (the embed widget's default); default false.
   */
  kernelInBackground?: boolean;
  onProgress?: (e: RecommenderProgress) => void;
  onWarning?: (w: KindlingWarning) => void;
}

/** Load events: the encoder's files, the ranker's ready, and (kernelInBackground) the fused kernel's ready. */
export type RecommenderProgress = LoadProgress | { stage: 'ranker'; status: 'ready' } | { stage: 'kernel'; status: 'ready'; /** Since createRecommender() began. */ ms: number };

export type ResolvedRecommenderOptions = Required<Omit<RecommenderOptions, 'modelBase' | 'onProgress' | 'onWarning'>> & Pick<RecommenderOptions, 'modelBase' | 'onProgress' | 'onWarning'>;

const KEYS = ['modelBase', 'backend', 'encoderDevice', 'relevanceWeight', 'historyLimit', 'memoryOnly', 'worker', 'kernelInBackground', 'onProgress', 'onWarning'];
const DEVICES: readonly string[] = ENCODER_DEVICES;

export function validateRecommenderOptions(options: RecommenderOptions = {}): ResolvedRecommenderOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError('options', `expected an object, got ${options === null ? 'null' : typeof options}`);
  const o = Object.fromEntries(Object.entries(options)) as RecommenderOptions;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new ConfigError(k, `unknown option; allowed: ${KEYS.join(', ')}`);
  const backend = o.backend ?? 'auto';
  if (!RANKER_BACKENDS.includes(backend)) throw new ConfigError('backend', `got ${JSON.stringify(backend)}; allowed: ${RANKER_BACKENDS.map((b) => `"${b}"`).join(', ')}`);
  const encoderDevice = o.encoderDevice ?? 'auto';
  if (!DEVICES.includes(encoderDevice)) throw new ConfigError('encoderDevice', `got ${JSON.stringify(encoderDevice)}; allowed: ${DEVICES.map((b) => `"${b}"`).join(', ')}`);
  const w = o.relevanceWeight ?? DEFAULT_RELEVANCE_WEIGHT;
  if (typeof w !== 'number' || !(w >= 0 && w <= 1)) throw new ConfigError('relevanceWeight', `got ${String(w)}; expected a number from 0 to 1`);
  const cap = o.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  if (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 1 || cap > 100_000) throw new ConfigError('historyLimit', `got ${String(cap)}; expected an integer from 1 to 100000`);
  for (const f of ['memoryOnly', 'worker', 'kernelInBackground'] as const) if (o[f] !== undefined && typeof o[f] !== 'boolean') throw new ConfigError(f, 'expected a boolean');
  for (const f of ['onProgress', 'onWarning'] as const) if (o[f] !== undefined && typeof o[f] !== 'function') throw new ConfigError(f, `expected a function, got ${typeof o[f]}`);
  if (o.modelBase !== undefined && typeof o.modelBase !== 'string' && !(o.modelBase instanceof URL)) throw new ConfigError('modelBase', 'expected a string or URL');
  return { modelBase: o.modelBase, backend, encoderDevice, relevanceWeight: w, historyLimit: cap, memoryOnly: o.memoryOnly ?? false, worker: o.worker ?? false, kernelInBackground: o.kernelInBackground ?? false, onProgress: o.onProgress, onWarning: o.onWarning };
}

/** The ranking network's backend: a pure function of the choice and what the page has. */
export type RankerBackend = Exclude<RankerBackendChoice, 'auto'>;

export function chooseRankerBackend(choice: RankerBackendChoice, caps: { browser: boolean; webgpu: boolean }): RankerBackend {
  if (choice === 'cpu') return 'cpu';
  if (choice === 'webgpu' || choice === 'webgpu-fused') {
    if (!caps.webgpu) throw new WebGPUUnavailableError(`backend "${choice}" was asked for, but this page has no WebGPU adapter`);
    return choice;
  }
  return caps.browser && caps.webgpu ? 'webgpu-fused' : 'cpu';
}
