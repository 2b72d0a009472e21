/**
 * Reads the initializers (constant tensors) of an ONNX model file: just enough protobuf
 * (ModelProto.graph -> GraphProto.initializer -> TensorProto) for the static encoder's table and
 * scales, without ONNX Runtime. Field numbers are those of onnx.proto3.
 */
export interface OnnxTensor {
  name: string;
  /** ONNX TensorProto.DataType: 1 float, 3 int8, 7 int64, ... */
  dataType: number;
  dims: number[];
  /** raw_data, or the packed float_data as bytes; empty when the tensor uses neither. */
  raw: Uint8Array;
}

export interface OnnxGraphInfo {
  graphName: string;
  initializers: Map<string, OnnxTensor>;
}

export class OnnxParseError extends Error {}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new OnnxParseError('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new OnnxParseError('varint longer than 10 bytes');
  }
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.end) throw new OnnxParseError('field runs past the end of the file');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new OnnxParseError(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new OnnxParseError('field runs past the end of the file');
  }
  /** Calls `on(field, wire)` for each field; `on` must consume the value or return false to skip it. */
  fields(on: (field: number, wire: number) => boolean) {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (!on(field, wire)) this.skip(wire);
    }
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function tensor(bytes: Uint8Array): OnnxTensor {
  const t: OnnxTensor = { name: '', dataType: 0, dims: [], raw: new Uint8Array(0) };
  const r = new Reader(bytes);
  r.fields((field, wire) => {
    if (field === 1 && wire === 0) t.dims.push(r.varint());
    else if (field === 1 && wire === 2) {
      const packed = r.bytes();
      const p = new Reader(packed);
      while (p.pos < p.end) t.dims.push(p.varint());
    } else if (field === 2 && wire === 0) t.dataType = r.varint();
    else if (field === 8 && wire === 2) t.name = text(r.bytes());
    else if (field === 9 && wire === 2) t.raw = r.bytes();
    else if (field === 4 && wire === 2) t.raw = r.bytes();
    else return false;
    return true;
  });
  return t;
}

export function readOnnxInitializers(file: Uint8Array): OnnxGraphInfo {
  const info: OnnxGraphInfo = { graphName: '', initializers: new Map() };
  let sawGraph = false;
  const model = new Reader(file);
  model.fields((field, wire) => {
    if (field !== 7 || wire !== 2) return false;
    sawGraph = true;
    const graph = model.bytes();
    const gr = new Reader(graph);
    gr.fields((f, w) => {
      if (f === 2 && w === 2) info.graphName = text(gr.bytes());
      else if (f === 5 && w === 2) {
        const t = tensor(gr.bytes());
        info.initializers.set(t.name, t);
      } else return false;
      return true;
    });
    return true;
  });
  if (!sawGraph) throw new OnnxParseError('no graph in the file');
  return info;
}
