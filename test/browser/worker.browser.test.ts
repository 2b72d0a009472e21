/**
 * createRecommender({ worker: true }): the encoder, the store and the network in Kindling's own
 * worker, with the same API and the same scores as on the main thread, errors of their own class
 * with their fields, dispose() ending the worker, and the main thread (with a warning) where no
 * worker can start.
 */
import { describe, expect, it } from 'vitest';
import { useApiPage } from './use-api-page.ts';

const CANDIDATES = [
  { id: 'a', text: 'electricity billing portal', domain: 'cards' },
  { id: 'b', text: 'fresh espresso lounge', domain: 'cards', features: { category: 'coffee', price: 2 } },
  { id: 'c', text: 'railway commute pass', domain: 'cards' },
  { id: 'd', text: 'puppy grooming club', domain: 'cards' },
];

describe('Kindling in a worker', () => {
  const api = useApiPage();

  for (const backend of ['webgpu-fused', 'cpu'] as const) {
    it(`scores as on the main thread, history included (${backend})`, async () => {
      const r = await api.p.page.evaluate(
        async ({ backend, candidates }) => {
          const run = async (worker: boolean) => {
            const rec = await window.kindling.createRecommender({ backend, worker, memoryOnly: true });
            try {
              await rec.clearHistory();
              const search = await rec.rerank(candidates, { domain: 'search', query: 'coffee decaf' });
              await rec.record({ item: 'x1', domain: 'cards', action: 'click', text: 'dog veterinary care', ts: 1001 });
              const cards = await rec.rerank(candidates, { domain: 'cards' });
              return { runsIn: rec.runsIn, backend: rec.backend, history: (await rec.history()).map((e) => e.item), search, cards };
            } finally {
              await rec.dispose();
            }
          };
          return { main: await run(false), worker: await run(true) };
        },
        { backend, candidates: CANDIDATES },
      );
      expect(r.main.runsIn).toBe('main');
      expect(r.worker.runsIn).toBe('worker');
      expect(r.worker.backend).toBe(backend);
      expect(r.worker.history).toEqual(['x1']);
      for (const k of ['search', 'cards'] as const) {
        expect(r.worker[k].map((x) => x.id)).toEqual(r.main[k].map((x) => x.id));
        r.worker[k].forEach((x, i) => expect(Math.abs(x.score - r.main[k][i].score), `${k} ${x.id}`).toBeLessThan(1e-6));
      }
    }, 180_000);
  }

  it('sends errors back with their class and fields, and ends the worker on dispose()', async () => {
    const r = await api.p.page.evaluate(async (candidates) => {
      const k = window.kindling;
      const terminated: string[] = [];
      const terminate = Worker.prototype.terminate;
      Worker.prototype.terminate = function (this: Worker) {
        terminated.push('terminate');
        return terminate.call(this);
      };
      try {
        const rec = await k.createRecommender({ worker: true, backend: 'cpu', memoryOnly: true });
        const bad = await rec.rerank([{ id: 'x', text: 5 as unknown as string }], { domain: 'cards' }).catch((e: unknown) => e);
        const cannotClone = await rec.rerank([{ id: 'x', text: 'y', features: { f: (() => 1) as unknown as number } }], { domain: 'cards' }).catch((e: unknown) => e);
        const ok = (await rec.rerank(candidates, { domain: 'cards' })).length;
        await rec.dispose();
        const after = await rec.rerank(candidates, { domain: 'cards' }).catch((e: unknown) => e);
        const load = await k.createRecommender({ worker: true, modelBase: '/no-such-models/' }).catch((e: unknown) => e);
        const described = (e: unknown) => ({ input: e instanceof k.InputError, kindling: e instanceof k.KindlingError, name: (e as Error).name, message: (e as Error).message, field: (e as { field?: string }).field, file: (e as { file?: string }).file });
        return {
          bad: described(bad),
          cannotClone: described(cannotClone),
          ok,
          after: { disposed: after instanceof k.DisposedError },
          load: { ...described(load), modelLoad: load instanceof k.ModelLoadError },
          terminated: terminated.length,
        };
      } finally {
        Worker.prototype.terminate = terminate;
      }
    }, CANDIDATES);
    expect(r.bad).toMatchObject({ input: true, kindling: true, name: 'InputError', field: 'candidates[0].text' });
    expect(r.bad.message).toMatch(/^candidates\[0\]\.text: /);
    expect(r.cannotClone).toMatchObject({ input: true, field: 'candidates' });
    expect(r.ok).toBe(CANDIDATES.length);
    expect(r.after.disposed).toBe(true);
    expect(r.load.modelLoad).toBe(true);
    expect(r.load.file).toMatch(/\/no-such-models\//);
    expect(r.terminated).toBe(2); // dispose() ended the first worker; the failed load ended its own
  }, 180_000);

  it('runs on the main thread, with a warning, where no worker can start', async () => {
    const r = await api.p.page.evaluate(async () => {
      const saved = window.Worker;
      (window as { Worker?: unknown }).Worker = undefined;
      const warnings: string[] = [];
      try {
        const rec = await window.kindling.createRecommender({ worker: true, backend: 'cpu', memoryOnly: true, onWarning: (w) => warnings.push(`${w.type}: ${w.message}`) });
        const n = (await rec.rerank([{ id: 'a', text: 'coffee' }], { domain: 'cards' })).length;
        await rec.dispose();
        return { runsIn: rec.runsIn, n, warnings };
      } finally {
        window.Worker = saved;
      }
    });
    expect(r).toEqual({ runsIn: 'main', n: 1, warnings: ["worker-unavailable: Kindling runs on the page's main thread: this page has no Worker"] });
  }, 180_000);
});
