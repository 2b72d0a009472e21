/**
 * int8 tables with a scale per row (src/model/quantize.ts, `kindling quantize`): each value within half
 * a step of what it was, the rest of the model untouched, the file read back by the decoder (bad files
 * named), and a quantised model that ranks as the float one does (AUC within 0.002 on a world).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../src/errors.ts';
import { disposeParams, initParams } from '../src/model/params.ts';
import { dequantizeRows, quantizeRows, QUANTIZED_TABLES } from '../src/model/quantize.ts';
import { decodeRanker, encodeRanker } from '../src/model/serialize.ts';
import { loadRanker } from '../src/node/ranker-files.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { writeWorld } from '../src/node/world-files.ts';
import { evaluateModel } from '../src/train/evaluate.ts';
import { quantizeModel } from '../src/train/quantize-model.ts';
import { train } from '../src/train/train.ts';
import { mulberry32 } from '../src/util/random.ts';
import { smallConfig } from './helpers/ranker-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-quantize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await useTrainingBackend();
});

describe('row-wise int8', () => {
  it('keeps every value within half a step of its row, on known values and random ones', () => {
    const { scales, q } = quantizeRows(new Float32Array([1, -0.5, 0.25, 0, 0, 0]), 2);
    expect(Array.from(scales)).toEqual([Math.fround(1 / 127), 0]);
    expect(Array.from(q)).toEqual([127, -63, 32, 0, 0, 0]); // -63.5 rounds up, 31.75 to 32
    const rand = mulberry32(3);
    const v = Float32Array.from({ length: 64 * 33 }, (_, i) => (rand() - 0.5) * (1 + (i % 33)));
    const r = quantizeRows(v, 64);
    const back = dequantizeRows(r.scales, r.q);
    for (let i = 0; i < v.length; i++) expect(Math.abs(back[i] - v[i])).toBeLessThanOrEqual(r.scales[Math.floor(i / 33)] / 2 + 1e-7);
  });

  it('stores the tables as int8 and the rest as float32, and reads them back', async () => {
    const c = smallConfig();
    const params = initParams(c, 7);
    try {
      const plain = await encodeRanker(params, c, {});
      const q = await encodeRanker(params, c, {}, { quantize: QUANTIZED_TABLES });
      const id = params.get('emb.id')!;
      const sparse = params.get('emb.sparse')!;
      const saved = (t: tf.Tensor) => t.size * 4 - (4 * t.shape[0] + t.size); // float32 bytes less (scales + int8)
      expect(plain.weights.byteLength - q.weights.byteLength).toBe(saved(id) + saved(sparse));
      const { params: back } = await decodeRanker(JSON.parse(JSON.stringify(q.json)), q.weights, 'q/');
      try {
        for (const [name, t] of params) {
          const a = t.dataSync();
          const b = back.get(name)!.dataSync();
          if (!(QUANTIZED_TABLES as readonly string[]).includes(name)) expect(b, name).toEqual(a); // bit for bit
          else {
            const rows = t.shape[0];
            const { scales } = quantizeRows(a as Float32Array, rows);
            const cols = t.size / rows;
            for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), name).toBeLessThanOrEqual(scales[Math.floor(i / cols)] / 2 + 1e-7);
          }
        }
      } finally {
        disposeParams(back);
      }
      // A manifest that asks for another quantization, or a file cut short, is named.
      const odd = JSON.parse(JSON.stringify(q.json));
      odd.weightsManifest[0].weights.find((w: { name: string }) => w.name === 'emb.id').quantization = { dtype: 'int4', scheme: 'row' };
      await expect(decodeRanker(odd, q.weights, 'q/')).rejects.toThrow(ModelLoadError);
      const short = q.weights.slice(0, q.weights.byteLength - 10);
      const shortJson = JSON.parse(JSON.stringify(q.json));
      const { sha256 } = await import('../src/util/digest.ts');
      shortJson.kindling.checksums['weights.bin'] = await sha256(short);
      await expect(decodeRanker(shortJson, short, 'q/')).rejects.toThrow(/q\/weights\.bin: ends before tensor/);
    } finally {
      disposeParams(params);
    }
  });
});

describe('kindling quantize on a trained model', () => {
  it('shrinks weights.bin and ranks the test split as the float model does (AUC within 0.002)', async () => {
    const data = join(dir, 'world');
    writeWorld(data, { seed: 4, users: 200, scale: 0.3 });
    const model = join(dir, 'float');
    await train({ data, out: model, epochs: 2, seed: 2, excludeDomains: ['miniapps'] });
    const out = join(dir, 'int8');
    const r = await quantizeModel({ model, out });
    expect(r.bytesAfter).toBeLessThan(r.bytesBefore * 0.4);
    expect(statSync(join(out, 'weights.bin')).size).toBe(r.bytesAfter);
    for (const t of QUANTIZED_TABLES) expect(r.tables[t].maxAbsError).toBeLessThanOrEqual(r.tables[t].maxAbs / 254 + 1e-7);
    const manifest = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(manifest.kindling.training.quantized.tables).toEqual([...QUANTIZED_TABLES]);
    const a = await evaluateModel({ model, data, excludeDomains: ['miniapps'], seed: 2 });
    const b = await evaluateModel({ model: out, data, excludeDomains: ['miniapps'], seed: 2 });
    expect(a.overall.auc).toBeGreaterThan(0.65); // it learnt something
    for (const k of ['overall', 'warm', 'cold'] as const) expect(Math.abs(b[k].auc - a[k].auc), k).toBeLessThan(0.002);
    // Quantising again changes nothing that matters: the int8 model read and written again.
    const again = join(dir, 'again');
    await quantizeModel({ model: out, out: again });
    const { params: p1 } = await loadRanker(out);
    const { params: p2 } = await loadRanker(again);
    for (const [name, t] of p1) {
      const x = t.dataSync();
      const y = p2.get(name)!.dataSync();
      for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i]), name).toBeLessThanOrEqual(Math.abs(x[i]) * 1e-6);
    }
    disposeParams(p1);
    disposeParams(p2);
    writeFileSync(join(dir, 'done'), '');
  }, 300_000);
});
