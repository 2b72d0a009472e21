/**
 * Behaviour sequences as the user tower reads them: the ID keys of items and queries, and one
 * encoder of a sequence into the model's history arrays, for training samples and the page alike.
 */
import { domainIndex, type RankerConfig } from '../model/config.ts';
import { bucket } from '../util/hash.ts';
import { actionRow, type Action } from './actions.ts';
import type { BehaviourEvent } from './behaviour-event.ts';

/** The key an item's or a query's ID is hashed (and known) by. */
export const itemKey = (id: string) => `item:${id}`;
export const queryKey = (q: string) => `query:${q.trim().toLowerCase()}`;

/** A behaviour-sequence entry: what the user did, in the form the user tower reads. */
export interface HistoryEntry {
  ts: number;
  text: string;
  key: string;
  domain: string;
  action: Action;
}

/** The text a recorded behaviour event contributes to the user tower. */
export const eventText = (e: BehaviourEvent) => (e.action === 'search' ? (e.query ?? e.text ?? '') : (e.text ?? ''));

/** A recorded behaviour event as a sequence entry. */
export const historyEntry = (e: BehaviourEvent): HistoryEntry => ({
  ts: e.ts,
  key: e.action === 'search' ? queryKey(eventText(e)) : itemKey(e.item),
  text: eventText(e),
  domain: e.domain,
  action: e.action,
});

export interface HistoryArrays {
  histId: Int32Array;
  histText: Int32Array;
  histDomain: Int32Array;
  histAction: Int32Array;
  histMask: Float32Array;
  /** 1 where the event's ID is one the model learnt (src/model/known-ids.ts). */
  histIdKnown: Float32Array;
}

/**
 * Writes one behaviour sequence (oldest first, at most N entries) from `at`, left-aligned;
 * positions past it stay padding (mask 0). Training and the page both encode histories here.
 */
export function encodeHistory(c: RankerConfig, entries: Pick<HistoryEntry, 'key' | 'text' | 'domain' | 'action'>[], textRow: (t: string) => number, out: HistoryArrays, at: number, idKnown: (key: string) => boolean) {
  entries.slice(-c.historyLength).forEach((h, t) => {
    out.histId[at + t] = bucket(h.key, c.idBuckets);
    out.histIdKnown[at + t] = idKnown(h.key) ? 1 : 0;
    out.histText[at + t] = textRow(h.text);
    out.histDomain[at + t] = domainIndex(c, h.domain);
    out.histAction[at + t] = actionRow(c, h.action);
    out.histMask[at + t] = 1;
  });
}
