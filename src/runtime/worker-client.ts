/**
 * createRecommender({ worker: true })'s page side: starts Kindling's worker (worker-entry.ts, a file
 * of the build on our own origin: no blob: URL, so a CSP's `worker-src 'self'` allows it) and gives
 * the page a Recommender whose calls are messages to it. Errors come back with their class and
 * fields; dispose() ends the worker. Where no worker can start (no Worker, or a CSP without
 * worker-src 'self'), it says so with WorkerUnavailable and the caller goes on in the page.
 */
import { DisposedError, InputError, KindlingError } from '../errors.ts';
import type { RecommenderOptions } from './options.ts';
import type { Recommender } from './recommender.ts';
import { fromWire, type FromWorker, type Method, type ToWorker, type WorkerOptions } from './worker-protocol.ts';

/** No worker could start here; the message says why. */
export class WorkerUnavailable extends Error {}

function startWorker(): Worker {
  if (typeof Worker === 'undefined') throw new WorkerUnavailable('this page has no Worker');
  try {
    return new Worker(new URL('./worker-entry.ts', import.meta.url), { type: 'module', name: 'kindling' });
  } catch (err) {
    throw new WorkerUnavailable(`the worker could not start (${(err as Error).message}); a Content-Security-Policy needs worker-src 'self'`);
  }
}

const pageUrl = (u: string | URL) => new URL(u, typeof document !== 'undefined' ? document.baseURI : location.href).href;

export async function createWorkerRecommender(o: RecommenderOptions): Promise<Recommender> {
  const { onProgress, onWarning, worker: _worker, modelBase, ...rest } = o;
  const options: WorkerOptions = { ...rest, ...(modelBase !== undefined ? { modelBase: pageUrl(modelBase) } : {}) };
  const worker = startWorker();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 0;
  let disposed = false;
  let created: ((m: Extract<FromWorker, { type: 'created' }>) => void) | undefined;
  let failed: ((e: unknown) => void) | undefined;
  const ready = new Promise<Extract<FromWorker, { type: 'created' }>>((res, rej) => ((created = res), (failed = rej)));
  let isReady = false;
  let backend: Recommender['backend'] | undefined;
  /** Once the worker has stopped (it died), why: every call fails with it. */
  let stopped: Error | undefined;

  worker.onmessage = ({ data: m }: MessageEvent<FromWorker>) => {
    if (m.type === 'created') created?.(m);
    else if (m.type === 'failed') failed?.(fromWire(m.error));
    else if (m.type === 'progress') {
      if (m.event.stage === 'kernel') backend = 'webgpu-fused'; // kernelInBackground: rankings moved to the kernel
      onProgress?.(m.event);
    }
    else if (m.type === 'warning') onWarning?.({ ...m.warning, ...(m.warning.error ? { error: fromWire(m.warning.error) } : {}) });
    else {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.type === 'result') p?.resolve(m.value);
      else p?.reject(fromWire(m.error));
    }
  };
  // Before it is created: its script could not load or run (a CSP without worker-src 'self' lands
  // here in some browsers), so no worker is available. After: it died, and every open call fails.
  worker.onerror = (e) => {
    e.preventDefault();
    worker.terminate();
    if (!isReady) {
      failed?.(new WorkerUnavailable(`the worker script could not run (${e.message || 'blocked or failed to load'}); a Content-Security-Policy needs worker-src 'self'`));
      return;
    }
    stopped ??= new KindlingError(`the Kindling worker stopped: ${e.message || 'an uncaught error'}`);
    for (const p of pending.values()) p.reject(stopped);
    pending.clear();
  };
  const send = (m: ToWorker) => worker.postMessage(m);
  send({ type: 'create', options });
  let info: Extract<FromWorker, { type: 'created' }>;
  try {
    info = await ready;
    isReady = true;
    backend ??= info.backend;
  } catch (err) {
    worker.terminate();
    throw err;
  }

  const call = (method: Method, ...args: unknown[]) => {
    if (disposed) return Promise.reject(new DisposedError());
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      try {
        send({ type: 'call', id, method, args });
      } catch (err) {
        // Only plain data crosses to the worker (the structured clone algorithm): a function, say, does not.
        reject(new InputError(method === 'record' ? 'event' : 'candidates', `cannot be sent to Kindling's worker: ${(err as Error).message}`));
        return;
      }
      pending.set(id, { resolve, reject });
    });
  };
  return {
    get backend() {
      return backend!;
    },
    loadTimings: info.loadTimings,
    domains: info.domains,
    encoder: info.encoder,
    runsIn: 'worker',
    rerank: (candidates, context, opts) => call('rerank', candidates, context, ...(opts === undefined ? [] : [opts])) as ReturnType<Recommender['rerank']>,
    record: (event) => call('record', event) as Promise<void>,
    history: () => call('history') as ReturnType<Recommender['history']>,
    clearHistory: () => call('clearHistory') as Promise<void>,
    async dispose() {
      if (disposed) return;
      try {
        if (!stopped) await call('dispose');
      } finally {
        disposed = true;
        worker.terminate();
      }
    },
  };
}
