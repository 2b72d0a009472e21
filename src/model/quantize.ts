/**
 * int8 with a scale per row, for the ranker's large tables (the hashed ID embeddings, the sparse
 * feature embeddings): a row's values become round(x / s) with s = max|x| / 127, so each is within
 * s / 2 of what it was. Stored as the rows' float32 scales, then the int8 values, row-major
 * (weights.bin, docs/MODEL-FORMAT in README "The ranking model"); dequantised on load.
 */

/** The tables `kindling quantize` stores as int8 by default: together about 90% of the shipped ranker's weights. */
export const QUANTIZED_TABLES = ['emb.id', 'emb.sparse'] as const;

/** How a quantised tensor is stored (a weights-manifest entry's `quantization`). */
export const ROW_INT8 = { dtype: 'int8', scheme: 'row' } as const;

export function quantizeRows(values: Float32Array, rows: number): { scales: Float32Array; q: Int8Array } {
  const cols = rows ? values.length / rows : 0;
  const scales = new Float32Array(rows);
  const q = new Int8Array(values.length);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(values[r * cols + c]));
    const s = max / 127;
    scales[r] = s;
    if (s > 0) for (let c = 0; c < cols; c++) q[r * cols + c] = Math.round(values[r * cols + c] / s);
  }
  return { scales, q };
}

export function dequantizeRows(scales: Float32Array, q: Int8Array): Float32Array {
  const rows = scales.length;
  const cols = rows ? q.length / rows : 0;
  const out = new Float32Array(q.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = q[r * cols + c] * scales[r];
  return out;
}

/** Bytes a row-int8 tensor of `shape` takes in weights.bin: the scales, then the values. */
export const rowInt8Bytes = (shape: number[]) => 4 * shape[0] + shape.reduce((a, b) => a * b, 1);
