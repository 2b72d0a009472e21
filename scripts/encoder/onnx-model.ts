/**
 * Writes the static encoder as an ONNX graph that Transformers.js runs as a feature-extraction
 * model: token ids in, token vectors (`last_hidden_state`) out, so the library's own mean pooling
 * over the attention mask does the rest.
 *
 *   input_ids [B, T] int64 ──(the table's values, tableNodes: int8 or 4-bit)──┐
 *   input_ids [B, T] int64 ──Gather(scales [V])──Unsqueeze(-1)───────Mul──┐
 *   attention_mask [B, T] int64 ──Cast(float)──Unsqueeze(-1)──────────────Mul── last_hidden_state [B, T, D]
 *
 * The table is dequantised inside the graph (codes, then the per-row scale), so the file stays
 * int8 or 4-bit on disk.
 * Masking padded positions to zero is not needed by mean pooling, but keeps the output honest.
 */
import onnxProto from 'onnx-proto';
import type { QuantizedTable } from './quantize.ts';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

function floatBytes(a: Float32Array): Uint8Array {
  // Our machines are little-endian and so is ONNX's raw_data; copy to be independent of offsets.
  const out = new Uint8Array(a.length * 4);
  const view = new DataView(out.buffer);
  a.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function valueInfo(name: string, elemType: number, dims: (string | number)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) =>
            typeof d === 'string'
              ? onnx.TensorShapeProto.Dimension.create({ dimParam: d })
              : onnx.TensorShapeProto.Dimension.create({ dimValue: d }),
          ),
        }),
      }),
    }),
  });
}

function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, number> = {}) {
  return onnx.NodeProto.create({
    opType,
    input: inputs,
    output: outputs,
    name: outputs[0],
    attribute: Object.entries(attrs).map(([name, i]) =>
      onnx.AttributeProto.create({ name, i, type: onnx.AttributeProto.AttributeType.INT }),
    ),
  });
}

function rawTensor(name: string, dataType: number, dims: number[], bytes: Uint8Array) {
  return onnx.TensorProto.create({ name, dataType, dims, rawData: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
}

/** The float table of what each byte of a plane holds: row b is the `per` fields of `width` bits of b, lowest first. */
function fieldTable(width: number): Float32Array {
  const per = 8 / width;
  const t = new Float32Array(256 * per);
  for (let b = 0; b < 256; b++) for (let i = 0; i < per; i++) t[b * per + i] = (b >> (i * width)) & ((1 << width) - 1);
  return t;
}

const int64s = (name: string, values: number[]) => onnx.TensorProto.create({ name, dataType: T.INT64, dims: [values.length], int64Data: values });

/**
 * The nodes that turn `input_ids` into `tokens.raw` [B, T, D] (the table's values before the row
 * scale), and the initializers they read.
 * - int8: Gather(table) -> Cast(float).
 * - codes (src/encoder/static-table.ts): each plane is Gather(plane uint8) -> Cast(int64) ->
 *   Gather(a [256, per] float table of the fields each byte holds) -> Reshape [B, T, ...] (-> Slice
 *   to D for a low plane with padding); code = hi * 2^(bits - 4) + lo (exact in float), then
 *   Cast(int64) -> Gather(codebook).
 */
function tableNodes(q: QuantizedTable) {
  if (q.format === 'int8') {
    return {
      initializer: [rawTensor('embeddings.int8', T.INT8, [q.rows, q.dim], new Uint8Array(q.values.buffer, q.values.byteOffset, q.values.byteLength))],
      node: [node('Gather', ['embeddings.int8', 'input_ids'], ['tokens.int8'], { axis: 0 }), node('Cast', ['tokens.int8'], ['tokens.raw'], { to: T.FLOAT })],
    };
  }
  const lb = q.bits - 4;
  const initializer = [
    rawTensor('embeddings.hi', T.UINT8, [q.rows, q.dim / 2], q.hi),
    rawTensor('embeddings.codebook', T.FLOAT, [q.codebook.length], floatBytes(q.codebook)),
    rawTensor('codes.hi', T.FLOAT, [256, 2], floatBytes(fieldTable(4))),
    int64s('shape.hi', [0, 0, q.dim]),
  ];
  const nodes = [
    node('Gather', ['embeddings.hi', 'input_ids'], ['tokens.hi_bytes'], { axis: 0 }),
    node('Cast', ['tokens.hi_bytes'], ['tokens.hi_ids'], { to: T.INT64 }),
    node('Gather', ['codes.hi', 'tokens.hi_ids'], ['tokens.hi_fields'], { axis: 0 }),
    node('Reshape', ['tokens.hi_fields', 'shape.hi'], ['tokens.hi']),
  ];
  let code = 'tokens.hi';
  if (lb) {
    const per = 8 / lb;
    const loRow = q.lo.byteLength / q.rows;
    initializer.push(
      rawTensor('embeddings.lo', T.UINT8, [q.rows, loRow], q.lo),
      rawTensor('codes.lo', T.FLOAT, [256, per], floatBytes(fieldTable(lb))),
      int64s('shape.lo', [0, 0, loRow * per]),
      int64s('slice.starts', [0]),
      int64s('slice.ends', [q.dim]),
      int64s('slice.axes', [-1]),
      rawTensor('codes.hi_weight', T.FLOAT, [], floatBytes(new Float32Array([2 ** lb]))),
    );
    nodes.push(
      node('Gather', ['embeddings.lo', 'input_ids'], ['tokens.lo_bytes'], { axis: 0 }),
      node('Cast', ['tokens.lo_bytes'], ['tokens.lo_ids'], { to: T.INT64 }),
      node('Gather', ['codes.lo', 'tokens.lo_ids'], ['tokens.lo_fields'], { axis: 0 }),
      node('Reshape', ['tokens.lo_fields', 'shape.lo'], ['tokens.lo_padded']),
      node('Slice', ['tokens.lo_padded', 'slice.starts', 'slice.ends', 'slice.axes'], ['tokens.lo']),
      node('Mul', ['tokens.hi', 'codes.hi_weight'], ['tokens.hi_shifted']),
      node('Add', ['tokens.hi_shifted', 'tokens.lo'], ['tokens.code']),
    );
    code = 'tokens.code';
  }
  nodes.push(node('Cast', [code], ['tokens.code_ids'], { to: T.INT64 }), node('Gather', ['embeddings.codebook', 'tokens.code_ids'], ['tokens.raw'], { axis: 0 }));
  return { initializer, node: nodes };
}

/** Serialises the graph; the same table always gives the same bytes. */
export function buildEncoderOnnx(q: QuantizedTable, producerVersion: string): Uint8Array {
  const scales = rawTensor('embeddings.scale', T.FLOAT, [q.rows], floatBytes(q.scales));
  const axes = onnx.TensorProto.create({
    name: 'axes.last',
    dataType: T.INT64,
    dims: [1],
    int64Data: [-1],
  });
  const table = tableNodes(q);
  const graph = onnx.GraphProto.create({
    name: 'kindling_static_encoder',
    initializer: [...table.initializer, scales, axes],
    node: [
      ...table.node,
      node('Gather', ['embeddings.scale', 'input_ids'], ['tokens.scale'], { axis: 0 }),
      node('Unsqueeze', ['tokens.scale', 'axes.last'], ['tokens.scale3']),
      node('Mul', ['tokens.raw', 'tokens.scale3'], ['tokens.float']),
      node('Cast', ['attention_mask'], ['mask.float'], { to: T.FLOAT }),
      node('Unsqueeze', ['mask.float', 'axes.last'], ['mask3']),
      node('Mul', ['tokens.float', 'mask3'], ['last_hidden_state']),
    ],
    input: [
      valueInfo('input_ids', T.INT64, ['batch_size', 'sequence_length']),
      valueInfo('attention_mask', T.INT64, ['batch_size', 'sequence_length']),
    ],
    output: [valueInfo('last_hidden_state', T.FLOAT, ['batch_size', 'sequence_length', q.dim])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
    producerName: 'kindling-build-encoder',
    producerVersion,
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
