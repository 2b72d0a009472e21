/**
 * TF.js as a guest: a page may run its own TF.js models, on the backend it chose, in the same TF.js
 * (the engine is one per page, whichever copy of TF.js a bundler includes). Kindling never leaves
 * the page's backend switched: it initialises its own backend beside the page's without making it
 * the active one, and switches to it only inside a synchronous section (onBackend), switching back
 * before any other code can run. Tensors remember their backend, so reading or disposing them later
 * needs no switch.
 */
import * as tf from '@tensorflow/tfjs-core';
// Registers the CPU backend's factory and kernels (starts nothing). TF.js core and its CPU backend,
// not the @tensorflow/tfjs bundle: the bundle also brings the WebGL backend, layers, the converter
// and tf.data, none of which the page uses (about 1 MB of the first visit).
import '@tensorflow/tfjs-backend-cpu';
import { BackendInitError } from '../errors.ts';

export type TfBackendName = 'webgpu' | 'cpu';

/** The engine's fields this module reads and restores (TF.js keeps some of them private). */
interface EngineState {
  backendName: string | null | undefined;
  backendInstance: tf.KernelBackend | null | undefined;
  registry: Record<string, tf.KernelBackend>;
  pendingBackendInit: Promise<boolean> | null | undefined;
}
const engine = () => tf.engine() as unknown as EngineState;

/**
 * Registers (webgpu: by importing its package) and initialises `name` without making it the active
 * backend: the factory runs here, not through tf.setBackend, so the page's ops never meet a pending
 * backend initialisation of ours.
 */
export async function prepareBackend(name: TfBackendName): Promise<void> {
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu'); // registers the factory; starts nothing
  const e = engine();
  if (e.registry[name]) return;
  const factory = tf.findBackendFactory(name);
  if (!factory) throw new BackendInitError(name);
  let backend: tf.KernelBackend;
  try {
    backend = await factory();
  } catch (err) {
    throw new BackendInitError(name, { cause: err });
  }
  if (!backend) throw new BackendInitError(name);
  if (e.registry[name]) backend.dispose(); // the page initialised it meanwhile: use the page's
  else e.registry[name] = backend;
}

/**
 * Runs `fn` on backend `name` (see onBackend) as soon as no backend initialisation of the page's is
 * pending (TF.js runs no op while one is): the check and the run happen in one synchronous step.
 */
export async function runOnBackend<T>(name: TfBackendName, fn: () => T): Promise<T> {
  for (let p = engine().pendingBackendInit; p; p = engine().pendingBackendInit) await p.catch(() => false);
  return onBackend(name, fn);
}

/**
 * Runs `fn` (synchronous: tensor creation, a tidy forward pass) on backend `name`, which
 * prepareBackend made ready, and puts the page's active backend back before returning.
 */
function onBackend<T>(name: TfBackendName, fn: () => T): T {
  const e = engine();
  const theirName = e.backendName;
  const theirs = e.backendInstance;
  if (theirName === name && theirs === e.registry[name]) return fn();
  if (!e.registry[name]) throw new BackendInitError(name);
  void tf.setBackend(name); // synchronous for an initialised backend: it reaches no await
  if (e.backendInstance !== e.registry[name]) throw new BackendInitError(name);
  try {
    return fn();
  } finally {
    if (theirName && theirs && e.registry[theirName] === theirs) void tf.setBackend(theirName);
    else {
      // The page had not chosen a backend yet: leave TF.js to choose as if Kindling had not been here.
      e.backendName = theirName;
      e.backendInstance = theirs;
    }
  }
}
