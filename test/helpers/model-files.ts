/** Reads an encoder folder back into plain arrays, for known-value checks against the reference. */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import onnxProto from 'onnx-proto';
import { buildEncoderFiles, type EncoderSpec } from '../../scripts/encoder/files.ts';
import { dequantizeRows } from '../../scripts/encoder/quantize.ts';

export const SHIPPED = join(process.cwd(), 'models/encoder/kindling-glove-100d');

export function readVocab(dir: string): Map<string, number> {
  const tok = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  return new Map(Object.entries(tok.model.vocab as Record<string, number>));
}

/** The float table the graph computes (int8 x per-row scale), decoded from the ONNX file. */
export function readTable(dir: string): { table: Float32Array; rows: number; dim: number } {
  const model = onnxProto.onnx.ModelProto.decode(readFileSync(join(dir, 'onnx/model_quantized.onnx')));
  const init = new Map(model.graph!.initializer!.map((t) => [t.name!, t]));
  const q = init.get('embeddings.int8')!;
  const s = init.get('embeddings.scale')!;
  const [rows, dim] = q.dims!.map(Number);
  const raw = q.rawData!;
  const values = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength).slice();
  const sraw = s.rawData!;
  const scales = new Float32Array(sraw.buffer.slice(sraw.byteOffset, sraw.byteOffset + sraw.byteLength));
  return { table: dequantizeRows({ rows, dim, values, scales }), rows, dim };
}

/** A small encoder of any dimension, written where createEncoder can load it. */
export function writeTinyEncoder(root: string, name: string, dim: number, seed = 1, keepId = true): EncoderSpec {
  const words = ['coffee', 'espresso', 'bar', 'shop', 'electricity', 'bill', 'tea', 'water'];
  const vectors = new Float32Array(words.length * dim);
  let x = seed;
  for (let i = 0; i < vectors.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    vectors[i] = (x / 2147483648) * 2 - 1;
  }
  const spec: EncoderSpec = { name, words, vectors, dim, source: { test: 'tiny' }, producerVersion: 'test' };
  const built = buildEncoderFiles(spec);
  if (!keepId) {
    const config = JSON.parse(new TextDecoder().decode(built.files.get('config.json')));
    delete config.kindling;
    built.files.set('config.json', new TextEncoder().encode(JSON.stringify(config)));
  }
  for (const [rel, bytes] of built.files) {
    const p = join(root, 'encoder', name, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, bytes);
  }
  return spec;
}
