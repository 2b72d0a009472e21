/**
 * The fused kernel against rankerForward on TF.js cpu, for every combination of gating (mean, cls,
 * domain) x domain-adaptive layer (on, off) x aspect set x user features (none, some) x unknown IDs
 * (mask, hash) x history features (off, on, with the sparse aspect): random weights of order 0.5, random inputs with 40% of the IDs unknown, scores
 * and gating weights within 1e-4, each call inside a validation error scope.
 */
import { describe, expect, it } from 'vitest';
import type { RankerConfig } from '../../src/model/config.ts';
import { useApiPage } from './use-api-page.ts';

const ASPECT_SETS: RankerConfig['aspects'][] = [['id', 'text', 'sparse'], ['text', 'sparse'], ['id', 'sparse'], ['id', 'text'], ['text'], ['id']];

describe('the fused kernel across configurations', () => {
  const api = useApiPage({ webgpu: true });

  it('equals TF.js within 1e-4 for gating x DA x aspects x user features x unknown IDs x history features', async () => {
    const combos: Partial<RankerConfig>[] = [];
    for (const gating of ['mean', 'cls', 'domain'] as const)
      for (const domainAdaptive of [true, false])
        for (const aspects of ASPECT_SETS)
          for (const users of [false, true])
            for (const unknownIds of ['mask', 'hash'] as const)
              // History features exist only with the sparse aspect (historyFeaturesOn): both ways there.
              for (const historyFeatures of aspects.includes('sparse') ? [false, true] : [false])
                combos.push({ gating, domainAdaptive, aspects, unknownIds, historyFeatures, ...(users ? { userFeatures: { categorical: ['segment'], numeric: [{ name: 'age', mean: 0, std: 1 }] } } : {}) });
    const results = await api.p.page.evaluate(async (combos) => {
      const out = [];
      for (let i = 0; i < combos.length; i++) out.push({ ...(await window.fusedParity(window.sweepConfig(combos[i]), 100 + i)), combo: combos[i] });
      return out;
    }, combos);
    expect(results).toHaveLength(combos.length);
    const bad = results.filter((r) => !(r.maxScore < 1e-4 && r.maxWeight < 1e-4));
    expect(bad, JSON.stringify(bad.slice(0, 3))).toEqual([]);
    // The sweep is not vacuous: each model has the aspects its config names, and IDs are masked.
    for (const r of results) expect(r.aspects).toBe(r.combo.aspects!.length);
    expect(Math.min(...results.map((r) => r.unknownShare))).toBeGreaterThan(0);
    // ... and where the history's item features are read, they move the scores.
    const withHist = results.filter((r) => r.combo.historyFeatures);
    expect(withHist).toHaveLength(72);
    expect(Math.min(...withHist.map((r) => r.histShift)), JSON.stringify(withHist.filter((r) => !(r.histShift > 1e-3)).map((r) => [r.combo, r.histShift]).slice(0, 4))).toBeGreaterThan(1e-3);
  }, 300_000);
});
