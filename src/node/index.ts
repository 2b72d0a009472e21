/**
 * `kindling/node`: the same encoder for Node (training, evaluation, scripts), reading model
 * folders from disk and caching vectors in files.
 */
import { createEncoderOn, type Encoder } from '../encoder/encoder.ts';
import type { EncoderOptions } from '../encoder/options.ts';
import { nodePlatform } from './platform.ts';
import { createRecommenderOn, type Recommender } from '../runtime/recommender.ts';
import type { RecommenderOptions } from '../runtime/options.ts';
import { memoryStore } from '../store/behaviour-store.ts';

export { createFileVectorCache } from './file-cache.ts';
export * from '../errors.ts';
export type { Encoder, EncoderOptions, Recommender, RecommenderOptions };

export interface NodeEncoderOptions extends EncoderOptions {
  /** Folder for the file vector cache (one file per encoder id). Default: no persistent cache. */
  cacheDir?: string;
}

export function createEncoder(options: NodeEncoderOptions = {}): Promise<Encoder> {
  const { cacheDir, ...rest } = options ?? {};
  return createEncoderOn(nodePlatform(cacheDir), rest);
}

/** The same recommender in Node (history in memory), e.g. to score offline exactly as the page does. */
export function createRecommender(options?: RecommenderOptions): Promise<Recommender> {
  return createRecommenderOn({ ...nodePlatform(), createStore: (cap) => memoryStore(cap) }, options);
}
