/**
 * A behaviour event: what the page records (rerank's record()) and what the user tower reads.
 * It lives here, below the store and the runtime, so that both import it and neither imports
 * the other for it.
 */
import { InputError } from '../errors.ts';
import { ACTIONS, type Action } from './actions.ts';
import { readFeatures, type Features } from './features.ts';

/** The longest item ID or domain name the store keeps (it persists them). */
export const MAX_ID_CHARS = 1000;
/** The most features an event keeps (each name and string value at most MAX_ID_CHARS, kept whole). */
export const MAX_EVENT_FEATURES = 64;
/** Event texts and queries are cut to this many characters before they are stored. */
export const MAX_EVENT_TEXT_CHARS = 2000;

export interface BehaviourEvent {
  item: string;
  domain: string;
  action: Action;
  /** The item's text (what the user tower reads), or the query for a search. */
  text?: string;
  query?: string;
  /**
   * The item's features, as its candidate gave them to rerank(): a model trained with history
   * features (RankerConfig.historyFeatures) reads them for this event; others ignore them.
   */
  features?: Features;
  ts: number;
}

/** Checks a caller's event and fills `ts`; throws InputError naming the field. */
export function validateEvent(e: unknown, now = Date.now()): BehaviourEvent {
  if (!e || typeof e !== 'object' || Array.isArray(e)) throw new InputError('event', 'expected an object');
  const o = e as Record<string, unknown>;
  const str = (k: string, required: boolean) => {
    const v = o[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || (required && !v)) throw new InputError(`event.${k}`, `expected a${required ? ' non-empty' : ''} string, got ${v === null ? 'null' : typeof v}`);
    // IDs are kept whole (a cut ID would name another item); texts are cut below.
    if (required && v.length > MAX_ID_CHARS) throw new InputError(`event.${k}`, `at most ${MAX_ID_CHARS} characters, got ${v.length}`);
    return v;
  };
  const action = o.action;
  if (!ACTIONS.includes(action as Action)) throw new InputError('event.action', `got ${JSON.stringify(action)}; allowed: ${ACTIONS.join(', ')}`);
  const ts = o.ts === undefined ? now : o.ts;
  if (typeof ts !== 'number' || !Number.isFinite(ts)) throw new InputError('event.ts', `expected a finite number, got ${String(ts)}`);
  const out: BehaviourEvent = { item: str('item', true)!, domain: str('domain', true)!, action: action as Action, ts };
  const text = str('text', false);
  const query = str('query', false);
  if (text !== undefined) out.text = text.slice(0, MAX_EVENT_TEXT_CHARS);
  if (query !== undefined) out.query = query.slice(0, MAX_EVENT_TEXT_CHARS);
  const features = readFeatures(o.features, (key, message) => {
    throw new InputError(key === undefined ? 'event.features' : `event.features.${key}`, message);
  });
  // A plain object (readFeatures' has no prototype, which IndexedDB's structured clone would not keep).
  if (features) {
    // Stored with every event, so bounded: values are kept whole (a cut value would hash to another bucket).
    const keys = Object.keys(features);
    if (keys.length > MAX_EVENT_FEATURES) throw new InputError('event.features', `at most ${MAX_EVENT_FEATURES} features, got ${keys.length}`);
    for (const k of keys) {
      const v = features[k];
      if (k.length > MAX_ID_CHARS) throw new InputError('event.features', `a feature name of ${k.length} characters; at most ${MAX_ID_CHARS}`);
      if (typeof v === 'string' && v.length > MAX_ID_CHARS) throw new InputError(`event.features.${k}`, `at most ${MAX_ID_CHARS} characters, got ${v.length}`);
    }
    out.features = { ...features };
  }
  return out;
}
