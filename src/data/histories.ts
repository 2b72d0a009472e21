/**
 * Each user's behaviour sequence as training reads it: the clicks (label 1, real events) and typed
 * queries of the events, oldest first. One rule, two holders: every user's whole sequence in memory
 * (historiesFrom), or, for a stream too big to hold, only each user's last N entries before the
 * time asked for (HistoryCursor), whose memory grows with the users, not with the events.
 */
import { itemKey, queryKey, type HistoryEntry } from '../features/history.ts';
import type { EventRow, ItemRow } from './schema.ts';
import { sortedByTime } from './order.ts';

/** A user's sequence up to a time: historiesFrom's Map, or a HistoryCursor (which needs `ts`). */
export interface Histories {
  get(user: string, ts: number): readonly HistoryEntry[] | undefined;
}

/** Events must come in (ts, line) order. Keeps at most `cap` entries per user (the newest). */
class HistoryLog {
  readonly lists = new Map<string, HistoryEntry[]>();
  /** The queries already recorded at each user's latest time: one search per (user, ts, query). */
  private searched = new Map<string, { ts: number; queries: Set<string> }>();
  constructor(
    private items: Map<string, ItemRow>,
    private cap = Infinity,
  ) {}

  add(e: EventRow) {
    const list = this.lists.get(e.user) ?? [];
    this.lists.set(e.user, list);
    if (e.query !== undefined && e.query.trim()) {
      let s = this.searched.get(e.user);
      if (!s || s.ts !== e.ts) this.searched.set(e.user, (s = { ts: e.ts, queries: new Set() }));
      if (!s.queries.has(e.query)) {
        s.queries.add(e.query);
        this.push(list, { ts: e.ts, text: e.query, key: queryKey(e.query), domain: e.domain, action: 'search' });
      }
    }
    if (e.label === 1 && e.line > 0) {
      const item = this.items.get(e.item)!;
      this.push(list, { ts: e.ts, text: item.text, key: itemKey(e.item), domain: e.domain, action: 'click', ...(item.features ? { features: item.features } : {}) });
    }
  }

  private push(list: HistoryEntry[], h: HistoryEntry) {
    list.push(h);
    if (list.length > this.cap) list.shift();
  }
}

/** Clicks (label 1) and typed queries, per user, oldest first. */
export function historiesFrom(events: EventRow[], items: Map<string, ItemRow>): Map<string, HistoryEntry[]> {
  const log = new HistoryLog(items);
  for (const e of sortedByTime(events)) log.add(e);
  return log.lists;
}

/** The texts a history holds, in time order (what the text table must have a row for). */
export function historyTexts(events: Iterable<EventRow>, items: Map<string, ItemRow>, add: (text: string) => void) {
  for (const e of events) {
    if (e.query !== undefined && e.query.trim()) add(e.query);
    if (e.label === 1 && e.line > 0) add(items.get(e.item)!.text);
  }
}

/**
 * A user's last `cap` entries strictly before a time, from events streamed in (ts, line) order:
 * get(user, ts) reads the stream up to `ts` (exclusive), so the times asked for must not go back.
 */
export class HistoryCursor implements Histories {
  private log: HistoryLog;
  private next: IteratorResult<EventRow> | undefined;
  private at = -Infinity;
  constructor(
    private events: Iterator<EventRow>,
    items: Map<string, ItemRow>,
    cap: number,
  ) {
    this.log = new HistoryLog(items, cap);
  }

  get(user: string, ts: number): readonly HistoryEntry[] | undefined {
    if (ts < this.at) throw new Error(`HistoryCursor: asked for time ${ts} after ${this.at}; samples must come in time order`);
    this.at = ts;
    for (;;) {
      this.next ??= this.events.next();
      if (this.next.done || this.next.value.ts >= ts) break;
      this.log.add(this.next.value);
      this.next = undefined;
    }
    return this.log.lists.get(user);
  }
}
