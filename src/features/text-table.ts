/**
 * The text table: every distinct text of a batch (training samples, or one rerank call) encoded
 * once, and the ranking network reading rows of it. Row 0 is the zero vector, which stands for
 * "no text" (an empty text, a request without a query, history padding).
 */

export interface TextTable {
  /** The distinct non-empty texts; text i is row i + 1. */
  texts: string[];
  /** [rows × dim], row-major. */
  data: Float32Array;
  rows: number;
  dim: number;
  /** The row of a text ('' is row 0); a text not in the table is a bug of the caller and throws. */
  row: (text: string) => number;
}

/** Distinct non-empty texts, in first-seen order. */
export function distinctTexts(texts: Iterable<string>): string[] {
  const set = new Set(texts);
  set.delete('');
  return [...set];
}

/** A table from distinct texts and their vectors (as the encoder returns them, one per text). */
export function textTable(texts: string[], vectors: Float32Array[], dim: number): TextTable {
  if (vectors.length !== texts.length) throw new Error(`text table: ${texts.length} texts but ${vectors.length} vectors`);
  const rowOf = new Map(texts.map((t, i) => [t, i + 1]));
  const data = new Float32Array((texts.length + 1) * dim);
  vectors.forEach((v, i) => data.set(v, (i + 1) * dim));
  return {
    texts,
    data,
    rows: texts.length + 1,
    dim,
    row: (t) => {
      if (t === '') return 0;
      const r = rowOf.get(t);
      if (r === undefined) throw new Error(`text not in the table: ${JSON.stringify(t.slice(0, 40))}`);
      return r;
    },
  };
}

/** Encodes the distinct texts of `texts` with `encode` and builds their table. */
export async function encodeTextTable(texts: Iterable<string>, encode: (t: string[]) => Promise<Float32Array[]>, dim: number): Promise<TextTable> {
  const distinct = distinctTexts(texts);
  return textTable(distinct, await encode(distinct), dim);
}
