/**
 * The static encoder's word-vector table as it is stored, and the one way a row is read back:
 * - `int8`: one signed byte per value and one float32 scale per row, value = q * scale;
 * - `codes`: a code of `bits` bits (4, 5 or 6) per value into one codebook of 2^bits float32 levels
 *   shared by all rows, and one float32 scale per row: value = codebook[code] * scale. A code is
 *   stored in two bit planes, so that every plane is whole values to a byte:
 *   - `hi`, [rows, dim / 2]: the code's top 4 bits; byte j of a row holds value 2j in its low
 *     nibble and value 2j + 1 in its high nibble;
 *   - `lo`, [rows, ceil(dim * (bits - 4) / 8)] (none for 4 bits): the code's low bits - 4 bits,
 *     8 / (bits - 4) values a byte, value j in byte floor(j / per) at bit (j % per) * (bits - 4);
 *   code = hi << (bits - 4) | lo.
 * Every value is one float32 product, as the ONNX graph computes it (scripts/encoder/onnx-model.ts),
 * so the JS encoder, ONNX Runtime and the build's measurements agree to the bit.
 */
export type StaticTable =
  | { format: 'int8'; rows: number; dim: number; values: Int8Array; scales: Float32Array }
  | { format: 'codes'; bits: CodeBits; rows: number; dim: number; hi: Uint8Array; lo: Uint8Array; codebook: Float32Array; scales: Float32Array };

export type CodeBits = 4 | 5 | 6;
export const CODE_BITS: readonly CodeBits[] = [4, 5, 6];

/** Bytes a row takes in the low plane. */
export const loBytesPerRow = (dim: number, bits: CodeBits) => Math.ceil((dim * (bits - 4)) / 8);

/** The code of value j of row r. */
export function codeAt(t: Extract<StaticTable, { format: 'codes' }>, r: number, j: number): number {
  const b = t.hi[(r * t.dim) / 2 + (j >> 1)];
  const hi = j & 1 ? b >> 4 : b & 15;
  const lb = t.bits - 4;
  if (!lb) return hi;
  const per = 8 / lb;
  const byte = t.lo[r * loBytesPerRow(t.dim, t.bits) + Math.floor(j / per)];
  return (hi << lb) | ((byte >> ((j % per) * lb)) & ((1 << lb) - 1));
}

/** Writes row `id`, dequantised, into `out` at `at`. */
export function readRow(t: StaticTable, id: number, out: Float32Array, at: number): void {
  const s = t.scales[id];
  const d = t.dim;
  if (t.format === 'int8') {
    const from = id * d;
    for (let k = 0; k < d; k++) out[at + k] = t.values[from + k] * s;
    return;
  }
  const cb = t.codebook;
  const lb = t.bits - 4;
  const hi = (id * d) / 2;
  if (!lb) {
    for (let j = 0; j < d; j++) out[at + j] = cb[j & 1 ? t.hi[hi + (j >> 1)] >> 4 : t.hi[hi + (j >> 1)] & 15] * s;
    return;
  }
  // codeAt, with the row's offsets worked out once (this is the JS encoder's inner loop).
  const per = 8 / lb;
  const mask = (1 << lb) - 1;
  const lo = id * loBytesPerRow(d, t.bits);
  for (let j = 0; j < d; j++) {
    const b = t.hi[hi + (j >> 1)];
    const top = j & 1 ? b >> 4 : b & 15;
    out[at + j] = cb[(top << lb) | ((t.lo[lo + Math.floor(j / per)] >> ((j % per) * lb)) & mask)] * s;
  }
}

/** The whole table as float32, row-major. */
export function dequantizeTable(t: StaticTable): Float32Array {
  const out = new Float32Array(t.rows * t.dim);
  for (let r = 0; r < t.rows; r++) readRow(t, r, out, r * t.dim);
  return out;
}
