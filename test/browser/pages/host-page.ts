// A host page that is not Kindling's: it runs its own TF.js model and has its own Transformers.js
// settings, in the same module graph as Kindling (one bundle, one TF.js engine, one Transformers.js
// env), the way a site's bundler would put them together. The neighbour test drives it.
import * as tf from '@tensorflow/tfjs';
import { env } from '@huggingface/transformers';
import * as kindling from '../../../src/index.ts';

declare global {
  interface Window {
    host: typeof host;
    kindling: typeof kindling;
    kindlingReady: boolean;
  }
}

/** The host's own model: a fixed two-layer network, the page's own business. */
const W1 = tf.tensor2d(Array.from({ length: 8 * 16 }, (_, i) => Math.sin(i * 0.37)), [8, 16]);
const W2 = tf.tensor2d(Array.from({ length: 16 * 4 }, (_, i) => Math.cos(i * 0.11)), [16, 4]);
const X = tf.tensor2d(Array.from({ length: 32 * 8 }, (_, i) => ((i * 7) % 13) / 13 - 0.5), [32, 8]);

const host = {
  /** The host picks its backend, as a page with its own models does. */
  async useBackend(name: string) {
    if (!(await tf.setBackend(name))) throw new Error(`host: no ${name} backend`);
    await tf.ready();
    return tf.getBackend();
  },
  backend: () => tf.getBackend(),
  /** Runs the host model on whatever backend is active; returns its outputs and the backend it ran on. */
  run(): { backend: string; out: number[] } {
    const backend = tf.getBackend();
    const y = tf.tidy(() => tf.sigmoid(tf.matMul(tf.relu(tf.matMul(X, W1)), W2)));
    const out = Array.from(y.dataSync());
    y.dispose();
    return { backend, out };
  },
  /** The host's own Transformers.js settings. */
  configureTransformers() {
    env.allowRemoteModels = true;
    env.allowLocalModels = false;
    env.useBrowserCache = true;
    env.localModelPath = '/host-models/';
    const wasm = (env.backends.onnx as { wasm?: Record<string, unknown> }).wasm;
    if (wasm) wasm.wasmPaths = '/host-wasm/';
  },
  transformersSettings() {
    const wasm = (env.backends.onnx as { wasm?: Record<string, unknown> }).wasm;
    return { allowRemoteModels: env.allowRemoteModels, allowLocalModels: env.allowLocalModels, useBrowserCache: env.useBrowserCache, localModelPath: env.localModelPath, wasmPaths: wasm?.wasmPaths };
  },
  /**
   * Watches TF.js's active backend and runs the host model on every macrotask while `work` runs
   * (Kindling loading and ranking): what the page's own code would meet if it ran then.
   */
  async watch<T>(work: () => Promise<T>, expected: number[]): Promise<{ result: T; samples: number; seen: string[]; maxDiff: number; errors: string[] }> {
    const seen = new Set<string>();
    const errors: string[] = [];
    let samples = 0;
    let maxDiff = 0;
    let on = true;
    const tick = () => {
      if (!on) return;
      samples++;
      try {
        const r = host.run();
        seen.add(r.backend);
        r.out.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - expected[i]))));
      } catch (err) {
        errors.push(String(err));
      }
      setTimeout(tick, 0);
    };
    tick();
    try {
      return { result: await work(), samples, seen: [...seen], maxDiff, errors };
    } finally {
      on = false;
    }
  },
};

window.host = host;
window.kindling = kindling;
window.kindlingReady = true;
