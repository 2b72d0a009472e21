/**
 * A plain-JS reference of what the encoder computes: BERT basic tokenization, a WordPiece
 * lookup of whole words ([UNK] otherwise), [CLS] in front, and the mean over those tokens of
 * their table rows. Used to measure quantisation error at build time and as the known value
 * the real ONNX path is checked against.
 */
import { basicTokenize } from './vocab.ts';
export { cosine } from '../../src/util/vector.ts';

export function referenceTokenIds(text: string, vocab: Map<string, number>, maxLength = 512): number[] {
  const unk = vocab.get('[UNK]')!;
  const ids = [vocab.get('[CLS]')!];
  for (const t of basicTokenize(text)) ids.push(vocab.get(t) ?? unk);
  return ids.slice(0, maxLength);
}

export function referencePool(ids: number[], table: Float32Array, dim: number): Float32Array {
  const out = new Float64Array(dim);
  for (const id of ids) for (let j = 0; j < dim; j++) out[j] += table[id * dim + j];
  return Float32Array.from(out, (v) => v / ids.length);
}

