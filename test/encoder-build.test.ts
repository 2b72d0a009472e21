import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEncoderFiles } from '../scripts/encoder/files.ts';
import { dequantizeRows, quantizeRows } from '../scripts/encoder/quantize.ts';
import { VOCAB_SOURCES } from '../scripts/encoder/vocab-sources.ts';
import { basicTokenize, chooseVocabulary, isSinglePiece, jsonStrings } from '../scripts/encoder/vocab.ts';
import { SHIPPED, readVocab } from './helpers/model-files.ts';

describe('int8 per-row quantisation', () => {
  it('reads back every value within half a step of its row scale', () => {
    const rows = 50;
    const dim = 17;
    const t = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i * 1.3) * (1 + (i % 7)) * (i < dim ? 0 : 1));
    const q = quantizeRows(t, rows, dim);
    const d = dequantizeRows(q);
    expect(q.scales[0]).toBe(0); // an all-zero row stays exactly zero
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < dim; j++) expect(Math.abs(d[r * dim + j] - t[r * dim + j])).toBeLessThanOrEqual(q.scales[r] / 2 + 1e-7);
    }
    expect(Math.max(...q.values.map(Math.abs))).toBe(127);
  });
});

describe('tokenization and vocabulary', () => {
  it('splits like a BERT basic tokenizer', () => {
    expect(basicTokenize("Café-crème, don't!")).toEqual(['cafe', '-', 'creme', ',', 'don', "'", 't', '!']);
    expect(basicTokenize('咖啡 shop')).toEqual(['咖', '啡', 'shop']);
    expect(basicTokenize('🍕🍕 pizza\u0000')).toEqual(['🍕🍕', 'pizza']);
    expect(isSinglePiece('coffee')).toBe(true);
    expect(isSinglePiece("don't")).toBe(false);
    expect(isSinglePiece('Coffee')).toBe(false);
  });

  it('takes the top words, then the extra ones in source order, and reports words with no vector', () => {
    const ranked = ['the', ',', 'coffee', 'tea', "it's", 'espresso', 'latte'];
    const has = (w: string) => w !== 'tea';
    const v = chooseVocabulary(ranked, has, 2, ['latte', 'espresso', 'unknownish', 'the']);
    expect(v.words).toEqual(['the', 'coffee', 'espresso', 'latte']);
    expect(v.missing).toEqual(['unknownish']);
  });

  it('gives the same bytes when built twice', () => {
    const spec = { name: 't', words: ['a1', 'b2', 'c3'], vectors: Float32Array.from({ length: 12 }, (_, i) => i - 5.5), dim: 4, source: {}, producerVersion: '1' };
    const a = buildEncoderFiles(spec);
    const b = buildEncoderFiles({ ...spec, vectors: spec.vectors.slice() });
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [k, v] of a.files) expect(Buffer.compare(Buffer.from(v), Buffer.from(b.files.get(k)!)), k).toBe(0);
    expect(a.encoderId).toBe(b.encoderId);
    const c = buildEncoderFiles({ ...spec, vectors: spec.vectors.map((x) => x * 2 + 1) });
    expect(c.encoderId).not.toBe(a.encoderId);
  });
});

describe('the shipped encoder folder', () => {
  const vocab = readVocab(SHIPPED);
  const card = readFileSync(join(SHIPPED, 'MODEL_CARD.md'), 'utf8');

  it('has at least 30,000 words plus the special tokens', () => {
    expect(vocab.size).toBeGreaterThanOrEqual(30_003);
    expect([vocab.get('[PAD]'), vocab.get('[UNK]'), vocab.get('[CLS]')]).toEqual([0, 1, 2]);
  });

  it("knows every word of the project's data, except those the model card lists as having no vector", () => {
    const missing = new Set([...card.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    const words = new Set(VOCAB_SOURCES.flatMap((f) => jsonStrings(JSON.parse(readFileSync(f, 'utf8'))).flatMap(basicTokenize)).filter(isSinglePiece));
    expect(words.size).toBeGreaterThan(100);
    for (const w of words) expect(vocab.has(w) || missing.has(w), w).toBe(true);
  });

  it('reports a quantisation error within target in its model card (mean cosine >= 0.995 over >= 1,000 phrases)', () => {
    const m = /over (\d+) phrases[\s\S]*?\| ([\d.]+) \| ([\d.]+) \|/.exec(card)!;
    expect(Number(m[1])).toBeGreaterThanOrEqual(1000);
    expect(Number(m[2])).toBeGreaterThanOrEqual(0.995);
  });

  it('lists its files with their real sizes', () => {
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']) {
      const size = readFileSync(join(SHIPPED, f)).byteLength;
      expect(card).toContain(`| \`${f}\` | ${size.toLocaleString('en-US')} |`);
    }
  });
});
