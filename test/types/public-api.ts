// Compile-time tests of the public API (checked by `tsc -p .`, which `npm test` runs first).
// Each @ts-expect-error must stay an error: a change that makes it compile fails the type check.
import { createRecommender, rerank, InputError, KindlingError, type Ranked, type RecommenderOptions } from '../../src/index.ts';

export async function typeTests(): Promise<Ranked[]> {
  const r = await createRecommender({ backend: 'cpu', relevanceWeight: 0.3, historyLimit: 50 });
  const backend: 'webgpu-fused' | 'webgpu' | 'cpu' = r.backend;
  const domains: string[] = r.domains;
  void backend;
  void domains;
  const ranked = await r.rerank([{ id: 'a', text: 'x', features: { price: 3, brand: 'b' } }], { domain: 'cards', query: 'q' }, { withoutAspects: ['text'] });
  const w: number = ranked[0].weights.sparse;
  void w;
  await r.record({ item: 'a', domain: 'cards', action: 'click' });
  // @ts-expect-error an action outside click | view | search
  await r.record({ item: 'a', domain: 'cards', action: 'purchase' });
  // @ts-expect-error a candidate needs text
  await r.rerank([{ id: 'a' }], { domain: 'cards' });
  // @ts-expect-error the context needs a domain
  await r.rerank([{ id: 'a', text: 'x' }], { query: 'q' });
  // @ts-expect-error an unknown backend
  const bad: RecommenderOptions = { backend: 'webgl' };
  void bad;
  const e: KindlingError = new InputError('candidates', 'x');
  void e;
  return rerank([{ id: 'a', text: 'b' }], { domain: 'cards' });
}
