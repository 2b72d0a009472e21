/**
 * Kindling's public surface: only what this file exports is API. Nothing runs on import.
 */
import { createEncoderOn, type Encoder } from './encoder/encoder.ts';
import type { EncoderOptions } from './encoder/options.ts';
import { webPlatform } from './encoder/platform.ts';
import type { Candidate, RankContext } from './features/request.ts';
import type { RecommenderOptions } from './runtime/options.ts';
import type { LoadTimings, Ranked, Recommender, RerankOptions } from './runtime/recommender.ts';
import { validateRecommenderOptions } from './runtime/options.ts';
import { createWorkerRecommender, WorkerUnavailable } from './runtime/worker-client.ts';

export * from './errors.ts';
export type { Encoder, EncoderOptions, Candidate, RankContext, Ranked, Recommender, RecommenderOptions, RerankOptions, LoadTimings };
export type { LoadProgress, KindlingWarning, EncoderDtype } from './encoder/options.ts';
export type { EncoderDevice } from './encoder/device.ts';
export type { VectorCache } from './encoder/vector-cache.ts';
export type { BehaviourEvent } from './features/behaviour-event.ts';
export { cosine } from './util/vector.ts';
export { MAX_CANDIDATES } from './features/request.ts';
export { MAX_ID_CHARS, MAX_EVENT_TEXT_CHARS } from './features/behaviour-event.ts';


/**
 * Loads a text encoder (default: the shipped one, which runs in plain JS; an ONNX encoder runs on
 * WebGPU when there is an adapter, on wasm otherwise).
 */
export function createEncoder(options?: EncoderOptions): Promise<Encoder> {
  return createEncoderOn(webPlatform, options);
}

/**
 * Loads the shipped (or `modelBase`'s) encoder and ranker, warms up, and returns a recommender;
 * with `worker: true`, all of it in Kindling's own Web Worker.
 */
export async function createRecommender(options?: RecommenderOptions): Promise<Recommender> {
  const o = validateRecommenderOptions(options);
  if (o.worker) {
    try {
      return await createWorkerRecommender(options!);
    } catch (err) {
      if (!(err instanceof WorkerUnavailable)) throw err;
      o.onWarning?.({ type: 'worker-unavailable', message: `Kindling runs on the page's main thread: ${err.message}`, error: err });
    }
  }
  // Loaded only here: a page whose recommender runs in the worker never fetches the network's code twice.
  const [{ createRecommenderOn }, { pagePlatform }] = await Promise.all([import('./runtime/recommender.ts'), import('./runtime/page-platform.ts')]);
  return createRecommenderOn(pagePlatform, { ...options, worker: false });
}

let shared: Promise<Recommender> | undefined;

/** The shortest use: one import, one call. Uses a default recommender made on first call. */
export async function rerank(candidates: Candidate[], context: RankContext): Promise<Ranked[]> {
  shared ??= createRecommender().catch((err) => {
    shared = undefined; // a failed load is retried on the next call
    throw err;
  });
  return (await shared).rerank(candidates, context);
}
