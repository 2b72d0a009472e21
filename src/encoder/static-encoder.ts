/**
 * The static word-vector encoder in plain JavaScript: Transformers.js's tokenizer, then the table
 * lookup (int8, or codes of 4-6 bits: static-table.ts), per-row scale and mean pooling that the ONNX graph describes
 * (scripts/encoder/onnx-model.ts), in the same float32 arithmetic, so the vectors equal ONNX
 * Runtime's. No ONNX Runtime session and no WebAssembly: it runs on a page whose
 * Content-Security-Policy forbids compiling WebAssembly, and the page never downloads ONNX
 * Runtime's wasm (26 MB) for what is a lookup and an average.
 */
import { ModelLoadError, ModelOutputError } from '../errors.ts';
import { OnnxParseError, readOnnxInitializers } from './onnx-initializers.ts';
import { CODE_BITS, loBytesPerRow, readRow, type StaticTable } from './static-table.ts';

export type { StaticTable };

/** config.json's `kindling.kind` for encoders this module can run. */
export const STATIC_KIND = 'static-word-vectors';
/** The graph name the encoder build writes. */
export const STATIC_GRAPH = 'kindling_static_encoder';

/** The table and its scales, read out of the model file (int8 or codes, static-table.ts) and checked against `dim`. */
export function readStaticTable(file: Uint8Array, fileName: string, dim: number): StaticTable {
  let info;
  try {
    info = readOnnxInitializers(file);
  } catch (err) {
    if (err instanceof OnnxParseError) throw new ModelLoadError(fileName, `is not a readable ONNX model (${err.message})`, { cause: err });
    throw err;
  }
  if (info.graphName !== STATIC_GRAPH) throw new ModelLoadError(fileName, `is not a static word-vector graph (graph "${info.graphName}", expected "${STATIC_GRAPH}")`);
  const floats = (name: string, length: number) => {
    const t = info.initializers.get(name);
    if (!t || t.dataType !== 1 || t.dims.reduce((a, b) => a * b, 1) !== length || t.raw.byteLength !== length * 4) {
      throw new ModelLoadError(fileName, `${name}: expected ${length} floats, got type ${t?.dataType} shape [${t?.dims.join(', ')}] (${t?.raw.byteLength ?? 0} bytes)`);
    }
    const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
    return Float32Array.from({ length }, (_, i) => view.getFloat32(i * 4, true));
  };
  const bytes = (name: string, rows: number, cols: number) => {
    const t = info.initializers.get(name);
    if (!t || t.dataType !== 2 || t.dims.length !== 2 || t.dims[0] !== rows || t.dims[1] !== cols || t.raw.byteLength !== rows * cols) {
      throw new ModelLoadError(fileName, `${name}: expected uint8 [${rows}, ${cols}] with its raw data, got type ${t?.dataType} shape [${t?.dims.join(', ')}] (${t?.raw.byteLength ?? 0} bytes)`);
    }
    return t.raw.slice();
  };
  /** A plane's byte -> fields table must be what the format says (the graph reads it; the JS computes it). */
  const checkFields = (name: string, width: number) => {
    const per = 8 / width;
    const t = floats(name, 256 * per);
    for (let b = 0; b < 256; b++) {
      for (let i = 0; i < per; i++) if (t[b * per + i] !== ((b >> (i * width)) & ((1 << width) - 1))) throw new ModelLoadError(fileName, `${name}: row ${b} is not the ${width}-bit fields of ${b}`);
    }
  };
  const int8 = info.initializers.get('embeddings.int8');
  const hi = info.initializers.get('embeddings.hi');
  if (int8) {
    const rows = int8.dims[0] ?? 0;
    if (int8.dataType !== 3 || int8.dims.length !== 2 || int8.dims[1] !== dim || int8.raw.byteLength !== rows * dim) {
      throw new ModelLoadError(fileName, `embeddings.int8: expected int8 [rows, ${dim}] with its raw data, got type ${int8.dataType} shape [${int8.dims.join(', ')}] (${int8.raw.byteLength} bytes)`);
    }
    return { format: 'int8', rows, dim, values: new Int8Array(int8.raw.slice().buffer), scales: floats('embeddings.scale', rows) };
  }
  if (hi) {
    const rows = hi.dims[0] ?? 0;
    const levels = info.initializers.get('embeddings.codebook')?.dims[0] ?? 0;
    const bits = CODE_BITS.find((b) => 2 ** b === levels);
    if (!bits) throw new ModelLoadError(fileName, `embeddings.codebook: expected ${CODE_BITS.map((b) => 2 ** b).join(', ')} levels, got ${levels}`);
    if (dim % 2) throw new ModelLoadError(fileName, `a code table needs an even dimension, config.json says ${dim}`);
    const table = {
      format: 'codes' as const,
      bits,
      rows,
      dim,
      hi: bytes('embeddings.hi', rows, dim / 2),
      lo: bits > 4 ? bytes('embeddings.lo', rows, loBytesPerRow(dim, bits)) : new Uint8Array(0),
      codebook: floats('embeddings.codebook', levels),
      scales: floats('embeddings.scale', rows),
    };
    checkFields('codes.hi', 4);
    if (bits > 4) checkFields('codes.lo', bits - 4);
    return table;
  }
  throw new ModelLoadError(fileName, 'has neither embeddings.int8 nor embeddings.hi: not a table this version can read');
}

type TokenTensor = { data: ArrayLike<number | bigint>; dims: number[] };
export type Tokenize = (texts: string[], o: { padding: true; truncation: true }) => { input_ids: TokenTensor; attention_mask: TokenTensor };
type MeanPooling = (lhs: unknown, mask: unknown) => { data: Float32Array; dims: number[] };
type TensorClass = new (type: 'float32', data: Float32Array, dims: number[]) => unknown;

/**
 * The token ids of each text as the extractor reads them (the attention mask's positions), flattened:
 * text i's are ids[offsets[i] .. offsets[i + 1]).
 */
export function tokenIds(tokenize: Tokenize, texts: string[]): { ids: Int32Array; offsets: Int32Array } {
  const offsets = new Int32Array(texts.length + 1);
  if (!texts.length) return { ids: new Int32Array(0), offsets };
  const { input_ids: ids, attention_mask: mask } = tokenize(texts, { padding: true, truncation: true });
  const [B, T] = ids.dims;
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) if (Number(mask.data[b * T + t])) out.push(Number(ids.data[b * T + t]));
    offsets[b + 1] = out.length;
  }
  return { ids: Int32Array.from(out), offsets };
}

/**
 * A feature-extraction function with the pipeline's contract (mean pooling over the attention
 * mask), built from the tokenizer and the table. `lib` is Transformers.js (its Tensor and
 * mean_pooling, so the pooling is literally the pipeline's).
 */
export function staticExtractor(tokenize: Tokenize, table: StaticTable, lib: { Tensor: TensorClass; mean_pooling: MeanPooling }) {
  const { rows, dim } = table;
  return async (texts: string[]) => {
    const { input_ids: ids, attention_mask: mask } = tokenize(texts, { padding: true, truncation: true });
    const [B, T] = ids.dims;
    // last_hidden_state = table row (codes x scale) * mask, as the graph computes it (float32).
    const lhs = new Float32Array(B * T * dim);
    for (let i = 0; i < B * T; i++) {
      if (!Number(mask.data[i])) continue;
      const id = Number(ids.data[i]);
      if (!(id >= 0 && id < rows)) throw new ModelOutputError(`token id ${id} is outside the encoder's table of ${rows} rows`);
      readRow(table, id, lhs, i * dim);
    }
    return lib.mean_pooling(new lib.Tensor('float32', lhs, [B, T, dim]), mask);
  };
}
