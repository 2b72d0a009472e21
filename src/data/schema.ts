/**
 * The data contract (docs/DATA.md): items.jsonl, events.jsonl and (optional) users.jsonl rows,
 * checked field by field.
 * Extra fields are ignored; a bad row throws DataError naming file, line and field.
 */
import { DataError } from '../errors.ts';
import { readFeatures, type Features } from '../features/features.ts';

export interface ItemRow {
  id: string;
  text: string;
  domain?: string;
  features?: Features;
}

export interface UserRow {
  id: string;
  features?: Features;
}

export interface EventRow {
  user: string;
  ts: number;
  domain: string;
  item: string;
  label: 0 | 1;
  query?: string;
  relevance?: 0 | 1;
  features?: Features;
  split?: 'train' | 'test';
  /** 1-based line in events.jsonl (0 for rows the pipeline made, such as sampled negatives). */
  line: number;
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

const features = (file: string, line: number, v: unknown) => {
  const f = readFeatures(v, (key, message) => {
    throw new DataError(file, line, key === undefined ? 'features' : `features.${key}`, message);
  });
  for (const k of Object.keys(f ?? {}))
    if (k.startsWith('~')) throw new DataError(file, line, `features.${k}`, "names starting with '~' are Kindling's own features (history match); rename it");
  return f;
};

function str(file: string, line: number, o: Record<string, unknown>, k: string, required: boolean): string | undefined {
  if (!own(o, k) || o[k] === undefined) {
    if (required) throw new DataError(file, line, k, 'missing');
    return undefined;
  }
  if (typeof o[k] !== 'string') throw new DataError(file, line, k, `expected a string, got ${JSON.stringify(o[k])}`);
  if (required && k !== 'text' && (o[k] as string).length === 0) throw new DataError(file, line, k, 'empty');
  return o[k] as string;
}

function binary(file: string, line: number, o: Record<string, unknown>, k: string): 0 | 1 | undefined {
  if (!own(o, k) || o[k] === undefined) return undefined;
  if (o[k] !== 0 && o[k] !== 1) throw new DataError(file, line, k, `expected 0 or 1, got ${JSON.stringify(o[k])}`);
  return o[k] as 0 | 1;
}

function object(file: string, line: number, raw: string): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch (e) {
    throw new DataError(file, line, '(row)', `not valid JSON (${(e as Error).message})`);
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new DataError(file, line, '(row)', 'expected a JSON object');
  return o as Record<string, unknown>;
}

export function parseItem(file: string, line: number, raw: string): ItemRow {
  const o = object(file, line, raw);
  return { id: str(file, line, o, 'id', true)!, text: str(file, line, o, 'text', true)!, domain: str(file, line, o, 'domain', false), features: features(file, line, o.features) };
}

export function parseUser(file: string, line: number, raw: string): UserRow {
  const o = object(file, line, raw);
  return { id: str(file, line, o, 'id', true)!, features: features(file, line, o.features) };
}

export function parseEvent(file: string, line: number, raw: string): EventRow {
  const o = object(file, line, raw);
  if (typeof o.ts !== 'number' || !Number.isFinite(o.ts)) throw new DataError(file, line, 'ts', own(o, 'ts') ? `expected a finite number, got ${JSON.stringify(o.ts)}` : 'missing');
  const split = o.split;
  if (split !== undefined && split !== 'train' && split !== 'test') throw new DataError(file, line, 'split', `expected "train" or "test", got ${JSON.stringify(split)}`);
  return {
    user: str(file, line, o, 'user', true)!,
    ts: o.ts,
    domain: str(file, line, o, 'domain', true)!,
    item: str(file, line, o, 'item', true)!,
    label: binary(file, line, o, 'label') ?? 1,
    query: str(file, line, o, 'query', false),
    relevance: binary(file, line, o, 'relevance'),
    features: features(file, line, o.features),
    split: split as EventRow['split'],
    line,
  };
}
