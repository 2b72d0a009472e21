// Exposes the public API to the Playwright tests, which call it through page.evaluate.
import * as idb from 'idb-keyval';
import * as tf from '@tensorflow/tfjs';
import * as kindling from '../../../src/index.ts';
import { FusedRanker } from '../../../src/gpu/fused-ranker.ts';
import { runFuzz } from './fuzz.ts';
import { randomText } from './random-text.ts';
import { fusedParity, sweepConfig } from './parity.ts';

declare global {
  interface Window {
    kindling: typeof kindling;
    kindlingReady: boolean;
    idb: typeof idb;
    tf: typeof tf;
    FusedRanker: typeof FusedRanker;
    gpuLog: { dispatches: number; submits: number; devices: GPUDevice[]; liveBuffers: () => number };
    runFuzz: typeof runFuzz;
    randomText: typeof randomText;
    fusedParity: typeof fusedParity;
    sweepConfig: typeof sweepConfig;
  }
}
window.kindling = kindling;
window.idb = idb; // to inspect Kindling's stores from the tests
window.tf = tf; // the same TF.js instance the library uses (tensor counts)
// Internals for the GPU tests: every fused call runs in a validation error scope, and dispatches,
// submits and devices are counted by wrapping the WebGPU entry points.
FusedRanker.validate = true;
window.FusedRanker = FusedRanker;
// Live GPU buffers on Kindling's own device (label "kindling"): created and not yet destroyed.
const live = new Set<GPUBuffer>();
window.gpuLog = { dispatches: 0, submits: 0, devices: [], liveBuffers: () => live.size };
if (typeof GPUComputePassEncoder !== 'undefined') {
  const dispatch = GPUComputePassEncoder.prototype.dispatchWorkgroups;
  GPUComputePassEncoder.prototype.dispatchWorkgroups = function (...a: Parameters<typeof dispatch>) {
    window.gpuLog.dispatches++;
    return dispatch.apply(this, a);
  };
  const submit = GPUQueue.prototype.submit;
  GPUQueue.prototype.submit = function (...a: Parameters<typeof submit>) {
    window.gpuLog.submits++;
    return submit.apply(this, a);
  };
  const createBuffer = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function (...a: Parameters<typeof createBuffer>) {
    const b = createBuffer.apply(this, a);
    if (this.label === 'kindling') live.add(b);
    return b;
  };
  const destroyBuffer = GPUBuffer.prototype.destroy;
  GPUBuffer.prototype.destroy = function () {
    live.delete(this);
    return destroyBuffer.call(this);
  };
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...a: Parameters<typeof requestDevice>) {
    const d = await requestDevice.apply(this, a);
    window.gpuLog.devices.push(d);
    return d;
  };
}
window.runFuzz = runFuzz; // the reliability fuzz run (fuzz.ts)
window.randomText = randomText; // seeded candidates for the backend comparisons
window.fusedParity = fusedParity; // the kernel against rankerForward for any config (fused-sweep test)
window.sweepConfig = sweepConfig;
window.kindlingReady = true;
