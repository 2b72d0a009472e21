/**
 * Two signals a sequence recommender commonly reads and Kindling's network does not read directly,
 * computed for test samples from the events alone (no parameters), for results:blend's ceiling:
 * - repeat: the candidate is among the user's own clicks before the sample (the page's behaviour
 *   store has them);
 * - co-occurrence: Σ over the user's earlier clicks h of how many training users clicked both h and
 *   the candidate (item-to-item collaborative filtering, counted on the training split only).
 * Items are compared by their real IDs, not by the model's hashed buckets.
 */
import type { EventRow } from '../src/data/schema.ts';

export interface HistorySignals {
  /** 1 where the sample's item is among the user's clicks strictly before its time. */
  repeat: Float32Array;
  /** ln(1 + Σ co-occurrence counts of the item with the user's earlier clicks). */
  cooc: Float32Array;
}

const isClick = (e: EventRow) => e.label === 1 && e.line > 0;

/** `all`: every event of the data (the histories); `train`: the training split; `samples`: the test events in sample order. */
export function historySignals(all: EventRow[], train: EventRow[], samples: EventRow[], historyLength: number): HistorySignals {
  // Each user's clicks in time order, from every period (a history sees what came before, as in buildSamples).
  const clicks = new Map<string, EventRow[]>();
  for (const e of all) if (isClick(e)) (clicks.get(e.user) ?? clicks.set(e.user, []).get(e.user)!).push(e);
  for (const list of clicks.values()) list.sort((a, b) => a.ts - b.ts || a.line - b.line);
  // Co-occurrence: distinct items per training user, every ordered pair once per user.
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
