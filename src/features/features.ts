/**
 * Item, context and user features: read by one rule whether a data file or a page gives them,
 * and encoded by one function for training and for the page.
 */
import type { FeatureConfig } from '../model/config.ts';
import { bucket } from '../util/hash.ts';

export type FeatureValue = string | number;
export type Features = Record<string, FeatureValue>;

/** A value's kind, as an error message names it. */
export const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Reads a features object. Strings and finite numbers are features; a non-finite number (NaN,
 * Infinity) is a missing value, as encodeFeatures would read it anyway; anything else is the
 * caller's mistake, reported through `problem(key, message)` (key undefined: the object itself),
 * which throws the caller's own error class. The result has no prototype, so `__proto__` or
 * `constructor` is a feature name like any other.
 */
export function readFeatures(v: unknown, problem: (key: string | undefined, message: string) => never): Features | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) problem(undefined, `expected an object of name: string|number, got ${kind(v)}`);
  const out: Features = Object.create(null);
  for (const [k, x] of Object.entries(v as object)) {
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number') {
      if (Number.isFinite(x)) out[k] = x;
    } else problem(k, `expected a string or a number, got ${kind(x)}`);
  }
  return out;
}

/** Writes one row of encoded features: hashed buckets for categorical fields, clipped z-scores for numbers. */
export function encodeFeatures(fc: FeatureConfig, sparseBuckets: number, f: Features | undefined, cat: Int32Array, catAt: number, num: Float32Array, numAt: number) {
  fc.categorical.forEach((name, j) => {
    const v = f && Object.hasOwn(f, name) ? f[name] : undefined;
    cat[catAt + j] = v === undefined ? 0 : bucket(`${name}=${String(v)}`, sparseBuckets);
  });
  fc.numeric.forEach(({ name, mean, std }, j) => {
    // '~' names are Kindling's own (src/model/history-match.ts), computed by it, never read from a caller's features.
    const v = f && !name.startsWith('~') && Object.hasOwn(f, name) ? f[name] : undefined;
    num[numAt + j] = typeof v === 'number' && Number.isFinite(v) ? Math.max(-5, Math.min(5, (v - mean) / std)) : 0;
  });
}
