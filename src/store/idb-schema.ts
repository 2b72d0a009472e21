/**
 * The behaviour database and its schema versions. The IndexedDB version of the database is the
 * schema version, so an upgrade runs in IndexedDB's versionchange transaction: all or nothing,
 * and one tab at a time.
 *
 *  v1 (Kindling's first release): object store `behaviour`, key `events` holding the whole list
 *     (every append rewrote it).
 *  v2: object store `events`, one record per event under the key [ts, arrival, nonce], so an
 *     append writes one record, time order is key order, and equal times keep arrival order.
 *     Upgrading from v1 copies the list in and drops the old store only once every event is in.
 *
 * Opening never hangs: a blocked upgrade (a tab of an older Kindling holds the database open), a
 * database of a newer version, or no answer within `timeoutMs` rejects, and the caller keeps the
 * history in memory; if the given-up open succeeds later (the older tab closed), the caller gets
 * the database then. Our own connections close when a newer version asks, so they never block it.
 */
import type { UseStore } from 'idb-keyval';
import type { BehaviourEvent } from '../features/behaviour-event.ts';

export const STORE_SCHEMA_VERSION = 2;
export const BEHAVIOUR_DB = 'kindling';
export const EVENTS_STORE = 'events';
export const V1_STORE = 'behaviour';

let lastArrival = 0;
/**
 * Wall-clock milliseconds, strictly increasing within this page: performance.now() is coarsened
 * (to 100 us in most pages), and two records in the same tick must keep their order. 0.001 ms
 * is above the float spacing of an epoch-based millisecond count (about 0.0002).
 */
function arrival(): number {
  lastArrival = Math.max(performance.timeOrigin + performance.now(), lastArrival + 0.001);
  return lastArrival;
}

/** A key that sorts by time, then by arrival (across tabs: by wall-clock arrival). */
export function eventKey(ts: number, at = arrival()): IDBValidKey {
  return [ts, at, Math.random().toString(36).slice(2)];
}

const isEvent = (e: unknown): e is BehaviourEvent => !!e && typeof e === 'object' && typeof (e as BehaviourEvent).ts === 'number' && typeof (e as BehaviourEvent).item === 'string';

export interface Migration {
  from: number;
  events: number;
}

function upgrade(db: IDBDatabase, tx: IDBTransaction, oldVersion: number, onMigrated: (m: Migration) => void) {
  if (!db.objectStoreNames.contains(EVENTS_STORE)) db.createObjectStore(EVENTS_STORE);
  if (oldVersion < 1 || !db.objectStoreNames.contains(V1_STORE)) return;
  const read = tx.objectStore(V1_STORE).get('events');
  read.onsuccess = () => {
    const list: unknown[] = Array.isArray(read.result) ? read.result : [];
    const events = tx.objectStore(EVENTS_STORE);
    list.forEach((e, i) => isEvent(e) && events.put(e, eventKey(e.ts, i)));
    // Anything that is not an event stays where it was, untouched.
    if (list.every(isEvent)) db.deleteObjectStore(V1_STORE);
    onMigrated({ from: oldVersion, events: list.filter(isEvent).length });
  };
}

/**
 * Opens the database at the current schema version. The common case (already current) is one
 * plain open. Otherwise it first reads what is stored (handed to `onStoredEvents`, so a page that
 * cannot upgrade still has the history: an open request blocked on an upgrade would hold every
 * later open behind it), then asks for the upgrade.
 */
export async function openBehaviourDb(
  name: string,
  o: {
    timeoutMs: number;
    onMigrated: (m: Migration) => void;
    onStoredEvents: (events: BehaviourEvent[]) => void;
    /**
     * The open that was given up on (blocked, or no answer in time) succeeded after all, e.g. once
     * the older tab closed: the upgraded database, now the caller's to use and close.
     */
    onLateOpen?: (db: IDBDatabase) => void;
  },
): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined' || !indexedDB) throw new Error('indexedDB is not defined');
  // A peek that times out (queued behind another page's blocked upgrade) and succeeds later, at the
  // current version, is such a late open too.
  const peek = await peekDb(name, o.timeoutMs, o.onLateOpen && ((db) => o.onLateOpen!(keepCurrent(db))));
  if (peek.db) return keepCurrent(peek.db);
  o.onStoredEvents(peek.events);
  if (peek.version > STORE_SCHEMA_VERSION) throw new Error(`"${name}" is at schema version ${peek.version}, newer than this Kindling's v${STORE_SCHEMA_VERSION}`);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`IndexedDB did not open "${name}" within ${o.timeoutMs} ms`)), o.timeoutMs);
    const req = indexedDB.open(name, STORE_SCHEMA_VERSION);
    // "blocked" also fires while a connection that is closing (ours, just read) finishes: give it
    // a moment before concluding that another tab holds the database.
    req.onblocked = () => setTimeout(() => fail(new Error(`another tab holds "${name}" open at an older schema version, which blocks the upgrade to v${STORE_SCHEMA_VERSION}`)), Math.min(1000, o.timeoutMs / 2));
    req.onupgradeneeded = (ev) => upgrade(req.result, req.transaction!, ev.oldVersion, o.onMigrated);
    req.onerror = () => fail(req.error ?? new Error(`IndexedDB could not open "${name}"`));
    req.onsuccess = () => {
      const db = keepCurrent(req.result);
      if (settled) return o.onLateOpen ? o.onLateOpen(db) : db.close(); // the page already went on in memory (the upgrade itself is done)
      settled = true;
      clearTimeout(timer);
      resolve(db);
    };
  });
}

function keepCurrent(db: IDBDatabase): IDBDatabase {
  db.onversionchange = () => db.close();
  return db;
}

/**
 * Opens without a version: never creates, upgrades or writes anything. A database already at the
 * current version comes back open; otherwise (absent: version 0) what it holds is read and it is
 * closed.
 */
function peekDb(name: string, timeoutMs: number, onLateCurrent?: (db: IDBDatabase) => void): Promise<{ version: number; events: BehaviourEvent[]; db?: IDBDatabase }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (r: { version: number; events: unknown; db?: IDBDatabase } | Error) => {
      if (settled) {
        const late = (r as { db?: IDBDatabase }).db;
        return late && onLateCurrent ? onLateCurrent(late) : late?.close();
      }
      settled = true;
      clearTimeout(timer);
      if (r instanceof Error) return reject(r);
      resolve({ ...r, events: Array.isArray(r.events) ? r.events.filter(isEvent).sort((a, b) => a.ts - b.ts) : [] });
    };
    const timer = setTimeout(() => done(new Error(`IndexedDB did not open "${name}" within ${timeoutMs} ms`)), timeoutMs);
    const req = indexedDB.open(name);
    let absent = false;
    req.onupgradeneeded = () => {
      absent = true; // no database: do not create one here
      req.transaction!.abort();
    };
    req.onerror = () => (absent ? done({ version: 0, events: [] }) : done(req.error ?? new Error(`IndexedDB could not open "${name}"`)));
    req.onsuccess = () => {
      const db = req.result;
      if (db.version === STORE_SCHEMA_VERSION && db.objectStoreNames.contains(EVENTS_STORE)) return done({ version: db.version, events: [], db });
      const names = db.objectStoreNames;
      const storeName = names.contains(EVENTS_STORE) ? EVENTS_STORE : names.contains(V1_STORE) ? V1_STORE : undefined;
      const finish = (events: unknown) => {
        db.close();
        done({ version: db.version, events });
      };
      if (!storeName) return finish([]);
      try {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName);
        const r = storeName === EVENTS_STORE ? store.getAll() : store.get('events');
        r.onsuccess = () => finish(r.result);
        r.onerror = () => finish([]);
      } catch {
        finish([]);
      }
    };
  });
}

/** Best effort, read only: the events stored at whatever version (for a page going on in memory). */
export async function readAnyVersion(name: string, timeoutMs: number): Promise<BehaviourEvent[]> {
  try {
    const peek = await peekDb(name, timeoutMs);
    if (!peek.db) return peek.events;
    const db = peek.db;
    return await new Promise((resolve) => {
      try {
        const r = db.transaction(EVENTS_STORE, 'readonly').objectStore(EVENTS_STORE).getAll();
        r.onsuccess = () => (db.close(), resolve(r.result.filter(isEvent)));
        r.onerror = () => (db.close(), resolve([]));
      } catch {
        db.close();
        resolve([]);
      }
    });
  } catch {
    return [];
  }
}

/** An idb-keyval store on the open database's `events` store; reopens after the browser closes it. */
export function eventsStore(open: () => Promise<IDBDatabase>): UseStore {
  let dbp: Promise<IDBDatabase> | undefined;
  return (mode, callback) =>
    (dbp ??= open().then(
      (db) => {
        db.addEventListener('close', () => (dbp = undefined));
        return db;
      },
      (err) => {
        dbp = undefined;
        throw err;
      },
    )).then((db) => callback(db.transaction(EVENTS_STORE, mode).objectStore(EVENTS_STORE)));
}
