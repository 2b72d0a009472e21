/**
 * Storage failures (issue 6): IndexedDB missing, its open blocked by an older tab (and unblocked), a quota error
 * on write, a store left by an older schema version and one from a newer version. Ranking goes
 * on, the history is kept in memory or migrated, the caller gets a warning, and nothing the user
 * already had is deleted. Each case runs in a fresh browser context (its own IndexedDB).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch } from './chromium.ts';
import { reportCase } from './report.ts';

const url = `${inject('baseURL')}/test/browser/pages/api.html`;

interface Session {
  warnings: { type: string; message: string }[];
  history: { item: string; ts: number }[];
  ranked: number;
  finite: boolean;
}

/** In the page: a recommender that records `add` events, reranks, and reports what it saw. */
async function session(page: Page, add: number, firstTs = 1000): Promise<Session> {
  return page.evaluate(
    async ({ add, firstTs }) => {
      const warnings: { type: string; message: string }[] = [];
      const r = await window.kindling.createRecommender({ backend: 'cpu', onWarning: (w) => warnings.push({ type: w.type, message: w.message }) });
      for (let i = 0; i < add; i++) await r.record({ item: `new-${i}`, domain: 'cards', action: 'click', text: 'pay the electricity bill', ts: firstTs + i });
      const ranked = await r.rerank(
        [
          { id: 'a', text: 'electricity billing portal' },
          { id: 'b', text: 'fresh espresso lounge' },
        ],
        { domain: 'cards' },
      );
      const history = (await r.history()).map((e) => ({ item: e.item, ts: e.ts }));
      await r.dispose();
      return { warnings: warnings.filter((w) => !w.message.includes('text-vector cache')), history, ranked: ranked.length, finite: ranked.every((x) => Number.isFinite(x.score)) };
    },
    { add, firstTs },
  );
}

/** Writes the history the way Kindling's first release (schema v1) did: idb-keyval's own store. */
async function writeV1(page: Page, n: number) {
  await page.evaluate(async (n) => {
    const { createStore, set } = window.idb;
    const s = createStore('kindling', 'behaviour');
    await set('events', Array.from({ length: n }, (_, i) => ({ item: `old-${i}`, domain: 'cards', action: 'click', text: `old item ${i}`, ts: i })), s);
    await set('schemaVersion', 1, s);
  }, n);
}

/** The raw database: its version, stores and every event it holds, read without Kindling. */
async function rawDb(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ version: number; stores: string[]; events: { item: string; ts: number }[] }>((resolve, reject) => {
        const req = indexedDB.open('kindling');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const stores = [...db.objectStoreNames];
          const name = stores.includes('events') ? 'events' : 'behaviour';
          const os = db.transaction(name, 'readonly').objectStore(name);
          const r = name === 'events' ? os.getAll() : os.get('events');
          r.onsuccess = () => {
            db.close();
            resolve({ version: db.version, stores, events: (r.result ?? []).map((e: { item: string; ts: number }) => ({ item: e.item, ts: e.ts })) });
          };
        };
      }),
  );
}

const oldItems = (n: number) => Array.from({ length: n }, (_, i) => ({ item: `old-${i}`, ts: i }));
const newItems = (n: number, firstTs = 1000) => Array.from({ length: n }, (_, i) => ({ item: `new-${i}`, ts: firstTs + i }));

describe('storage failures', () => {
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    browser = await launch({ webgpu: false });
  });
  afterAll(async () => browser?.close());
  const fresh = async (init?: string) => {
    await context?.close();
    context = await browser.newContext();
    const page = await context.newPage();
    if (init) await page.addInitScript(init);
    await page.goto(url);
    await page.waitForFunction(() => window.kindlingReady === true);
    return page;
  };
  const open = async (init?: string) => {
    const page = await context.newPage();
    if (init) await page.addInitScript(init);
    await page.goto(url);
    await page.waitForFunction(() => window.kindlingReady === true);
    return page;
  };

  it('keeps arrival order for events recorded at the same time, in IndexedDB and after a reload', async () => {
    const page = await fresh();
    const order = async () =>
      page.evaluate(async () => {
        const r = await window.kindling.createRecommender({ backend: 'cpu' });
        return (await r.history()).map((e) => e.item);
      });
    await page.evaluate(async () => {
      const r = await window.kindling.createRecommender({ backend: 'cpu' });
      // Not awaited one by one: 40 records at the same ts, queued in one tick.
      await Promise.all(Array.from({ length: 40 }, (_, i) => r.record({ item: `same-${i}`, domain: 'cards', action: 'view', ts: 7 })));
    });
    const want = Array.from({ length: 40 }, (_, i) => `same-${i}`);
    expect(await order()).toEqual(want);
    await page.reload();
    await page.waitForFunction(() => window.kindlingReady === true);
    expect(await order()).toEqual(want);
  });

  it('IndexedDB missing: ranks, keeps the history in memory, warns', async () => {
    const page = await fresh('Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true })');
    const s = await session(page, 3);
    expect(s.ranked).toBe(2);
    expect(s.finite).toBe(true);
    expect(s.history).toEqual(newItems(3));
    expect(s.warnings.map((w) => w.type)).toEqual(['storage-unavailable']);
    expect(s.warnings[0].message).toMatch(/indexedDB is not defined.*kept in memory/);
    reportCase('storage-missing', { group: 'Storage failures', case: 'IndexedDB missing (window.indexedDB undefined)', tried: '3 records and a rerank', happened: `ranked ${s.ranked} candidates; one storage-unavailable warning: "${s.warnings[0].message}"`, lost: 'nothing: the 3 events are in the in-memory history' });
  });

  /** In the page: a recommender kept alive on window, its warnings in window.__warnings. */
  const startBlockedPage = (page: Page) =>
    page.evaluate(async () => {
      const w = window as unknown as { __rec: Awaited<ReturnType<typeof window.kindling.createRecommender>>; __warnings: string[] };
      w.__warnings = [];
      w.__rec = await window.kindling.createRecommender({ backend: 'cpu', onWarning: (x) => !x.message.includes('text-vector cache') && w.__warnings.push(`${x.type}: ${x.message}`) });
    });
  const inPage = <T>(page: Page, op: 'record' | 'clear' | 'history' | 'warnings', arg?: { item: string; ts: number }) =>
    page.evaluate(
      async ({ op, arg }) => {
        const w = window as unknown as { __rec: Awaited<ReturnType<typeof window.kindling.createRecommender>>; __warnings: string[] };
        if (op === 'record') return w.__rec.record({ ...arg!, domain: 'cards', action: 'click', text: 'pay the electricity bill' });
        if (op === 'clear') return w.__rec.clearHistory();
        if (op === 'warnings') return w.__warnings;
        return (await w.__rec.history()).map((e) => ({ item: e.item, ts: e.ts }));
      },
      { op, arg },
    ) as Promise<T>;
  const warningTypes = async (page: Page) => (await inPage<string[]>(page, 'warnings')).map((x) => x.split(':')[0]);

  it('open blocked by a tab of the older version: ranks from memory with the old history; once that tab closes, what was recorded meanwhile is stored', async () => {
    const old = await fresh();
    await writeV1(old, 5); // old's idb-keyval connection stays open, as Kindling v1's did
    const page = await open();
    const s = await session(page, 1);
    expect(s.ranked).toBe(2);
    expect(s.warnings.map((w) => w.type)).toEqual(['storage-unavailable']);
    expect(s.warnings[0].message).toMatch(/older schema version, which blocks the upgrade to v2/);
    expect(s.history).toEqual([...oldItems(5), ...newItems(1)]);
    // A second recommender in the same page, kept alive: its open queues behind the first one's
    // blocked upgrade, so it too goes on in memory. It records; then the old tab closes.
    await startBlockedPage(page);
    await inPage(page, 'record', { item: 'new-1', ts: 1001 });
    expect(await warningTypes(page)).toEqual(['storage-unavailable']);
    await old.close();
    await page.waitForFunction(() => (window as unknown as { __warnings: string[] }).__warnings.some((w) => w.startsWith('storage-restored')));
    // The first (disposed) recommender's upgrade ran and wrote its event; the second wrote its own.
    expect(await warningTypes(page)).toEqual(['storage-unavailable', 'storage-restored']);
    const restored = (await inPage<string[]>(page, 'warnings'))[1];
    await inPage(page, 'record', { item: 'new-2', ts: 1002 }); // back on IndexedDB
    const all = [...oldItems(5), ...newItems(3)];
    await expect.poll(() => inPage(page, 'history')).toEqual(all);
    expect(await rawDb(page)).toEqual({ version: 2, stores: ['events'], events: all });
    await page.close();
    const later = await open();
    const t = await session(later, 0);
    expect(t.warnings).toEqual([]);
    expect(t.history).toEqual(all);
    reportCase('storage-blocked', {
      group: 'Storage failures',
      case: 'IndexedDB open blocked (a tab of the v1 schema holds the database open)',
      tried: 'a v1 store of 5 events held open by a second page; records and a rerank while blocked, then the old page closes',
      happened: `ranked; one storage-unavailable warning ("${s.warnings[0].message.slice(0, 100)}..."); history served from memory: the 5 stored events read without upgrading, plus the new ones. When the old page closed, the upgrade ran and each recommender of the blocked page wrote what it had recorded ("${restored}"); later records went to IndexedDB and a new page read all of them`,
      lost: 'nothing: the 5 stored events were migrated, and the events recorded while blocked (one by a recommender already disposed) were written once the upgrade ran',
    });
  });

  it('clearHistory() while the upgrade is blocked also clears what is stored once the upgrade runs', async () => {
    const old = await fresh();
    await writeV1(old, 5);
    const page = await open();
    await startBlockedPage(page);
    await inPage(page, 'record', { item: 'new-0', ts: 1000 });
    expect(await inPage(page, 'history')).toEqual([...oldItems(5), ...newItems(1)]);
    await inPage(page, 'clear');
    await inPage(page, 'record', { item: 'new-1', ts: 1001 });
    expect(await inPage(page, 'history')).toEqual([{ item: 'new-1', ts: 1001 }]);
    await old.close();
    await page.waitForFunction(() => (window as unknown as { __warnings: string[] }).__warnings.some((w) => w.startsWith('storage-restored')));
    expect(await rawDb(page)).toEqual({ version: 2, stores: ['events'], events: [{ item: 'new-1', ts: 1001 }] });
    expect(await inPage(page, 'history')).toEqual([{ item: 'new-1', ts: 1001 }]);
    reportCase('storage-blocked-clear', {
      group: 'Storage failures',
      case: 'clearHistory() while the upgrade is blocked',
      tried: 'a v1 store of 5 events held open by a second page; a record, clearHistory(), another record; then the old page closes',
      happened: 'the history read empty but for the last record at once; when the upgrade ran, the stored 5 events and the first record were deleted from IndexedDB and the last record written',
      lost: 'only what the user asked to clear',
    });
  });

  it('quota error on write: keeps the event in memory, warns, leaves the stored history as it was', async () => {
    const page = await fresh();
    await session(page, 5);
    await page.close();
    const quota = `(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...a) {
        if (this.name === 'events') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, a);
      };
    })()`;
    const full = await open(quota);
    const s = await session(full, 2, 2000);
    expect(s.ranked).toBe(2);
    expect(s.warnings.map((w) => w.type)).toEqual(['storage-unavailable']);
    expect(s.warnings[0].message).toMatch(/quota has been exceeded/);
    expect(s.history).toEqual([...newItems(5), ...newItems(2, 2000)]);
    await full.close();
    const after = await open();
    expect((await rawDb(after)).events).toEqual(newItems(5));
    reportCase('storage-quota', {
      group: 'Storage failures',
      case: 'QuotaExceededError on every write to the events store',
      tried: 'a stored history of 5 events; 2 more records and a rerank while writes fail',
      happened: `ranked; one storage-unavailable warning ("${s.warnings[0].message.slice(0, 110)}..."); the page went on in memory with the 5 stored events plus the 2 new ones`,
      lost: 'nothing: the database still holds its 5 events afterwards',
    });
  });

  it('a store left by the older schema (v1): migrated to v2 in one transaction, with a warning, every event kept', async () => {
    const page = await fresh();
    await writeV1(page, 30);
    await page.close();
    const next = await open();
    const s = await session(next, 1);
    expect(s.ranked).toBe(2);
    expect(s.warnings).toEqual([{ type: 'storage-migrated', message: 'the behaviour history was moved from schema v1 to v2 (30 events kept)' }]);
    expect(s.history).toEqual([...oldItems(30), ...newItems(1)]);
    const raw = await rawDb(next);
    expect(raw.version).toBe(2);
    expect(raw.stores).toEqual(['events']);
    expect(raw.events).toEqual([...oldItems(30), ...newItems(1)]);
    reportCase('storage-v1', {
      group: 'Storage failures',
      case: 'a store left by the older schema version (v1: one list under one key)',
      tried: 'a v1 store of 30 events; 1 record and a rerank',
      happened: `ranked; one storage-migrated warning ("${s.warnings[0].message}"); the database is now v2 with the 30 events plus the new one, in time order`,
      lost: 'nothing: all 30 events moved in the upgrade transaction (all or nothing)',
    });
  });

  it('a store from a newer schema: ranks from memory with what it can read, leaves the database alone', async () => {
    const page = await fresh();
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const req = indexedDB.open('kindling', 3);
          req.onupgradeneeded = () => {
            const os = req.result.createObjectStore('events');
            for (let i = 0; i < 4; i++) os.put({ item: `old-${i}`, domain: 'cards', action: 'click', ts: i, future: true }, [i, 0, 'x']);
          };
          req.onsuccess = () => (req.result.close(), resolve());
        }),
    );
    const s = await session(page, 1);
    expect(s.ranked).toBe(2);
    expect(s.warnings.map((w) => w.type)).toEqual(['storage-unavailable']);
    expect(s.history).toEqual([...oldItems(4), ...newItems(1)]);
    expect(await rawDb(page)).toEqual({ version: 3, stores: ['events'], events: oldItems(4) });
    reportCase('storage-newer', {
      group: 'Storage failures',
      case: 'a store written by a newer schema version (v3)',
      tried: 'a v3 database with 4 events; 1 record and a rerank',
      happened: `ranked; one storage-unavailable warning ("${s.warnings[0].message.slice(0, 120)}..."); the history in memory: the 4 readable events plus the new one`,
      lost: 'nothing: the v3 database is untouched (still v3, 4 events)',
    });
  });
});
