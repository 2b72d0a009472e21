/**
 * UnsortedSegmentSum, the gradient of tf.gather (every embedding lookup), for the backends we
 * train on in Node. The cpu backend's own version loops over every segment (O(segments x rows)):
 * with a 16k-row ID table that made training about 16x slower; the
 * wasm backend has none at all. This one is one pass over the rows: O(rows x width).
 */
import * as tf from '@tensorflow/tfjs-core';

type Values = ArrayLike<number> & { [i: number]: number };
interface CpuBackend {
  data: { get(id: unknown): { values: Values } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Values & { fill(v: number): unknown };
}

function scatterAdd(xv: Values, ids: Values, width: number, numSegments: number, out: Values) {
  for (let r = 0; r < ids.length; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const o = s * width;
    const i = r * width;
    for (let j = 0; j < width; j++) out[o + j] += xv[i + j];
  }
}

const installed = new Set<string>();

export function installFastSegmentSum(backendName: 'cpu' | 'wasm') {
  if (installed.has(backendName)) return;
  installed.add(backendName);
  if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as unknown as { numSegments: number };
      const rest = x.shape.slice(segmentIds.shape.length);
      const width = rest.reduce((a, c) => a * c, 1);
      const shape = [numSegments, ...rest];
      if (backendName === 'cpu') {
        const b = backend as unknown as CpuBackend;
        const out = new Float32Array(numSegments * width);
        scatterAdd(b.data.get(x.dataId).values, b.data.get(segmentIds.dataId).values, width, numSegments, out);
        return b.makeTensorInfo(shape, 'float32', out);
      }
      const b = backend as unknown as WasmBackend;
      const out = b.makeOutput(shape, 'float32');
      const ov = b.typedArrayFromHeap(out);
      ov.fill(0);
      scatterAdd(b.typedArrayFromHeap(x), b.typedArrayFromHeap(segmentIds), width, numSegments, ov);
      return out;
    },
  });
}
