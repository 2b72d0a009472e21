/**
 * The recommender: loads the encoder and the ranker, keeps the behaviour store, and reranks
 * candidates with the ranking network on TF.js (WebGPU or CPU). Platform-neutral: the page
 * and Node each pass their platform (how files are read, where history is kept).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createEncoderOn, type Encoder } from '../encoder/encoder.ts';
import { isBrowser, requestWebGPUAdapter } from '../encoder/device.ts';
import type { EncoderPlatform } from '../encoder/platform.ts';
import type { KindlingWarning } from '../encoder/options.ts';
import { DisposedError, InputError, ModelLoadError, WebGPUUnavailableError } from '../errors.ts';
import { ASPECTS, GENERIC_DOMAIN, type Aspect, type RankerConfig } from '../model/config.ts';
import { disposeParams, type Params } from '../model/params.ts';
import { itemAspects, rankerForward } from '../model/ranker.ts';
import { readRanker, type TensorStep } from '../model/serialize.ts';
import { prepareBackend, runOnBackend } from './tf-neighbour.ts';
import { validateEvent, type BehaviourEvent } from '../features/behaviour-event.ts';
import { HISTORY_ACTIONS } from '../features/actions.ts';
import type { BehaviourStore } from '../store/behaviour-store.ts';
import { MAX_CANDIDATES, validateCandidates, validateContext, type Candidate, type RankContext } from '../features/request.ts';
import { buildInputArrays, callTexts, inputTensors, type InputArrays } from '../features/inputs.ts';
import { callTextInputs } from './call-texts.ts';
import { SeenFeatures } from './seen-features.ts';
import { chooseRankerBackend, validateRecommenderOptions, type RankerBackend, type RecommenderOptions } from './options.ts';
import { FusedRanker } from '../gpu/fused-ranker.ts';

export interface Ranked {
  id: string;
  score: number;
  ctr: number;
  relevance: number;
  /** The item's aspect gating weights: why it ranked where it did (an absent aspect is 0). */
  weights: { id: number; text: number; sparse: number };
}

export interface RerankOptions {
  /**
   * Rank as if the model could not see these aspects (gating renormalises over the rest): e.g.
   * `['text']` shows what the same model does for a cold item without reading its text.
   */
  withoutAspects?: Aspect[];
}

export interface Recommender {
  /** What runs the ranking network. */
  readonly backend: RankerBackend;
  /** Where the encoder, the store and the network run: the page's main thread or Kindling's worker. */
  readonly runsIn: 'main' | 'worker';
  /** How long loading took, by part (where it ran). */
  readonly loadTimings: LoadTimings;
  /** Domains the loaded model was trained on; any other name ranks through the generic domain. */
  readonly domains: string[];
  readonly encoder: Pick<Encoder, 'id' | 'dim' | 'device'>;
  rerank(candidates: Candidate[], context: RankContext, options?: RerankOptions): Promise<Ranked[]>;
  /**
   * Keeps a behaviour event (ts defaults to now). A click or view without `features` keeps those its item
   * had as a candidate of a recent rerank() (the last 10,000 IDs), so the history holds them either way.
   */
  record(event: Omit<BehaviourEvent, 'ts'> & { ts?: number }): Promise<void>;
  history(): Promise<BehaviourEvent[]>;
  clearHistory(): Promise<void>;
  dispose(): Promise<void>;
}

export interface RuntimePlatform extends EncoderPlatform {
  createStore(cap: number, onWarning: (w: KindlingWarning) => void, memoryOnly: boolean): BehaviourStore;
}

/** A device for a fused kernel: from `adapter` (the one the load probed, used once) or a new one. */
async function requestDevice(adapter?: GPUAdapter | null): Promise<GPUDevice> {
  const a = adapter ?? (await requestWebGPUAdapter());
  if (!a) throw new WebGPUUnavailableError();
  return a.requestDevice({ label: 'kindling' });
}


/** The fused kernel for a config on a device of its own (the kernel owns the device once it exists). */
async function buildKernel(params: Params, cfg: RankerConfig, adapter?: GPUAdapter | null): Promise<FusedRanker> {
  const device = await requestDevice(adapter);
  return FusedRanker.create(device, cfg, new Map([...params].map(([k, v]) => [k, v.dataSync() as Float32Array]))).catch((err) => {
    device.destroy();
    throw err;
  });
}

/** How long createRecommender() took, by part (ms); the parts overlap, so they need not add up to totalMs. */
export interface LoadTimings {
  /** Until the WebGPU adapter probe answered (it runs beside the rest; 0 with backend 'cpu'). */
  adapterMs: number;
  /** Registering and starting Kindling's TF.js backend. */
  backendMs: number;
  /** The text encoder: its files fetched and parsed (the tokenizer, the vector table). */
  encoderMs: number;
  /** The ranker: model.json and weights.bin fetched, checked and decoded into tensors. */
  rankerMs: number;
  /**
   * The fused kernel: a GPU device, its shaders compiled, the weights uploaded (0 on the TF.js paths,
   * and at first with kernelInBackground: it is filled in once the kernel is in).
   */
  kernelMs: number;
  /** The warm-up ranking (first-use compilation of the path's kernels). */
  warmupMs: number;
  totalMs: number;
}

export async function createRecommenderOn(platform: RuntimePlatform, options?: RecommenderOptions): Promise<Recommender> {
  const t0 = performance.now();
  const o = validateRecommenderOptions(options);
  const root = platform.modelRoot(o.modelBase);
  const since = (t: number) => performance.now() - t;
  const timings: LoadTimings = { adapterMs: 0, backendMs: 0, encoderMs: 0, rankerMs: 0, kernelMs: 0, warmupMs: 0, totalMs: 0 };
  // One adapter probe for the whole load (the ranker's backend, the encoder's device if it asks, the
  // first fused kernel's device), running while the files load: nothing waits for it but the kernel.
  let adapterP: Promise<GPUAdapter | null> | undefined;
  const probe = () => (adapterP ??= requestWebGPUAdapter().finally(() => (timings.adapterMs = since(t0))));
  if (o.backend !== 'cpu') void probe();
  const hasWebGPU = async () => (await probe()) != null;
  // The fused path keeps TF.js's parameters on the CPU; only backend 'webgpu' (TF.js WebGPU) makes
  // them there. Kindling's backend is made ready beside the page's own, never left active: the page's
  // TF.js models keep the backend they chose (tf-neighbour.ts).
  const tfBackend = o.backend === 'webgpu' ? 'webgpu' : 'cpu';
  const tb = performance.now();
  await prepareBackend(tfBackend);
  timings.backendMs = since(tb);
  const onTf: TensorStep = (make) => runOnBackend(tfBackend, make);

  // The encoder and the ranker load side by side; the fused kernel compiles as soon as the ranker's
  // weights are in, while the encoder may still be loading.
  const encoderP = (async (t = performance.now()) => {
    const e = await createEncoderOn(platform, { modelBase: o.modelBase, device: o.encoderDevice, onProgress: o.onProgress, onWarning: o.onWarning }, hasWebGPU);
    timings.encoderMs = since(t);
    return e;
  })();
  const rankerP = (async (t = performance.now()) => {
    const r = await readRanker(`${root}ranker/`, (path) => platform.readBytes(path), onTf);
    timings.rankerMs = since(t);
    return r;
  })();
  const backendP = o.backend === 'cpu' ? Promise.resolve<RankerBackend>('cpu') : hasWebGPU().then((webgpu) => chooseRankerBackend(o.backend, { browser: isBrowser(), webgpu }));
  const kernelP = backendP.then((backend) =>
    backend === 'webgpu-fused'
      ? rankerP.then(async (r, t = performance.now()) => {
          const k = await buildKernel(r.params, r.manifest.config, await probe());
          timings.kernelMs = since(t);
          return k;
        })
      : undefined,
  );
  // kernelInBackground: the load does not wait for the fused kernel (ranking runs on TF.js CPU until it is in).
  const background = o.kernelInBackground && o.backend === 'auto';
  // Handled below once the load is done; marked handled now so an early failure is not reported as unhandled.
  if (background) kernelP.catch(() => undefined);
  const [e, r, k, b] = await Promise.allSettled([encoderP, rankerP, background ? Promise.resolve(undefined) : kernelP, backendP]);
  const failure = [b, e, r, k].find((x) => x.status === 'rejected');
  if (failure) {
    if (e.status === 'fulfilled') await e.value.dispose();
    if (r.status === 'fulfilled') disposeParams(r.value.params);
    if (k.status === 'fulfilled') k.value?.destroy();
    if (background) void kernelP.then((late) => late?.destroy(), () => undefined);
    throw (failure as PromiseRejectedResult).reason;
  }
  const backend = (b as PromiseFulfilledResult<RankerBackend>).value;
  const encoder = (e as PromiseFulfilledResult<Awaited<typeof encoderP>>).value;
  const { params, manifest } = (r as PromiseFulfilledResult<Awaited<typeof rankerP>>).value;
  const config = manifest.config;
  if (manifest.encoderId !== encoder.id || config.textDim !== encoder.dim) {
    disposeParams(params);
    await encoder.dispose();
    (k as PromiseFulfilledResult<FusedRanker | undefined>).value?.destroy();
    if (background) void kernelP.then((late) => late?.destroy(), () => undefined);
    throw new ModelLoadError(`${root}ranker/model.json`, `was trained on encoder ${manifest.encoderId}, but ${encoder.id} is loaded`);
  }
  o.onProgress?.({ stage: 'ranker', status: 'ready' });
  const store = platform.createStore(o.historyLimit, (w) => o.onWarning?.(w), o.memoryOnly);
  let disposed = false;
  /** Vector-cache writes still going (the kernel's pooled vectors, persisted behind the call). */
  const writes = new Set<Promise<void>>();
  /** What the next ranking runs on: `backend`, or TF.js CPU while a background kernel compiles. */
  let current: RankerBackend = background && backend === 'webgpu-fused' ? 'cpu' : backend;

  // The fused kernel, one per aspect set (the model's own, and each withoutAspects asked for, built
  // on first use): each on a device of its own, recreated after a loss (driver reset, tab in background).
  const fused = new Map<string, Promise<FusedRanker>>();
  const watch = (key: string, host: Promise<FusedRanker>) => {
    fused.set(key, host);
    host.then((h) => void h.device.lost.then(() => fused.get(key) === host && fused.delete(key)), () => fused.get(key) === host && fused.delete(key));
    return host;
  };
  const fusedRanker = (cfg: RankerConfig = config) => fused.get(cfg.aspects.join(',')) ?? watch(cfg.aspects.join(','), buildKernel(params, cfg));
  const early = (k as PromiseFulfilledResult<FusedRanker | undefined>).value;
  if (early) watch(config.aspects.join(','), Promise.resolve(early));

  function configWithout(without: unknown): RankerConfig {
    if (without === undefined) return config;
    if (!Array.isArray(without) || without.some((a) => !ASPECTS.includes(a))) throw new InputError('options.withoutAspects', `expected a list of ${ASPECTS.join(', ')}`);
    const kept = config.aspects.filter((a) => !without.includes(a));
    if (!kept.length) throw new InputError('options.withoutAspects', 'leaves no aspect to rank with');
    return { ...config, aspects: kept };
  }

  async function runTf(cfg: RankerConfig, arrays: InputArrays): Promise<Float32Array[]> {
    // Tensors are made and the graph enqueued on Kindling's backend in one synchronous step; reading
    // and disposing them later goes to the backend each tensor lives on, whatever the page has active.
    const { inputs, outs } = await onTf(() => {
      const inputs = inputTensors(config, arrays);
      try {
        const outs = tf.tidy(() => {
          const out = rankerForward(params, cfg, inputs);
          return [tf.sigmoid(out.ctrLogit), tf.sigmoid(out.relLogit), out.itemWeights];
        });
        return { inputs, outs };
      } catch (err) {
        tf.dispose(Object.values(inputs));
        throw err;
      }
    });
    try {
      return (await Promise.all(outs.map((t) => t.data()))) as Float32Array[];
    } finally {
      tf.dispose([...outs, ...Object.values(inputs)]);
    }
  }

  /**
   * A click or view recorded without `features` keeps those its item had as a candidate lately (where
   * they fit an event's limits: validateEvent); an event's own `features` always win.
   */
  const seenFeatures = new SeenFeatures(MAX_CANDIDATES);
  function withSeenFeatures(e: BehaviourEvent): BehaviourEvent {
    const f = e.features === undefined && e.action !== 'search' ? seenFeatures.get(e.item) : undefined;
    if (!f) return e;
    try {
      return validateEvent({ ...e, features: f });
    } catch (err) {
      if (err instanceof InputError) return e;
      throw err;
    }
  }

  async function rerank(candidatesIn: Candidate[], contextIn: RankContext, options?: RerankOptions, on: RankerBackend = current): Promise<Ranked[]> {
    if (disposed) throw new DisposedError();
    const candidates = validateCandidates(candidatesIn);
    const context = validateContext(contextIn);
    for (const c of candidates) seenFeatures.remember(c.id, c.features);
    const cfg = configWithout(options?.withoutAspects);
    const aspects = itemAspects(params, cfg);
    if (!candidates.length) return [];
    // The user tower reads what training put in behaviour sequences (HISTORY_ACTIONS), the latest first.
    const history = (await store.list()).filter((e) => HISTORY_ACTIONS.includes(e.action)).slice(-config.historyLength);
    const texts = callTexts(candidates, context, history);
    // With the static encoder, the fused kernel looks up and pools the texts no cache holds itself.
    const pool = on === 'webgpu-fused' && FusedRanker.poolTexts ? encoder.words : undefined;
    const call = await callTextInputs(texts, encoder, config.textDim, pool, cfg.aspects.includes('text'));
    const arrays = buildInputArrays(config, candidates, context, history, call.table);
    let ctr: Float32Array, rel: Float32Array, w: Float32Array;
    if (on === 'webgpu-fused') {
      const kernel = await fusedRanker(cfg);
      if (call.tokens && !kernel.hasWords) kernel.attachWords(pool!.table);
      const out = await kernel.run(arrays, call.tokens);
      ({ ctr, rel, weights: w } = out);
      if (call.pooled.length) {
        // Into the caches: the memory layer now, IndexedDB behind the call (dispose() waits for it).
        const rows = call.pooled.map((t) => out.pooled!.get(call.table.row(t))!);
        const write = pool!
          .remember(call.pooled, rows)
          .catch((error) => o.onWarning?.({ type: 'storage-unavailable', message: 'text vectors pooled by the kernel could not be cached; they are pooled again when next needed', error }))
          .finally(() => writes.delete(write));
        writes.add(write);
      }
    } else {
      [ctr, rel, w] = await runTf(cfg, arrays);
    }
    const hasQuery = !!context.query?.trim();
    const A = aspects.length;
    const ranked = candidates.map((c, i): Ranked & { order: number } => {
      const weights = { id: 0, text: 0, sparse: 0 };
      aspects.forEach((a, j) => (weights[a] = w[i * A + j]));
      const score = hasQuery ? (1 - o.relevanceWeight) * ctr[i] + o.relevanceWeight * rel[i] : ctr[i];
      return { id: c.id, score, ctr: ctr[i], relevance: rel[i], weights, order: i };
    });
    ranked.sort((a, b) => b.score - a.score || a.order - b.order);
    return ranked.map(({ order, ...r }) => (void order, r));
  }

  // Warm-up: compiles the backend's kernels now, not on the caller's first ranking.
  const warmUp = (on: RankerBackend) => rerank([{ id: '(warm-up)', text: 'warm up' }], { domain: config.domains[1] ?? GENERIC_DOMAIN }, undefined, on);
  const tw = performance.now();
  await warmUp(current);
  timings.warmupMs = since(tw);
  timings.totalMs = since(t0);
  if (current !== backend) {
    // The kernel compiles in the background: once it is in and warmed up, rankings move to it.
    kernelP.then(
      async (kernel) => {
        if (disposed) return kernel?.destroy();
        watch(config.aspects.join(','), Promise.resolve(kernel!));
        await warmUp('webgpu-fused');
        current = 'webgpu-fused';
        o.onProgress?.({ stage: 'kernel', status: 'ready', ms: since(t0) });
      },
      (error) => {
        if (!disposed) o.onWarning?.({ type: 'fused-unavailable', message: `the fused kernel could not be built (${error instanceof Error ? error.message : String(error)}); ranking stays on TF.js's CPU backend`, error });
      },
    ).catch((error) => {
      if (!disposed) o.onWarning?.({ type: 'fused-unavailable', message: `the fused kernel failed its first ranking (${error instanceof Error ? error.message : String(error)}); ranking stays on TF.js's CPU backend`, error });
    });
  }

  return {
    get backend() {
      return current;
    },
    loadTimings: timings,
    runsIn: typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined' ? 'worker' : 'main',
    domains: config.domains.slice(1),
    encoder: { id: encoder.id, dim: encoder.dim, device: encoder.device },
    rerank,
    record: async (event) => store.append(withSeenFeatures(validateEvent(event))),
    history: () => store.list(),
    clearHistory: () => store.clear(),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.allSettled([...writes]);
      const hosts = [...fused.values()];
      fused.clear();
      for (const h of hosts) (await h.catch(() => undefined))?.destroy();
      disposeParams(params);
      await encoder.dispose();
    },
  };
}

