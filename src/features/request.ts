/** One rerank() request: its candidates and context, checked; a bad one throws InputError naming the field. */
import { InputError } from '../errors.ts';
import { kind, readFeatures, type Features } from './features.ts';

export interface Candidate {
  id: string;
  text: string;
  domain?: string;
  features?: Features;
}

export interface RankContext {
  domain: string;
  query?: string;
  /** Context features (as in events.jsonl `features`), e.g. {hour: 9}. */
  features?: Features;
  /**
   * The user's features (as in users.jsonl `features`), e.g. {segment: 'food'}, for a model
   * trained with them; they stay in the page like everything else. Ignored by a model without.
   */
  userFeatures?: Features;
}

/** The most candidates one rerank() call takes: each call stays bounded in time and memory. */
export const MAX_CANDIDATES = 10_000;

const features = (field: string, v: unknown) =>
  readFeatures(v, (key, message) => {
    throw new InputError(key === undefined ? field : `${field}.${key}`, message);
  });

export function validateCandidates(candidates: unknown): Candidate[] {
  if (!Array.isArray(candidates)) throw new InputError('candidates', `expected an array, got ${kind(candidates)}`);
  if (candidates.length > MAX_CANDIDATES) throw new InputError('candidates', `at most ${MAX_CANDIDATES} per call, got ${candidates.length}; rank them in pages`);
  const seen = new Map<string, number>();
  return candidates.map((c, i) => {
    const f = `candidates[${i}]`;
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw new InputError(f, `expected an object, got ${kind(c)}`);
    const o = c as Record<string, unknown>;
    if (typeof o.id !== 'string' || !o.id) throw new InputError(`${f}.id`, `expected a non-empty string, got ${kind(o.id)}`);
    const first = seen.get(o.id);
    if (first !== undefined) throw new InputError(`${f}.id`, `${JSON.stringify(o.id.slice(0, 80))} is also candidates[${first}].id; ids must be unique`);
    seen.set(o.id, i);
    if (typeof o.text !== 'string') throw new InputError(`${f}.text`, `expected a string, got ${kind(o.text)}`);
    if (o.domain !== undefined && typeof o.domain !== 'string') throw new InputError(`${f}.domain`, `expected a string, got ${kind(o.domain)}`);
    return { id: o.id, text: o.text, domain: o.domain as string | undefined, features: features(`${f}.features`, o.features) };
  });
}

export function validateContext(context: unknown): RankContext {
  if (!context || typeof context !== 'object' || Array.isArray(context)) throw new InputError('context', `expected an object, got ${kind(context)}`);
  const o = context as Record<string, unknown>;
  if (typeof o.domain !== 'string' || !o.domain) throw new InputError('context.domain', `expected a non-empty string, got ${kind(o.domain)}`);
  if (o.query !== undefined && typeof o.query !== 'string') throw new InputError('context.query', `expected a string, got ${kind(o.query)}`);
  return { domain: o.domain, query: o.query as string | undefined, features: features('context.features', o.features), userFeatures: features('context.userFeatures', o.userFeatures) };
}
