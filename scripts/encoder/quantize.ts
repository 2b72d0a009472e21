/**
 * Build-time quantisation of the word-vector table (the stored formats and how a row is read back
 * are in src/encoder/static-table.ts):
 * - `int8`: symmetric, one float scale per row: q[r][j] = round(x[r][j] / s[r]), s[r] = max_j |x[r][j]| / 127.
 *   A per-row scale keeps rare words with small vectors as precise as frequent ones.
 * - `codes` (4, 5 or 6 bits): each row is divided by its root mean square; one codebook of 2^bits
 *   levels is fitted to all those normalised values at once (1-D k-means, Lloyd's algorithm from
 *   the quantiles, so it is deterministic); each value takes its nearest level, and the row's scale
 *   is then refitted by least squares for the codes it got (two rounds). GloVe's values are close
 *   to normal, so a fitted codebook spends its levels where the values are instead of spreading
 *   them evenly up to the row's largest value.
 */
import { dequantizeTable, loBytesPerRow, type CodeBits, type StaticTable } from '../../src/encoder/static-table.ts';

export type QuantizedTable = StaticTable;
export type Bits = CodeBits | 8;
export { dequantizeTable as dequantizeRows };

export function quantizeRows(table: Float32Array, rows: number, dim: number, bits: Bits = 8): QuantizedTable {
  if (table.length !== rows * dim) throw new Error(`table has ${table.length} values, expected ${rows}x${dim}`);
  return bits === 8 ? quantizeInt8(table, rows, dim) : quantizeCodes(table, rows, dim, bits);
}

function quantizeInt8(table: Float32Array, rows: number, dim: number): QuantizedTable {
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
  return { format: 'int8', rows, dim, values, scales };
}

function rowRms(table: Float32Array, r: number, dim: number): number {
  let ss = 0;
  for (let j = 0; j < dim; j++) ss += table[r * dim + j] ** 2;
  return Math.sqrt(ss / dim);
}

/** 1-D k-means over sorted values: Lloyd's iterations from the quantiles, with prefix sums. */
export function fitCodebook(sorted: Float64Array, k: number, iterations = 100): Float64Array {
  const n = sorted.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + sorted[i];
  const lowerBound = (x: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let c = Float64Array.from({ length: k }, (_, i) => sorted[Math.min(n - 1, Math.floor(((i + 0.5) / k) * n))]);
  for (let it = 0; it < iterations; it++) {
    const next = new Float64Array(k);
    let from = 0;
    for (let i = 0; i < k; i++) {
      const to = i === k - 1 ? n : lowerBound((c[i] + c[i + 1]) / 2);
      next[i] = to > from ? (prefix[to] - prefix[from]) / (to - from) : c[i];
      from = to;
    }
    const moved = next.some((v, i) => v !== c[i]);
    c = next;
    if (!moved) break;
  }
  return c;
}

function nearest(codebook: Float32Array, x: number): number {
  // The codebook is sorted: the nearest level is the first one whose midpoint with its upper
  // neighbour is at or above x (binary search).
  let lo = 0;
  let hi = codebook.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x > (codebook[mid] + codebook[mid + 1]) / 2) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Codes of `bits` bits into one fitted codebook (2^bits levels), and a scale per row: the values
 * of row r are read back as codebook[codes[r * dim + j]] * scales[r]. Unpacked: one code a byte.
 */
export function fitCodes(table: Float32Array, rows: number, dim: number, bits: number): { codes: Uint8Array; codebook: Float32Array; scales: Float32Array } {
  const rms = Float64Array.from({ length: rows }, (_, r) => rowRms(table, r, dim));
  const live = [...rms].filter((v) => v > 0).length;
  const normalised = new Float64Array(live * dim);
  let n = 0;
  for (let r = 0; r < rows; r++) if (rms[r] > 0) for (let j = 0; j < dim; j++) normalised[n++] = table[r * dim + j] / rms[r];
  normalised.sort();
  const codebook = Float32Array.from(fitCodebook(normalised, 2 ** bits));
  const codes = new Uint8Array(rows * dim);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = rms[r];
    if (s === 0) continue; // an all-zero row stays zero (scale 0)
    for (let round = 0; round < 2; round++) {
      let xc = 0;
      let cc = 0;
      for (let j = 0; j < dim; j++) {
        const x = table[r * dim + j];
        const c = nearest(codebook, x / s);
        codes[r * dim + j] = c;
        xc += x * codebook[c];
        cc += codebook[c] ** 2;
      }
      s = xc / cc;
    }
    scales[r] = Math.fround(s);
  }
  return { codes, codebook, scales };
}

/** Packs codes of `bits` bits into the two planes of the `codes` format (src/encoder/static-table.ts). */
export function packCodes(codes: Uint8Array, rows: number, dim: number, bits: CodeBits): { hi: Uint8Array; lo: Uint8Array } {
  if (dim % 2) throw new Error(`code tables pack two values a byte: dim must be even, got ${dim}`);
  const lb = bits - 4;
  const hi = new Uint8Array((rows * dim) / 2);
  const loRow = loBytesPerRow(dim, bits);
  const lo = new Uint8Array(rows * loRow);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) {
      const c = codes[r * dim + j];
      hi[(r * dim) / 2 + (j >> 1)] |= (c >> lb) << (j & 1 ? 4 : 0);
      if (lb) lo[r * loRow + Math.floor(j / (8 / lb))] |= (c & ((1 << lb) - 1)) << ((j % (8 / lb)) * lb);
    }
  }
  return { hi, lo };
}

function quantizeCodes(table: Float32Array, rows: number, dim: number, bits: CodeBits): QuantizedTable {
  const { codes, codebook, scales } = fitCodes(table, rows, dim, bits);
  return { format: 'codes', bits, rows, dim, ...packCodes(codes, rows, dim, bits), codebook, scales };
}
