/** Reads an encoder folder back into plain arrays, for known-value checks against the reference. */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildEncoderFiles, type EncoderSpec } from '../../scripts/encoder/files.ts';
import onnxProto from 'onnx-proto';

export const SHIPPED = join(process.cwd(), 'models/encoder/kindling-glove-100d');

export function readVocab(dir: string): Map<string, number> {
  const tok = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  return new Map(Object.entries(tok.model.vocab as Record<string, number>));
}

/**
 * The float table the graph computes (codes x per-row scale), decoded from the ONNX file here, with
 * onnx-proto and by hand, not with the code under test (src/encoder/static-table.ts): int8 is
 * q * scale; codes are codebook[top nibble << (bits - 4) | low bits] * scale, read from the planes
 * with the graph's own byte -> fields tables.
 */
export function readTable(dir: string): { table: Float32Array; rows: number; dim: number } {
  const model = onnxProto.onnx.ModelProto.decode(readFileSync(join(dir, 'onnx/model_quantized.onnx')));
  const init = new Map(model.graph!.initializer!.map((t) => [t.name!, t]));
  const floats = (name: string) => {
    const raw = init.get(name)!.rawData!;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  };
  const scales = floats('embeddings.scale');
  const q8 = init.get('embeddings.int8');
  if (q8) {
    const [rows, dim] = q8.dims!.map(Number);
    const raw = q8.rawData!;
    const values = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    return { table: Float32Array.from({ length: rows * dim }, (_, i) => values[i] * scales[Math.floor(i / dim)]), rows, dim };
  }
  const hi = init.get('embeddings.hi')!;
  const [rows, half] = hi.dims!.map(Number);
  const dim = half * 2;
  const codebook = floats('embeddings.codebook');
  const lb = Math.log2(codebook.length) - 4;
  const hiFields = floats('codes.hi');
  const top = new Float32Array(rows * dim);
  for (let i = 0; i < rows * half; i++) [top[2 * i], top[2 * i + 1]] = [hiFields[2 * hi.rawData![i]], hiFields[2 * hi.rawData![i] + 1]];
  const table = new Float32Array(rows * dim);
  const lo = init.get('embeddings.lo');
  const loFields = lb ? floats('codes.lo') : undefined;
  const per = 8 / lb;
  const loRow = lo ? Number(lo.dims![1]) : 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) {
      const low = lb ? loFields![lo!.rawData![r * loRow + Math.floor(j / per)] * per + (j % per)] : 0;
      table[r * dim + j] = codebook[top[r * dim + j] * 2 ** lb + low] * scales[r];
    }
  }
  return { table, rows, dim };
}

/** A small encoder of any dimension, written where createEncoder can load it. */
export function writeTinyEncoder(root: string, name: string, dim: number, seed = 1, keepId = true, bits: 4 | 5 | 6 | 8 = 5): EncoderSpec {
  const words = ['coffee', 'espresso', 'bar', 'shop', 'electricity', 'bill', 'tea', 'water'];
  const vectors = new Float32Array(words.length * dim);
  let x = seed;
  for (let i = 0; i < vectors.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    vectors[i] = (x / 2147483648) * 2 - 1;
  }
  const spec: EncoderSpec = { name, words, vectors, dim, source: { test: 'tiny' }, producerVersion: 'test', bits };
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
