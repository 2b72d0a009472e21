/**
 * Symmetric int8 quantisation with one float scale per row: row r is stored as
 * q[r][j] = round(x[r][j] / s[r]) with s[r] = max_j |x[r][j]| / 127, and read back as q * s.
 * A per-row scale keeps rare words with small vectors as precise as frequent ones.
 */
export interface QuantizedTable {
  rows: number;
  dim: number;
  /** rows x dim, row-major. */
  values: Int8Array;
  scales: Float32Array;
}

export function quantizeRows(table: Float32Array, rows: number, dim: number): QuantizedTable {
  if (table.length !== rows * dim) throw new Error(`table has ${table.length} values, expected ${rows}x${dim}`);
  const values = new Int8Array(rows * dim);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(table[r * dim + j]));
    // Math.fround: the scale the graph multiplies by is a float32, so quantise against that.
    const s = Math.fround(max / 127);
    scales[r] = s;
    if (s === 0) continue; // an all-zero row ([PAD], [UNK], [CLS]) stays zero
    for (let j = 0; j < dim; j++) {
      values[r * dim + j] = Math.max(-127, Math.min(127, Math.round(table[r * dim + j] / s)));
    }
  }
  return { rows, dim, values, scales };
}

/** The float32 table the ONNX graph computes: q * s, exactly as Cast + Mul would. */
export function dequantizeRows(q: QuantizedTable): Float32Array {
  const out = new Float32Array(q.rows * q.dim);
  for (let r = 0; r < q.rows; r++) {
    for (let j = 0; j < q.dim; j++) out[r * q.dim + j] = Math.fround(q.values[r * q.dim + j] * q.scales[r]);
  }
  return out;
}
