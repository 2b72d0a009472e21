/**
 * Packing a model for the fused kernel: every parameter's name and offset come from paramSpecs,
 * and a parameter the kernel cannot place is an error, never a weight silently left out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packModel, packWords, scratchLayout } from '../src/gpu/fused-ranker.ts';
import { packCodes } from '../scripts/encoder/quantize.ts';
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

describe('packWords', () => {
  // What the kernel's word_value reads, decoded here from the packed words by hand.
  const byte = (w: Uint32Array, a: number) => (w[a >> 2] >> ((a & 3) * 8)) & 255;
  const f32 = (w: Uint32Array, i: number) => new Float32Array(w.buffer, i * 4, 1)[0];

  it('lays out an int8 table: header, values a byte each, scales', () => {
    const t = { format: 'int8' as const, rows: 3, dim: 5, values: Int8Array.from({ length: 15 }, (_, i) => i * 9 - 60), scales: Float32Array.from([0, 0.5, 0.25]) };
    const w = packWords(t);
    expect(Array.from(w.subarray(0, 8))).toEqual([1, 0, 0, 8, 0, 8 + 4, 8 + 4 + 3, 3]); // 15 bytes: 4 words
    for (let i = 0; i < 15; i++) expect((byte(w, w[3] * 4 + i) << 24) >> 24).toBe(t.values[i]);
    expect([0, 1, 2].map((r) => f32(w, w[5] + r))).toEqual([0, 0.5, 0.25]);
  });

  it('lays out a 5-bit code table: both planes, scales, codebook, and every code reads back', () => {
    const rows = 4;
    const dim = 6;
    const codes = Uint8Array.from({ length: rows * dim }, (_, i) => (i * 11 + 5) % 32);
    const { hi, lo } = packCodes(codes, rows, dim, 5);
    const codebook = Float32Array.from({ length: 32 }, (_, i) => i / 8 - 2);
    const t = { format: 'codes' as const, bits: 5 as const, rows, dim, hi, lo, codebook, scales: Float32Array.from([1, 2, 3, 4]) };
    const w = packWords(t);
    expect(w[0]).toBe(2);
    expect(w[1]).toBe(1);
    expect(w[2]).toBe(1); // 6 one-bit fields: one byte a row
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < dim; k++) {
        const b = byte(w, w[3] * 4 + (r * dim) / 2 + (k >> 1));
        const top = k & 1 ? b >> 4 : b & 15;
        const low = (byte(w, w[4] * 4 + r * w[2] + Math.floor(k / 8)) >> (k % 8)) & 1;
        expect((top << 1) | low, `row ${r} value ${k}`).toBe(codes[r * dim + k]);
        expect(f32(w, w[6] + codes[r * dim + k])).toBe(codebook[codes[r * dim + k]]);
      }
      expect(f32(w, w[5] + r)).toBe(r + 1);
    }
    expect(w[7]).toBe(rows);
  });
});
