/**
 * The user's behaviour sequence, kept in the user's own browser: idb-keyval in Kindling's own
 * database. Appends go through idb-keyval's update(), one readwrite transaction each, so two tabs
 * appending at once both land. The list is capped (newest kept) and kept in time order.
 * Where IndexedDB cannot be used (private modes, blocked, quota) the history lives in memory,
 * a warning is reported once, and ranking goes on.
 */
import { createStore, del, get, set, update, type UseStore } from 'idb-keyval';
import { InputError, StorageUnavailableError } from '../errors.ts';

export const STORE_SCHEMA_VERSION = 1;
export const BEHAVIOUR_DB = 'kindling';
export const BEHAVIOUR_STORE = 'behaviour';
export const ACTIONS = ['click', 'view', 'search'] as const;
export type Action = (typeof ACTIONS)[number];
/** The longest item ID or domain name the store keeps (it persists them). */
export const MAX_ID_CHARS = 1000;
/** Event texts and queries are cut to this many characters before they are stored. */
export const MAX_EVENT_TEXT_CHARS = 2000;

export interface BehaviourEvent {
  item: string;
  domain: string;
  action: Action;
  /** The item's text (what the user tower reads), or the query for a search. */
  text?: string;
  query?: string;
  ts: number;
}

export interface BehaviourStore {
  append(e: BehaviourEvent): Promise<void>;
  /** Oldest first. */
  list(): Promise<BehaviourEvent[]>;
  clear(): Promise<void>;
  /** Whether the history is only in memory (IndexedDB unavailable). */
  readonly inMemory: boolean;
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
  return out;
}

function insertCapped(list: BehaviourEvent[], e: BehaviourEvent, cap: number): BehaviourEvent[] {
  const out = [...list];
  let i = out.length;
  while (i > 0 && out[i - 1].ts > e.ts) i--; // keep time order; equal times keep arrival order
  out.splice(i, 0, e);
  return out.length > cap ? out.slice(out.length - cap) : out;
}

export function memoryStore(cap: number, initial: BehaviourEvent[] = []): BehaviourStore {
  let events = initial.slice(-cap);
  return {
    inMemory: true,
    async append(e) {
      events = insertCapped(events, e, cap);
    },
    async list() {
      return [...events];
    },
    async clear() {
      events = [];
    },
  };
}

/**
 * IndexedDB-backed store; `onUnavailable` is told once if it has to fall back to memory.
 * Nothing is opened until the first call.
 */
export function idbStore(cap: number, onUnavailable: (err: StorageUnavailableError) => void, dbName = BEHAVIOUR_DB): BehaviourStore {
  let store: UseStore | undefined;
  let fallback: BehaviourStore | undefined;
  const s = () => (store ??= createStore(dbName, BEHAVIOUR_STORE));
  async function guarded<T>(op: () => Promise<T>, mem: (m: BehaviourStore) => Promise<T>): Promise<T> {
    if (fallback) return mem(fallback);
    try {
      if (typeof indexedDB === 'undefined') throw new Error('indexedDB is not defined');
      return await op();
    } catch (err) {
      // Keep what we can still read, so nothing the user had is lost from this session.
      let kept: BehaviourEvent[] = [];
      try {
        kept = ((await get<BehaviourEvent[]>('events', s())) ?? []).filter(Boolean);
      } catch {
        kept = [];
      }
      fallback = memoryStore(cap, kept);
      onUnavailable(new StorageUnavailableError(`IndexedDB cannot be used (${(err as Error)?.message ?? err}); the history is kept in memory for this page`, { cause: err }));
      return mem(fallback);
    }
  }
  return {
    get inMemory() {
      return fallback !== undefined;
    },
    append: (e) =>
      guarded(
        async () => {
          await update<BehaviourEvent[]>('events', (old) => insertCapped(old ?? [], e, cap), s());
          await set('schemaVersion', STORE_SCHEMA_VERSION, s());
        },
        (m) => m.append(e),
      ),
    list: () => guarded(async () => (await get<BehaviourEvent[]>('events', s())) ?? [], (m) => m.list()),
    clear: () => guarded(() => del('events', s()), (m) => m.clear()),
  };
}
