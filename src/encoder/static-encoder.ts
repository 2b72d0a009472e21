/**
 * The static word-vector encoder in plain JavaScript: Transformers.js's tokenizer, then the int8
 * table lookup, per-row scale and mean pooling that the ONNX graph describes
 * (scripts/encoder/onnx-model.ts), in the same float32 arithmetic, so the vectors equal ONNX
 * Runtime's. No ONNX Runtime session and no WebAssembly: it runs on a page whose
 * Content-Security-Policy forbids compiling WebAssembly, and the page never downloads ONNX
 * Runtime's wasm (26 MB) for what is a lookup and an average.
 */
import { ModelLoadError, ModelOutputError } from '../errors.ts';
import { OnnxParseError, readOnnxInitializers } from './onnx-initializers.ts';

/** config.json's `kindling.kind` for encoders this module can run. */
export const STATIC_KIND = 'static-word-vectors';
/** The graph name the encoder build writes. */
export const STATIC_GRAPH = 'kindling_static_encoder';

export interface StaticTable {
  rows: number;
  dim: number;
  values: Int8Array;
  scales: Float32Array;
}

/** The int8 table and its scales, read out of the model file and checked against `dim`. */
export function readStaticTable(file: Uint8Array, fileName: string, dim: number): StaticTable {
  let info;
  try {
    info = readOnnxInitializers(file);
  } catch (err) {
    if (err instanceof OnnxParseError) throw new ModelLoadError(fileName, `is not a readable ONNX model (${err.message})`, { cause: err });
    throw err;
  }
  if (info.graphName !== STATIC_GRAPH) throw new ModelLoadError(fileName, `is not a static word-vector graph (graph "${info.graphName}", expected "${STATIC_GRAPH}")`);
  const t = info.initializers.get('embeddings.int8');
  const s = info.initializers.get('embeddings.scale');
  const rows = t?.dims[0] ?? 0;
  if (!t || t.dataType !== 3 || t.dims.length !== 2 || t.dims[1] !== dim || t.raw.byteLength !== rows * dim) {
    throw new ModelLoadError(fileName, `embeddings.int8: expected int8 [rows, ${dim}] with its raw data, got type ${t?.dataType} shape [${t?.dims.join(', ')}] (${t?.raw.byteLength ?? 0} bytes)`);
  }
  if (!s || s.dataType !== 1 || s.dims.length !== 1 || s.dims[0] !== rows || s.raw.byteLength !== rows * 4) {
    throw new ModelLoadError(fileName, `embeddings.scale: expected float [${rows}], got type ${s?.dataType} shape [${s?.dims.join(', ')}]`);
  }
  const values = new Int8Array(t.raw.slice().buffer);
  const view = new DataView(s.raw.buffer, s.raw.byteOffset, s.raw.byteLength);
  const scales = Float32Array.from({ length: rows }, (_, i) => view.getFloat32(i * 4, true));
  return { rows, dim, values, scales };
}

type TokenTensor = { data: ArrayLike<number | bigint>; dims: number[] };
export type Tokenize = (texts: string[], o: { padding: true; truncation: true }) => { input_ids: TokenTensor; attention_mask: TokenTensor };
type MeanPooling = (lhs: unknown, mask: unknown) => { data: Float32Array; dims: number[] };
type TensorClass = new (type: 'float32', data: Float32Array, dims: number[]) => unknown;

/**
 * A feature-extraction function with the pipeline's contract (mean pooling over the attention
 * mask), built from the tokenizer and the table. `lib` is Transformers.js (its Tensor and
 * mean_pooling, so the pooling is literally the pipeline's).
 */
export function staticExtractor(tokenize: Tokenize, table: StaticTable, lib: { Tensor: TensorClass; mean_pooling: MeanPooling }) {
  const { rows, dim, values, scales } = table;
  return async (texts: string[]) => {
    const { input_ids: ids, attention_mask: mask } = tokenize(texts, { padding: true, truncation: true });
    const [B, T] = ids.dims;
    // last_hidden_state = table[id] * scale[id] * mask, as the graph computes it (float32).
    const lhs = new Float32Array(B * T * dim);
    for (let i = 0; i < B * T; i++) {
      if (!Number(mask.data[i])) continue;
      const id = Number(ids.data[i]);
      if (!(id >= 0 && id < rows)) throw new ModelOutputError(`token id ${id} is outside the encoder's table of ${rows} rows`);
      const s = scales[id];
      const from = id * dim;
      const to = i * dim;
      for (let k = 0; k < dim; k++) lhs[to + k] = values[from + k] * s;
    }
    return lib.mean_pooling(new lib.Tensor('float32', lhs, [B, T, dim]), mask);
  };
}
