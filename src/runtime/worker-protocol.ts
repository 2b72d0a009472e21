/**
 * The messages between a page and Kindling's worker (worker-entry.ts, worker-client.ts), and how
 * errors cross: a Kindling error keeps its class and its fields (an InputError thrown in the worker
 * is an InputError with its `field` in the page), any other error keeps its name and message.
 */
import * as errors from '../errors.ts';
import type { KindlingWarning } from '../encoder/options.ts';
import type { RecommenderOptions, RecommenderProgress } from './options.ts';
import type { Recommender } from './recommender.ts';

/** The options that cross: the callbacks stay in the page and are called from messages. */
export type WorkerOptions = Omit<RecommenderOptions, 'onProgress' | 'onWarning' | 'worker' | 'modelBase'> & { modelBase?: string };

export type Method = 'rerank' | 'record' | 'history' | 'clearHistory' | 'dispose';

export type ToWorker = { type: 'create'; options: WorkerOptions } | { type: 'call'; id: number; method: Method; args: unknown[] };

export type FromWorker =
  | { type: 'created'; backend: Recommender['backend']; domains: string[]; encoder: Recommender['encoder']; loadTimings: Recommender['loadTimings'] }
  | { type: 'failed'; error: WireError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'progress'; event: RecommenderProgress }
  | { type: 'warning'; warning: Omit<KindlingWarning, 'error'> & { error?: WireError } };

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own fields (field, option, file, line, backend, ...). */
  fields: Record<string, unknown>;
}

const CLASSES: Record<string, { prototype: Error }> = Object.fromEntries(
  (Object.values(errors) as unknown[]).filter((v): v is { name: string; prototype: Error } => typeof v === 'function' && v.prototype instanceof Error).map((c) => [c.name, c]),
);

export function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) if (k !== 'name' && k !== 'message' && k !== 'stack' && (v === null || ['string', 'number', 'boolean'].includes(typeof v))) fields[k] = v;
  return { name: err.name, message: err.message, stack: err.stack, fields };
}

/** The error again, of its own class where it is one of Kindling's (or a built-in one), with its fields. */
export function fromWire(w: WireError): Error {
  const cls = CLASSES[w.name] ?? (globalThis as unknown as Record<string, unknown>)[w.name];
  const proto = typeof cls === 'function' && (cls as { prototype: unknown }).prototype instanceof Error ? (cls as { prototype: Error }).prototype : Error.prototype;
  const err = Object.create(proto) as Error;
  Object.defineProperty(err, 'message', { value: w.message, writable: true, configurable: true });
  Object.defineProperty(err, 'name', { value: w.name, writable: true, configurable: true });
  if (w.stack) Object.defineProperty(err, 'stack', { value: w.stack, writable: true, configurable: true });
  Object.assign(err, w.fields);
  return err;
}
