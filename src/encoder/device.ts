/**
 * Which ONNX Runtime device runs the encoder: a pure function of capabilities detected once,
 * so tests can drive every branch.
 */
import { ConfigError, WebGPUUnavailableError } from '../errors.ts';
import type { ENCODER_DEVICES } from '../defaults.ts';

export type EncoderDevice = (typeof ENCODER_DEVICES)[number];
export type ResolvedDevice = Exclude<EncoderDevice, 'auto'>;

export interface Capabilities {
  /** Running in a browser (or worker), as opposed to Node. */
  browser: boolean;
  /** navigator.gpu exists and requestAdapter() gave an adapter. */
  webgpu: boolean;
}

/**
 * `static`: the model is a static word-vector table (config.json kindling.kind), which the `js`
 * device runs without ONNX Runtime. In a page that is the default for such a model (same
 * vectors, no 26 MB wasm, works where the CSP forbids WebAssembly); Node keeps ONNX Runtime's CPU
 * build, the reference the page is tested against.
 */
export function chooseDevice(requested: EncoderDevice, caps: Capabilities, model: { static: boolean } = { static: false }): ResolvedDevice {
  if (requested === 'js') {
    if (!model.static) throw new ConfigError('device', '"js" runs static word-vector encoders only (config.json kindling.kind "static-word-vectors"); use "auto"');
    return 'js';
  }
  if (!caps.browser) {
    // Transformers.js runs ONNX Runtime's native CPU build in Node; the web devices do not exist there.
    if (requested === 'auto' || requested === 'cpu') return 'cpu';
    throw new ConfigError('device', `"${requested}" is a browser device; in Node use "cpu", "js" or "auto"`);
  }
  if (requested === 'cpu') throw new ConfigError('device', 'use "wasm" or "js" for the CPU in a browser');
  if (requested === 'webgpu' && !caps.webgpu) throw new WebGPUUnavailableError();
  if (requested === 'auto') return model.static ? 'js' : caps.webgpu ? 'webgpu' : 'wasm';
  return requested;
}

/** In a page or a worker (as opposed to Node): known at once. */
export function isBrowser(): boolean {
  return (typeof navigator !== 'undefined' && typeof (globalThis as { document?: unknown }).document !== 'undefined') || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
}

/** A WebGPU adapter, or null where there is none (no navigator.gpu, requestAdapter() null or failing). */
export async function requestWebGPUAdapter(): Promise<GPUAdapter | null> {
  const gpu = isBrowser() ? (navigator as Navigator & { gpu?: GPU }).gpu : undefined;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter();
  } catch {
    return null;
  }
}

/**
 * Whether the encoder's device choice needs to know about WebGPU: only an ONNX model on `auto` in a
 * browser, or `webgpu` asked for. The shipped static encoder never waits for the adapter probe.
 */
export const deviceNeedsWebGPU = (requested: EncoderDevice, model: { static: boolean }) => requested === 'webgpu' || (requested === 'auto' && !model.static && isBrowser());
