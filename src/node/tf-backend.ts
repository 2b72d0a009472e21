/**
 * TF.js backend for training and evaluation in Node: the wasm backend (XNNPACK kernels, ~7x
 * the cpu backend on our model), with our UnsortedSegmentSum so embedding lookups can learn.
 * tfjs-node would be faster still, but its install step downloads libtensorflow, which our
 * machines cannot reach.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BackendInitError } from '../errors.ts';
import { installFastSegmentSum } from '../model/segment-sum.ts';

export async function useTrainingBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  installFastSegmentSum(name);
  if (tf.getBackend() !== name) {
    if (!(await tf.setBackend(name))) throw new BackendInitError(name);
  }
  await tf.ready();
  return tf.getBackend();
}
