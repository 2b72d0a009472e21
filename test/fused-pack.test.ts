/**
 * Packing a model for the fused kernel: every parameter's name and offset come from paramSpecs,
 * and a parameter the kernel cannot place is an error, never a weight silently left out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packModel } from '../src/gpu/fused-ranker.ts';
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
