/**
 * Packing a model for the fused kernel: every parameter's name and offset come from paramSpecs,
 * and a parameter the kernel cannot place is an error, never a weight silently left out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packModel, scratchLayout } from '../src/gpu/fused-ranker.ts';
import { paramSpecs } from '../src/model/params.ts';
import { smallConfig } from './helpers/ranker-fixture.ts';

const kernel = readFileSync('src/gpu/ranker.wgsl', 'utf8');
const weightsOf = (c: ReturnType<typeof smallConfig>) => new Map(paramSpecs(c).map((s, i) => [s.name, new Float32Array(s.shape.reduce((a, b) => a * b, 1)).fill(i + 1)]));

describe('packModel', () => {
  it('places every parameter of paramSpecs at the offset its kernel constant names', () => {
    for (const c of [smallConfig(), smallConfig({ gating: 'cls', domainAdaptive: false }), smallConfig({ aspects: ['text'], userFeatures: { categorical: ['s'], numeric: [] } })]) {
      const { weights, preamble } = packModel(c, weightsOf(c), kernel);
      paramSpecs(c).forEach((s, i) => {
        const off = Number(new RegExp(`const OFF_${s.kernel}: u32 = (\\d+)u;`).exec(preamble)![1]);
        expect(weights[off], s.name).toBe(i + 1);
        expect(kernel, s.name).toContain(`OFF_${s.kernel}`);
      });
    }
  });

  it('defines every scratch region the kernel reads, from one table that also sizes the buffer', () => {
    for (const c of [smallConfig(), smallConfig({ domainAdaptive: false, historyLength: 9 })]) {
      const { preamble } = packModel(c, weightsOf(c), kernel);
      const read = new Set([...kernel.matchAll(/\bS_([A-Z0-9]+)\b/g)].map((m) => m[1]));
      const { offsets, floats } = scratchLayout(c);
      expect([...read].sort()).toEqual(Object.keys(offsets).sort());
      for (const [k, v] of Object.entries(offsets)) expect(preamble).toContain(`const S_${k}: u32 = ${v}u;`);
      const [N, H, X] = [c.historyLength, c.hidden, c.domainAdaptive ? c.daDim : 5 * c.hidden];
      expect(floats).toBe(7 * N * H + N * N + 2 * N * H + 4 * H + c.maxDomains * (H + X));
      // Regions in order, none overlapping the next.
      expect(offsets.Q - offsets.H).toBe(N * H);
      expect(offsets.F1 - offsets.SC).toBe(N * N);
      expect(floats - offsets.PRE).toBe(c.maxDomains * X);
    }
  });

  it('refuses a parameter the kernel never reads', () => {
    const c = smallConfig();
    expect(() => packModel(c, weightsOf(c), kernel.replaceAll('OFF_DA_W', 'OFF_XX_W'))).toThrow(/cannot place parameter da\.w/);
  });

  it('refuses a parameter that is not in the config, and a parameter of the wrong size', () => {
    const c = smallConfig();
    const extra = weightsOf(c).set('mystery.w', new Float32Array(4));
    expect(() => packModel(c, extra, kernel)).toThrow(/cannot place parameter mystery\.w/);
    const short = weightsOf(c).set('lm.w', new Float32Array(3));
    expect(() => packModel(c, short, kernel)).toThrow(/lm\.w has 3 values/);
  });

  it('accepts the parameters of an aspect the kernel leaves out (withoutAspects)', () => {
    const full = smallConfig();
    expect(() => packModel({ ...full, aspects: ['text', 'sparse'] }, weightsOf(full), kernel)).not.toThrow();
  });
});
