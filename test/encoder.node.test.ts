import { mkdtempSync, rmSync, writeFileSync, readFileSync, appendFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEncoder, ConfigError, InputError, ModelLoadError, createFileVectorCache, type Encoder } from '../src/node/index.ts';
import { cosine } from '../src/util/vector.ts';
import { referencePool, referenceTokenIds } from '../scripts/encoder/reference.ts';
import pairs from './fixtures/encoder-pairs.json';
import phrases from './fixtures/encoder-phrases.json';
import { SHIPPED, readTable, readVocab, writeTinyEncoder } from './helpers/model-files.ts';

let enc: Encoder;
const tmp = mkdtempSync(join(tmpdir(), 'kindling-enc-'));
beforeAll(async () => {
  enc = await createEncoder();
});
afterAll(async () => {
  await enc.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the shipped encoder in Node', () => {
  it('reads its dimension and id from config.json', () => {
    const config = JSON.parse(readFileSync(join(SHIPPED, 'config.json'), 'utf8'));
    expect(enc.dim).toBe(config.hidden_size);
    expect(enc.id).toBe(config.kindling.encoder_id);
    expect(enc.device).toBe('cpu');
  });

  it(`puts the related phrase first in all ${pairs.triples.length} known triples`, async () => {
    expect(pairs.triples.length).toBeGreaterThanOrEqual(20);
    for (const [anchor, related, unrelated] of pairs.triples) {
      const [a, r, u] = await enc.encode([anchor, related, unrelated]);
      expect(cosine(a, r), `${anchor} ~ ${related} vs ${unrelated}`).toBeGreaterThan(cosine(a, u));
    }
  });

  it('equals the plain-JS mean of the dequantised table rows within 1e-5', async () => {
    const vocab = readVocab(SHIPPED);
    const { table, dim } = readTable(SHIPPED);
    const texts = [...pairs.triples.flat(), ...phrases.phrases];
    const got = await enc.encode(texts);
    texts.forEach((t, i) => {
      const want = referencePool(referenceTokenIds(t, vocab), table, dim);
      let max = 0;
      for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(got[i][j] - want[j]));
      expect(max, t).toBeLessThan(1e-5);
    });
    // "coffee shop" = ([CLS] + coffee + shop) / 3, [CLS] being zero: a hand check of one value.
    const [v] = await enc.encode(['coffee shop']);
    const c = vocab.get('coffee')!;
    const s = vocab.get('shop')!;
    expect(v[0]).toBeCloseTo((table[c * dim] + table[s * dim]) / 3, 6);
  });

  it('gives a finite vector for every odd text, and the zero vector for no words', async () => {
    const odd = ['', '   ', 'x'.repeat(10_000), 'coffee '.repeat(2000), '咖啡店', '🍕🎉', 'кофейня', '\u0000\uFFFF', 'e\u0301'];
    const out = await enc.encode(odd);
    expect(out).toHaveLength(odd.length);
    for (const v of out) {
      expect(v).toHaveLength(enc.dim);
      expect(v.every(Number.isFinite)).toBe(true);
    }
    expect(out[0].every((x) => x === 0)).toBe(true);
    // 2,000 times "coffee": only 511 words are read, all the same, so the mean is 511/512 of "coffee".
    const [coffee] = await enc.encode(['coffee']);
    expect(cosine(out[3], coffee)).toBeCloseTo(1, 6);
  });

  it('keeps the input order and encodes duplicates once', async () => {
    const out = await enc.encode(['tea', 'coffee', 'tea']);
    expect(Array.from(out[0])).toEqual(Array.from(out[2]));
    expect(cosine(out[0], out[1])).toBeLessThan(0.999);
    expect(await enc.encode([])).toEqual([]);
  });

  it('gives ONNX Runtime\'s vectors bit for bit on the js device (no ONNX Runtime), odd texts included', async () => {
    const js = await createEncoder({ device: 'js', cache: false });
    try {
      expect(js.device).toBe('js');
      expect(js.id).toBe(enc.id);
      const texts = [...pairs.triples.flat(), ...phrases.phrases, '', '   ', 'x'.repeat(10_000), 'coffee '.repeat(2000), '咖啡店', '🍕🎉', '\u0000\uFFFF', 'e\u0301', '\uD800 lone'];
      const [a, b] = [await enc.encode(texts), await js.encode(texts)];
      texts.forEach((t, i) => expect(Array.from(b[i]), t).toEqual(Array.from(a[i])));
    } finally {
      await js.dispose();
    }
  });

  it('rejects what is not a list of strings, naming the field', async () => {
    await expect(enc.encode('coffee' as never)).rejects.toThrow(InputError);
    await expect(enc.encode(['a', 3 as never])).rejects.toThrow(/texts\[1\]: expected a string, got number/);
    await expect(enc.encode([null as never])).rejects.toThrow(/texts\[0\]: expected a string, got null/);
    await expect(enc.encode([{ toString: () => 'x' } as never])).rejects.toThrow(InputError);
  });
});

describe('options and model folders', () => {
  it('rejects unknown options and bad values by name', async () => {
    await expect(createEncoder({ devise: 'cpu' } as never)).rejects.toThrow(/devise: unknown option/);
    await expect(createEncoder({ device: 'gpu' as never })).rejects.toThrow(ConfigError);
    await expect(createEncoder({ device: 'webgpu' })).rejects.toThrow(/device: "webgpu" is a browser device/);
    await expect(createEncoder({ batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(createEncoder({ model: '../../etc' })).rejects.toThrow(/model:/);
  });

  it('names the model file when the js device cannot read its table', async () => {
    writeTinyEncoder(tmp, 'cut-onnx', 8);
    const file = join(tmp, 'encoder/cut-onnx/onnx/model_quantized.onnx');
    writeFileSync(file, readFileSync(file).subarray(0, 200));
    await expect(createEncoder({ modelBase: tmp, model: 'cut-onnx', device: 'js' })).rejects.toThrow(/cut-onnx\/onnx\/model_quantized\.onnx: is not a readable ONNX model/);
  });

  it('names the missing file of a broken folder', async () => {
    await expect(createEncoder({ modelBase: tmp, model: 'nothing-here' })).rejects.toThrow(ModelLoadError);
    await expect(createEncoder({ modelBase: tmp, model: 'nothing-here' })).rejects.toThrow(/nothing-here\/config\.json: not found/);
    writeTinyEncoder(tmp, 'no-onnx', 8);
    rmSync(join(tmp, 'encoder/no-onnx/onnx/model_quantized.onnx'));
    await expect(createEncoder({ modelBase: tmp, model: 'no-onnx' })).rejects.toThrow(/model_quantized\.onnx/);
    writeTinyEncoder(tmp, 'bad-config', 8);
    writeFileSync(join(tmp, 'encoder/bad-config/config.json'), '{"hidden_size": ');
    await expect(createEncoder({ modelBase: tmp, model: 'bad-config' })).rejects.toThrow(/config\.json: is not valid JSON/);
  });

  it('loads a swapped-in model of another dimension and its vectors flow through', async () => {
    const spec = writeTinyEncoder(tmp, 'tiny-8d', 8);
    const tiny = await createEncoder({ modelBase: tmp, model: 'tiny-8d' });
    expect(tiny.dim).toBe(8);
    const [v] = await tiny.encode(['espresso bar']);
    const vocab = readVocab(join(tmp, 'encoder/tiny-8d'));
    const { table } = readTable(join(tmp, 'encoder/tiny-8d'));
    const want = referencePool(referenceTokenIds('espresso bar', vocab), table, 8);
    expect(Array.from(v).map((x, j) => Math.abs(x - want[j])).every((d) => d < 1e-6)).toBe(true);
    expect(spec.dim).toBe(8);
    await tiny.dispose();
  });

  it('reads int8 and 4-, 5- and 6-bit tables alike, bit for bit with ONNX Runtime, and names a corrupt field table', async () => {
    const texts = ['espresso bar', 'coffee shop tea', '', 'water bill electricity', 'unknown words only'];
    for (const bits of [8, 4, 5, 6] as const) {
      writeTinyEncoder(tmp, `tiny-${bits}bit`, 6, 3, true, bits);
      const [ort, js] = await Promise.all([createEncoder({ modelBase: tmp, model: `tiny-${bits}bit`, cache: false }), createEncoder({ modelBase: tmp, model: `tiny-${bits}bit`, device: 'js', cache: false })]);
      const [a, b] = [await ort.encode(texts), await js.encode(texts)];
      texts.forEach((t, i) => expect(Array.from(b[i]), `${bits} bits: ${t}`).toEqual(Array.from(a[i])));
      const { table } = readTable(join(tmp, `encoder/tiny-${bits}bit`));
      const want = referencePool(referenceTokenIds('espresso bar', readVocab(join(tmp, `encoder/tiny-${bits}bit`))), table, 6);
      expect(Array.from(b[0]).every((x, j) => Math.abs(x - want[j]) < 1e-6)).toBe(true);
      await Promise.all([ort.dispose(), js.dispose()]);
    }
    // One float of the low plane's [256, 8] byte -> fields table changed: the graph would read other codes than the JS.
    const file = join(tmp, 'encoder/tiny-5bit/onnx/model_quantized.onnx');
    const bytes = readFileSync(file);
    const at = bytes.lastIndexOf(Buffer.from('codes.lo'));
    expect(at).toBeGreaterThan(0);
    const raw = bytes.indexOf(Buffer.from([0x4a]), at); // raw_data's tag (field 9, wire 2) after the name; 8192 bytes: a 2-byte length
    bytes.writeFloatLE(12345, raw + 3 + 4 * (150 * 8 + 1));
    writeFileSync(file, bytes);
    await expect(createEncoder({ modelBase: tmp, model: 'tiny-5bit', device: 'js' })).rejects.toThrow(/codes\.lo: row 150 is not the 1-bit fields of 150/);
  });

  it('derives an id from the files when config.json has none, and it changes with the weights', async () => {
    writeTinyEncoder(tmp, 'anon', 8, 1, false);
    const a = await createEncoder({ modelBase: tmp, model: 'anon' });
    writeTinyEncoder(tmp, 'anon', 8, 2, false);
    const b = await createEncoder({ modelBase: tmp, model: 'anon' });
    expect(a.id).toMatch(/^anon@[0-9a-f]{16}$/);
    expect(b.id).not.toBe(a.id);
    await a.dispose();
    await b.dispose();
  });
});

describe('the file vector cache', () => {
  it('serves vectors across encoders, never across encoder versions', async () => {
    const cacheDir = join(tmp, 'cache');
    writeTinyEncoder(join(tmp, 'v1'), 'same-name', 8, 1);
    writeTinyEncoder(join(tmp, 'v2'), 'same-name', 8, 2);
    const e1 = await createEncoder({ modelBase: join(tmp, 'v1'), model: 'same-name', cacheDir });
    const [x1] = await e1.encode(['coffee bar']);
    const file = join(cacheDir, `${e1.id}.vec`);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(8 * 4);
    // A second encoder of the same version reads the vector from the file (the file does not grow).
    const e1b = await createEncoder({ modelBase: join(tmp, 'v1'), model: 'same-name', cacheDir });
    expect(Array.from((await e1b.encode(['coffee bar']))[0])).toEqual(Array.from(x1));
    expect(statSync(file).size).toBe(size);
    // A rebuilt encoder with other weights has another id, so it computes its own vector.
    const e2 = await createEncoder({ modelBase: join(tmp, 'v2'), model: 'same-name', cacheDir });
    expect(e2.id).not.toBe(e1.id);
    const [x2] = await e2.encode(['coffee bar']);
    expect(Array.from(x2)).not.toEqual(Array.from(x1));
    for (const e of [e1, e1b, e2]) await e.dispose();
  });

  it('ignores a torn last record and keeps the ones before it', async () => {
    const dir = join(tmp, 'torn');
    const c = createFileVectorCache(dir);
    await c.setMany([['enc@1:aa', Float32Array.of(1, 2, 3)], ['enc@1:bb', Float32Array.of(4, 5, 6)]]);
    appendFileSync(join(dir, 'enc@1.vec'), Buffer.from([9, 0, 1, 2]));
    const fresh = createFileVectorCache(dir);
    expect(await fresh.getMany(['enc@1:aa', 'enc@1:bb', 'enc@1:cc'])).toEqual([Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6), undefined]);
    await fresh.setMany([['enc@1:cc', Float32Array.of(7)]]);
    expect((await createFileVectorCache(dir).getMany(['enc@1:cc']))[0]).toEqual(Float32Array.of(7));
  });
});
