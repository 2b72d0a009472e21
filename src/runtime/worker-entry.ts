/**
 * Kindling's worker (a file of the build, started by worker-client.ts from our own origin): the
 * encoder, the behaviour store and the ranking network (fused kernel, TF.js WebGPU or CPU) run here,
 * off the page's main thread; WebGPU, IndexedDB and fetch all work in a dedicated worker. It answers
 * the page's messages (worker-protocol.ts) and closes itself after dispose.
 */
import { pagePlatform } from './page-platform.ts';
import { createRecommenderOn, type Recommender } from './recommender.ts';
import { toWire, type FromWorker, type ToWorker } from './worker-protocol.ts';

const scope = self as unknown as { postMessage(m: FromWorker): void; close(): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const post = (m: FromWorker) => scope.postMessage(m);
let rec: Recommender | undefined;

scope.onmessage = async ({ data: m }) => {
  if (m.type === 'create') {
    try {
      rec = await createRecommenderOn(pagePlatform, {
        ...m.options,
        onProgress: (event) => post({ type: 'progress', event }),
        onWarning: ({ error, ...w }) => post({ type: 'warning', warning: { ...w, ...(error === undefined ? {} : { error: toWire(error) }) } }),
      });
      post({ type: 'created', backend: rec.backend, domains: rec.domains, encoder: { ...rec.encoder }, loadTimings: rec.loadTimings });
    } catch (err) {
      post({ type: 'failed', error: toWire(err) });
      scope.close();
    }
    return;
  }
  try {
    if (!rec) throw new Error('Kindling worker: called before it was created');
    const fn = rec[m.method] as (...args: unknown[]) => Promise<unknown>;
    const value = await fn(...m.args);
    post({ type: 'result', id: m.id, value });
    if (m.method === 'dispose') scope.close();
  } catch (err) {
    post({ type: 'error', id: m.id, error: toWire(err) });
  }
};
