/**
 * The user's behaviour sequence, kept in the user's own browser: idb-keyval over Kindling's own
 * database, one record per event (idb-schema.ts), so tabs appending at once all land. The list
 * is capped (newest kept) and kept in time order. Where IndexedDB cannot be used (missing,
 * blocked, quota, a newer schema) the history lives in memory, a warning is reported once, and
 * ranking goes on.
 */
import { clear, promisifyRequest, values } from 'idb-keyval';
import type { KindlingWarning } from '../encoder/options.ts';
import { StorageUnavailableError } from '../errors.ts';
import type { BehaviourEvent } from '../features/behaviour-event.ts';
import { BEHAVIOUR_DB, eventKey, EVENTS_STORE, eventsStore, openBehaviourDb, readAnyVersion, STORE_SCHEMA_VERSION } from './idb-schema.ts';

export { BEHAVIOUR_DB, STORE_SCHEMA_VERSION };
export interface BehaviourStore {
  append(e: BehaviourEvent): Promise<void>;
  /** Oldest first. */
  list(): Promise<BehaviourEvent[]>;
  clear(): Promise<void>;
  /** Whether the history is only in memory (IndexedDB unavailable). */
  readonly inMemory: boolean;
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
 * IndexedDB-backed store (schema in idb-schema.ts). Nothing is opened until the first call.
 * Where IndexedDB cannot be used (missing, blocked by an older tab, a newer schema, quota, no
 * answer) it warns once and goes on in memory with what it could still read: the database itself
 * is never deleted or overwritten by the fallback. If a blocked or slow open succeeds later, what
 * the page recorded meanwhile is written and it goes back to IndexedDB (`storage-restored`).
 */
export function idbStore(cap: number, onWarning: (w: KindlingWarning) => void, dbName = BEHAVIOUR_DB, timeoutMs = 3000): BehaviourStore {
  let fallback: BehaviourStore | undefined;
  let stored: BehaviourEvent[] | undefined; // what an outdated database held, read before its upgrade
  // While in memory: what this page did that the database does not have yet.
  let pending: { appended: BehaviourEvent[]; cleared: boolean } = { appended: [], cleared: false };
  let lateDb: IDBDatabase | undefined; // the given-up open, succeeded after all
  const store = eventsStore(() =>
    openBehaviourDb(dbName, {
      timeoutMs,
      onStoredEvents: (events) => (stored = events),
      onMigrated: (m) => onWarning({ type: 'storage-migrated', message: `the behaviour history was moved from schema v${m.from} to v${STORE_SCHEMA_VERSION} (${m.events} events kept)` }),
      onLateOpen: (db) => {
        lateDb = db;
        if (fallback) void restore();
      },
    }),
  );

  /**
   * The database became usable after the page went on in memory (the tab that blocked the upgrade
   * closed): writes what was recorded meanwhile (and a clearHistory() made meanwhile), then goes
   * back to IndexedDB. Calls made while it writes stay in memory and are written in the next round.
   */
  async function restore() {
    const db = lateDb!;
    lateDb = undefined;
    let written = 0;
    try {
      while (pending.cleared || pending.appended.length) {
        const round = pending;
        pending = { appended: [], cleared: false };
        try {
          const os = db.transaction(EVENTS_STORE, 'readwrite').objectStore(EVENTS_STORE);
          if (round.cleared) os.clear();
          for (const e of round.appended) os.put(e, eventKey(e.ts));
          trimToCap(os, cap);
          await promisifyRequest(os.transaction);
          written += round.appended.length;
        } catch (err) {
          // Still in memory, and the round is written by nothing: keep it for the page's lifetime.
          pending = { appended: [...round.appended, ...pending.appended], cleared: round.cleared || pending.cleared };
          throw err;
        }
      }
      fallback = undefined; // synchronously after the last round: no call can slip in between
      onWarning({ type: 'storage-restored', message: `IndexedDB can be used again: ${written === 1 ? 'the event' : `the ${written} events`} recorded in memory meanwhile ${written === 1 ? 'was' : 'were'} written to it` });
    } catch {
      // It failed again (e.g. quota): the page stays in memory, as it was.
    } finally {
      db.close();
    }
  }

  async function guarded<T>(op: () => Promise<T>, mem: (m: BehaviourStore) => Promise<T>, record?: () => void): Promise<T> {
    const inMemory = async (m: BehaviourStore) => {
      const r = await mem(m);
      record?.();
      return r;
    };
    if (fallback) return inMemory(fallback);
    try {
      return await op();
    } catch (err) {
      if (fallback) return inMemory(fallback); // another call fell back meanwhile
      const kept = stored ?? (typeof indexedDB === 'undefined' || !indexedDB ? [] : await readAnyVersion(dbName, timeoutMs));
      fallback ??= memoryStore(cap, [...kept].sort((a, b) => a.ts - b.ts));
      const error = new StorageUnavailableError(`IndexedDB cannot be used (${(err as Error)?.message ?? err}); the history is kept in memory for this page, and what is stored is left as it is`, { cause: err });
      onWarning({ type: 'storage-unavailable', message: error.message, error });
      const r = await inMemory(fallback);
      if (lateDb) void restore();
      return r;
    }
  }
  return {
    get inMemory() {
      return fallback !== undefined;
    },
    append: (e) =>
      guarded(
        () =>
          store('readwrite', (os) => {
            // One transaction: add the event, then drop the oldest beyond the cap (key order is time order).
            os.put(e, eventKey(e.ts));
            trimToCap(os, cap);
            return promisifyRequest(os.transaction);
          }),
        (m) => m.append(e),
        () => pending.appended.push(e),
      ),
    list: () => guarded(() => values<BehaviourEvent>(store), (m) => m.list()),
    clear: () =>
      guarded(
        () => clear(store),
        (m) => m.clear(),
        () => (pending = { appended: [], cleared: true }),
      ),
  };
}

/** In the store's transaction: deletes the oldest records beyond `cap` (key order is time order). */
function trimToCap(os: IDBObjectStore, cap: number) {
  const count = os.count();
  count.onsuccess = () => {
    let extra = count.result - cap;
    if (extra <= 0) return;
    const cursor = os.openKeyCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c || extra-- <= 0) return;
      os.delete(c.primaryKey);
      c.continue();
    };
  };
}
