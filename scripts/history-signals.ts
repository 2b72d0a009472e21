/**
 * Two signals a sequence recommender commonly reads and Kindling's network does not read directly,
 * computed for test samples from the events alone (no parameters), for results:blend's ceiling:
 * - repeat: the candidate is among the user's own clicks before the sample (the page's behaviour
 *   store has them);
 * - co-occurrence: Σ over the user's earlier clicks h of how many training users clicked both h and
 *   the candidate (item-to-item collaborative filtering, counted on the training split only).
 * Items are compared by their real IDs, not by the model's hashed buckets.
 */
import type { Samples } from '../src/data/dataset.ts';
import type { EventRow } from '../src/data/schema.ts';
import { cosine } from '../src/util/vector.ts';

export interface HistorySignals {
  /** 1 where the sample's item is among the user's clicks strictly before its time. */
  repeat: Float32Array;
  /** ln(1 + Σ co-occurrence counts of the item with the user's earlier clicks). */
  cooc: Float32Array;
}

const isClick = (e: EventRow) => e.label === 1 && e.line > 0;

/** Co-occurrence of the training split's clicks: distinct items per user, every ordered pair once per user. */
function coOccurrence(train: EventRow[]): Map<string, Map<string, number>> {
  const trainItems = new Map<string, Set<string>>();
  for (const e of train) if (isClick(e)) (trainItems.get(e.user) ?? trainItems.set(e.user, new Set()).get(e.user)!).add(e.item);
  const co = new Map<string, Map<string, number>>();
  for (const items of trainItems.values())
    for (const a of items)
      for (const b of items)
        if (a !== b) {
          const row = co.get(a) ?? co.set(a, new Map()).get(a)!;
          row.set(b, (row.get(b) ?? 0) + 1);
        }
  return co;
}

/** `all`: every event of the data (the histories); `train`: the training split; `samples`: the test events in sample order. */
export function historySignals(all: EventRow[], train: EventRow[], samples: EventRow[], historyLength: number): HistorySignals {
  // Each user's clicks in time order, from every period (a history sees what came before, as in buildSamples).
  const clicks = new Map<string, EventRow[]>();
  for (const e of all) if (isClick(e)) (clicks.get(e.user) ?? clicks.set(e.user, []).get(e.user)!).push(e);
  for (const list of clicks.values()) list.sort((a, b) => a.ts - b.ts || a.line - b.line);
  const co = coOccurrence(train);
  const n = samples.length;
  const repeat = new Float32Array(n);
  const cooc = new Float32Array(n);
  samples.forEach((e, i) => {
    const list = clicks.get(e.user) ?? [];
    let end = 0;
    while (end < list.length && list[end].ts < e.ts) end++;
    let sum = 0;
    for (const h of list.slice(Math.max(0, end - historyLength), end)) {
      if (h.item === e.item) repeat[i] = 1;
      sum += co.get(h.item)?.get(e.item) ?? 0;
    }
    cooc[i] = Math.log1p(sum);
  });
  return { repeat, cooc };
}

/** Sequential and normalised variants of co-occurrence (results:signals' diagnostic). */
export interface SequenceSignals {
  /** ln(1 + how many training users clicked the candidate right after the user's last click). */
  next: Float32Array;
  /** ln(1 + Σ over the user's last 3 clicks h of the training users who clicked the candidate within 3 clicks after h). */
  near: Float32Array;
  /** Σ over the window's clicks h of c(h, item) / √(clicks(h) · clicks(item)): co-occurrence less the items' popularity. */
  cosine: Float32Array;
}

/** Directed counts a → b, b within `reach` clicks after a in a training user's clicks, once per user per pair. */
function transitions(byUser: Map<string, EventRow[]>, reach: number) {
  const t = new Map<string, Map<string, number>>();
  for (const list of byUser.values()) {
    const seen = new Set<string>();
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j <= Math.min(list.length - 1, i + reach); j++) {
        const [a, b] = [list[i].item, list[j].item];
        if (a === b || seen.has(`${a}\u0000${b}`)) continue;
        seen.add(`${a}\u0000${b}`);
        const row = t.get(a) ?? t.set(a, new Map()).get(a)!;
        row.set(b, (row.get(b) ?? 0) + 1);
      }
  }
  return t;
}

const clicksByUser = (events: EventRow[]) => {
  const m = new Map<string, EventRow[]>();
  for (const e of events) if (isClick(e)) (m.get(e.user) ?? m.set(e.user, []).get(e.user)!).push(e);
  for (const list of m.values()) list.sort((a, b) => a.ts - b.ts || a.line - b.line);
  return m;
};

/** As historySignals: `all` the histories, `train` the training split, `samples` the test events in sample order. */
export function sequenceSignals(all: EventRow[], train: EventRow[], samples: EventRow[], historyLength: number): SequenceSignals {
  const clicks = clicksByUser(all);
  const trainClicks = clicksByUser(train);
  const next = transitions(trainClicks, 1);
  const near = transitions(trainClicks, 3);
  const both = coOccurrence(train);
  const itemClicks = new Map<string, number>();
  for (const e of train) if (isClick(e)) itemClicks.set(e.item, (itemClicks.get(e.item) ?? 0) + 1);
  const n = samples.length;
  const out: SequenceSignals = { next: new Float32Array(n), near: new Float32Array(n), cosine: new Float32Array(n) };
  samples.forEach((e, i) => {
    const list = clicks.get(e.user) ?? [];
    let end = 0;
    while (end < list.length && list[end].ts < e.ts) end++;
    const window = list.slice(Math.max(0, end - historyLength), end).map((h) => h.item);
    const sum = (hs: string[], f: (h: string) => number) => hs.reduce((a, h) => a + (h === e.item ? 0 : f(h)), 0);
    out.next[i] = Math.log1p(sum(window.slice(-1), (h) => next.get(h)?.get(e.item) ?? 0));
    out.near[i] = Math.log1p(sum(window.slice(-3), (h) => near.get(h)?.get(e.item) ?? 0));
    const ni = itemClicks.get(e.item) ?? 0;
    out.cosine[i] = ni ? sum(window, (h) => (both.get(h)?.get(e.item) ?? 0) / Math.sqrt(ni * (itemClicks.get(h) ?? 1))) : 0;
  });
  return out;
}

/** Text signals (results:signals' diagnostic): how the candidate's text relates to the texts of the user's clicks. */
export interface TextSignals {
  /** The largest cosine of the candidate's text vector with a clicked history event's (0 without one). */
  maxCosine: Float32Array;
  /** How many of the window's clicked items share the candidate's semantic ID (level 1; 0 where items have none). */
  sameSid: Float32Array;
}

/**
 * `s`: the test samples; `table`/`dim`: the text table its rows point into; `clickAction`: the
 * model's index of 'click'; `events`: the samples' events (sample order); `all`: every event, for the
 * histories; `sidOf`: an item's semantic ID (level 1), if it has one.
 */
export function textSignals(s: Samples, table: Float32Array, dim: number, historyLength: number, clickAction: number, events: EventRow[], all: EventRow[], sidOf: (item: string) => unknown): TextSignals {
  const row = (r: number) => table.subarray(r * dim, (r + 1) * dim);
  const out: TextSignals = { maxCosine: new Float32Array(s.n), sameSid: new Float32Array(s.n) };
  for (let i = 0; i < s.n; i++) {
    const v = row(s.itemText[i]);
    let best = 0;
    for (let t = 0; t < historyLength; t++) {
      const at = s.histOf[i] * historyLength + t;
      if (s.histMask[at] && s.histAction[at] === clickAction) best = Math.max(best, cosine(v, row(s.histText[at])));
    }
    out.maxCosine[i] = best;
  }
  const clicks = clicksByUser(all);
  events.forEach((e, i) => {
    const sid = sidOf(e.item);
    if (sid === undefined) return;
    const list = clicks.get(e.user) ?? [];
    let end = 0;
    while (end < list.length && list[end].ts < e.ts) end++;
    out.sameSid[i] = list.slice(Math.max(0, end - historyLength), end).filter((h) => h.item !== e.item && sidOf(h.item) === sid).length;
  });
  return out;
}
