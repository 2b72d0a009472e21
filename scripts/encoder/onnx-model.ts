/**
 * Writes the static encoder as an ONNX graph that Transformers.js runs as a feature-extraction
 * model: token ids in, token vectors (`last_hidden_state`) out, so the library's own mean pooling
 * over the attention mask does the rest.
 *
 *   input_ids [B, T] int64 ──Gather(table int8 [V, D])──Cast(float)──┐
 *   input_ids [B, T] int64 ──Gather(scales [V])──Unsqueeze(-1)───────Mul──┐
 *   attention_mask [B, T] int64 ──Cast(float)──Unsqueeze(-1)──────────────Mul── last_hidden_state [B, T, D]
 *
 * The int8 table is dequantised inside the graph (per-row scale), so the file stays int8 on disk.
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

/** Serialises the graph; the same table always gives the same bytes. */
export function buildEncoderOnnx(q: QuantizedTable, producerVersion: string): Uint8Array {
  const table = onnx.TensorProto.create({
    name: 'embeddings.int8',
    dataType: T.INT8,
    dims: [q.rows, q.dim],
    rawData: new Uint8Array(q.values.buffer, q.values.byteOffset, q.values.byteLength),
  });
  const scales = onnx.TensorProto.create({
    name: 'embeddings.scale',
    dataType: T.FLOAT,
    dims: [q.rows],
    rawData: floatBytes(q.scales),
  });
  const axes = onnx.TensorProto.create({
    name: 'axes.last',
    dataType: T.INT64,
    dims: [1],
    int64Data: [-1],
  });
  const graph = onnx.GraphProto.create({
    name: 'kindling_static_encoder',
    initializer: [table, scales, axes],
    node: [
      node('Gather', ['embeddings.int8', 'input_ids'], ['tokens.int8'], { axis: 0 }),
      node('Cast', ['tokens.int8'], ['tokens.raw'], { to: T.FLOAT }),
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
