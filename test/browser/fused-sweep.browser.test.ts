/**
 * The fused kernel against rankerForward on TF.js cpu, for every combination of gating (mean, cls,
 * domain) x domain-adaptive layer (on, off) x aspect set x user features (none, some) x unknown IDs
 * (mask, hash) x history features (off, on, with the sparse aspect) x history-match features (off, on, with
 * the sparse aspect and masked IDs; and as an item's only features; and with the third column, ~same, of --match-features): random weights of order 0.5, random inputs with 40% of the IDs unknown, scores
 * and gating weights within 1e-4, each call inside a validation error scope.
 */
import { describe, expect, it } from 'vitest';
import type { RankerConfig } from '../../src/model/config.ts';
import { useApiPage } from './use-api-page.ts';

/** The sweep's item features (sweepConfig's) with the two history-match columns after them. */
const MATCH_ITEM_FEATURES: RankerConfig['itemFeatures'] = { categorical: ['cat', 'brand'], numeric: [{ name: 'price', mean: 0, std: 1 }, { name: '~repeat', mean: 0, std: 1 }, { name: '~covisit', mean: 0, std: 1 }] };
/** The same with --match-features' third column. */
const SAME_ITEM_FEATURES: RankerConfig['itemFeatures'] = { ...MATCH_ITEM_FEATURES, numeric: [...MATCH_ITEM_FEATURES.numeric, { name: '~same', mean: 0, std: 1 }] };
const ASPECT_SETS: RankerConfig['aspects'][] = [['id', 'text', 'sparse'], ['text', 'sparse'], ['id', 'sparse'], ['id', 'text'], ['text'], ['id']];

describe('the fused kernel across configurations', () => {
  const api = useApiPage({ webgpu: true });

  it('equals TF.js within 1e-4 for gating x DA x aspects x user features x unknown IDs x history features x history match', async () => {
    const combos: Partial<RankerConfig>[] = [];
    for (const gating of ['mean', 'cls', 'domain'] as const)
      for (const domainAdaptive of [true, false])
        for (const aspects of ASPECT_SETS)
          for (const users of [false, true])
            for (const unknownIds of ['mask', 'hash'] as const)
              // History features exist only with the sparse aspect (historyFeaturesOn): both ways there;
              // so do history-match features (with masked IDs, as a model trained with them has).
              for (const historyFeatures of aspects.includes('sparse') ? [false, true] : [false])
                for (const historyMatch of aspects.includes('sparse') && unknownIds === 'mask' ? [false, true] : [false])
                  combos.push({ gating, domainAdaptive, aspects, unknownIds, historyFeatures, ...(historyMatch ? { historyMatch, itemFeatures: MATCH_ITEM_FEATURES } : {}), ...(users ? { userFeatures: { categorical: ['segment'], numeric: [{ name: 'age', mean: 0, std: 1 }] } } : {}) });
    // History-match columns as an item's only features (the sparse MLP has no input left; the linear term stays).
    for (const gating of ['mean', 'cls', 'domain'] as const) combos.push({ gating, aspects: ['id', 'text', 'sparse'], historyMatch: true, historyFeatures: false, itemFeatures: { categorical: [], numeric: MATCH_ITEM_FEATURES.numeric.slice(1) } });
    // Three history-match columns (--match-features): the kernel's linear term reads them all.
    for (const gating of ['mean', 'cls', 'domain'] as const)
      for (const domainAdaptive of [true, false]) combos.push({ gating, domainAdaptive, aspects: ['id', 'text', 'sparse'], historyMatch: true, matchFeatures: true, historyFeatures: true, itemFeatures: SAME_ITEM_FEATURES });
    const results = await api.p.page.evaluate(async (combos) => {
      const out = [];
      for (let i = 0; i < combos.length; i++) out.push({ ...(await window.fusedParity(window.sweepConfig(combos[i]), 100 + i)), combo: combos[i] });
      return out;
    }, combos);
    expect(results).toHaveLength(combos.length);
    const bad = results.filter((r) => !(r.maxScore < 1e-4 && r.maxWeight < 1e-4));
    expect(bad, JSON.stringify(bad.slice(0, 3))).toEqual([]);
    // The sweep is not vacuous: each model has the aspects its config names, and IDs are masked.
    // (An item whose only features are the history-match columns has no E_S: its sparse MLP would have no input.)
    for (const r of results) expect(r.aspects).toBe(r.combo.aspects!.length - (r.combo.itemFeatures?.categorical.length === 0 ? 1 : 0));
    expect(Math.min(...results.map((r) => r.unknownShare))).toBeGreaterThan(0);
    // ... and where the history's item features are read, they move the scores.
    const withHist = results.filter((r) => r.combo.historyFeatures);
    expect(withHist).toHaveLength(114);
    // ... and where history-match features are read, they move the CTR scores.
    const withMatch = results.filter((r) => r.combo.historyMatch);
    expect(withMatch).toHaveLength(81);
    const withSame = results.filter((r) => r.combo.matchFeatures);
    expect(withSame).toHaveLength(6);
    expect(Math.min(...withSame.map((r) => r.sameShift))).toBeGreaterThan(1e-3);
    expect(Math.min(...withMatch.map((r) => r.matchShift))).toBeGreaterThan(1e-3);
    expect(Math.min(...withHist.map((r) => r.histShift)), JSON.stringify(withHist.filter((r) => !(r.histShift > 1e-3)).map((r) => [r.combo, r.histShift]).slice(0, 4))).toBeGreaterThan(1e-3);
  }, 300_000);
});
