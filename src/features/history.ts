/**
 * Behaviour sequences as the user tower reads them: the ID keys of items and queries, and one
 * encoder of a sequence into the model's history arrays, for training samples and the page alike.
 */
import { domainIndex, historyFeaturesOn, type RankerConfig } from '../model/config.ts';
import { bucket } from '../util/hash.ts';
import { actionRow, type Action } from './actions.ts';
import type { BehaviourEvent } from './behaviour-event.ts';
import { encodeFeatures, type Features } from './features.ts';

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
  /** The clicked item's features (RankerConfig.historyFeatures); none for a search. */
  features?: Features;
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
  ...(e.features && e.action !== 'search' ? { features: e.features } : {}),
});

export interface HistoryArrays {
  histId: Int32Array;
  histText: Int32Array;
  histDomain: Int32Array;
  histAction: Int32Array;
  histMask: Float32Array;
  /** 1 where the event's ID is one the model learnt (src/model/known-ids.ts). */
  histIdKnown: Float32Array;
  /**
   * Each event's item features as the candidates' are encoded ([N * Fi] buckets, [N * Ni] numbers a
   * row), written only when historyFeaturesOn(config); empty arrays for a model without them.
   */
  histCat: Int32Array;
  histNum: Float32Array;
}

/** Empty history arrays for `rows` behaviour sequences of this config. */
export function historyArrays(c: RankerConfig, rows: number): HistoryArrays {
  const n = rows * c.historyLength;
  const on = historyFeaturesOn(c);
  return {
    histId: new Int32Array(n), histText: new Int32Array(n), histDomain: new Int32Array(n), histAction: new Int32Array(n),
    histMask: new Float32Array(n), histIdKnown: new Float32Array(n),
    histCat: new Int32Array(on ? n * c.itemFeatures.categorical.length : 0),
    histNum: new Float32Array(on ? n * c.itemFeatures.numeric.length : 0),
  };
}

/**
 * Writes one behaviour sequence (oldest first, at most N entries) from `at`, left-aligned;
 * positions past it stay padding (mask 0). Training and the page both encode histories here.
 */
export function encodeHistory(c: RankerConfig, entries: Pick<HistoryEntry, 'key' | 'text' | 'domain' | 'action' | 'features'>[], textRow: (t: string) => number, out: HistoryArrays, at: number, idKnown: (key: string) => boolean) {
  const features = historyFeaturesOn(c);
  const Fi = c.itemFeatures.categorical.length;
  const Ni = c.itemFeatures.numeric.length;
  entries.slice(-c.historyLength).forEach((h, t) => {
    if (features) encodeFeatures(c.itemFeatures, c.sparseBuckets, h.action === 'search' ? undefined : h.features, out.histCat, (at + t) * Fi, out.histNum, (at + t) * Ni);
    out.histId[at + t] = bucket(h.key, c.idBuckets);
    out.histIdKnown[at + t] = idKnown(h.key) ? 1 : 0;
    out.histText[at + t] = textRow(h.text);
    out.histDomain[at + t] = domainIndex(c, h.domain);
    out.histAction[at + t] = actionRow(c, h.action);
    out.histMask[at + t] = 1;
  });
}
