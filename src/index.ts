/**
 * Kindling's public surface: only what this file exports is API.
 */
import { createEncoderOn, type Encoder } from './encoder/encoder.ts';
import type { EncoderOptions } from './encoder/options.ts';
import { webPlatform } from './encoder/platform.ts';

export * from './errors.ts';
export type { Encoder, EncoderOptions };
export type { LoadProgress, KindlingWarning, EncoderDtype } from './encoder/options.ts';
export type { EncoderDevice } from './encoder/device.ts';
export type { VectorCache } from './encoder/vector-cache.ts';
export { cosine } from './util/vector.ts';

/** Loads a text encoder (default: the shipped one) on WebGPU when there is an adapter, wasm otherwise. */
export function createEncoder(options?: EncoderOptions): Promise<Encoder> {
  return createEncoderOn(webPlatform, options);
}
