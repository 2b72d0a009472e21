/**
 * One rerank call as the ranking network's inputs: the candidates (B rows), the query side and
 * the user side (one row each, shared), and one text table holding every distinct text once.
 * Node and the page build inputs with this same function, so their scores can be compared.
 */
import * as tf from '@tensorflow/tfjs-core';
import { domainIndex, historyFeaturesOn, userFeaturesOf, type RankerConfig } from '../model/config.ts';
import { historyClickFeatures, historyClicks, historyMatchOn, writeHistoryMatch } from '../model/history-match.ts';
import { knownIdTest } from '../model/known-ids.ts';
import type { RankerInputs } from '../model/ranker.ts';
import { bucket } from '../util/hash.ts';
import type { BehaviourEvent } from './behaviour-event.ts';
import { encodeFeatures } from './features.ts';
import { encodeHistory, eventText, historyArrays, historyEntry, itemKey, queryKey, type HistoryArrays } from './history.ts';
import type { Candidate, RankContext } from './request.ts';
import { distinctTexts, type TextTable } from './text-table.ts';

/** The candidate, query and user-feature side of the model's inputs, as flat typed arrays. */
export interface RequestArrays {
  itemId: Int32Array;
  itemText: Int32Array;
  itemCat: Int32Array;
  itemNum: Float32Array;
  queryId: Int32Array;
  queryText: Int32Array;
  ctxCat: Int32Array;
  ctxNum: Float32Array;
  /** The user's features ([Fu] and [Nu] per user-side row; empty for a model without them). */
  userCat: Int32Array;
  userNum: Float32Array;
  domain: Int32Array;
  /** 1 where the candidate's (query's) ID is one the model learnt; no query counts as known. */
  itemIdKnown: Float32Array;
  queryIdKnown: Float32Array;
}

/** Distinct non-empty texts of a call, in first-seen order. */
export function callTexts(candidates: Candidate[], context: RankContext, history: BehaviourEvent[]): string[] {
  return distinctTexts([...candidates.map((c) => c.text), ...(context.query?.trim() ? [context.query] : []), ...history.map(eventText)]);
}

/** One call's inputs as plain typed arrays (see RankerInputs for the shapes; Bq = Bu = 1). */
export interface InputArrays extends HistoryArrays, RequestArrays {
  B: number;
  textTable: Float32Array;
  textRows: number;
}

/** The inputs of one call; `table` holds (at least) the call's texts (callTexts). */
export function buildInputArrays(c: RankerConfig, candidates: Candidate[], context: RankContext, history: BehaviourEvent[], table: TextTable): InputArrays {
  const B = candidates.length;
  const textRow = table.row;

  const Fi = c.itemFeatures.categorical.length;
  const Ni = c.itemFeatures.numeric.length;
  const itemCat = new Int32Array(B * Fi);
  const itemNum = new Float32Array(B * Ni);
  candidates.forEach((cand, i) => encodeFeatures(c.itemFeatures, c.sparseBuckets, cand.features, itemCat, i * Fi, itemNum, i * Ni));
  const ctxCat = new Int32Array(c.contextFeatures.categorical.length);
  const ctxNum = new Float32Array(c.contextFeatures.numeric.length);
  encodeFeatures(c.contextFeatures, c.sparseBuckets, context.features, ctxCat, 0, ctxNum, 0);
  const uf = userFeaturesOf(c);
  const userCat = new Int32Array(uf.categorical.length);
  const userNum = new Float32Array(uf.numeric.length);
  encodeFeatures(uf, c.sparseBuckets, context.userFeatures, userCat, 0, userNum, 0);
  const q = context.query?.trim() ? context.query : undefined;
  const known = knownIdTest(c);

  const a: InputArrays = {
    B,
    textTable: table.data,
    textRows: table.rows,
    itemId: Int32Array.from(candidates, (x) => bucket(itemKey(x.id), c.idBuckets)),
    itemText: Int32Array.from(candidates, (x) => textRow(x.text)),
    itemIdKnown: Float32Array.from(candidates, (x) => (known(itemKey(x.id)) ? 1 : 0)),
    queryIdKnown: Float32Array.of(!q || known(queryKey(q)) ? 1 : 0),
    itemCat,
    itemNum,
    queryId: Int32Array.of(q ? bucket(queryKey(q), c.idBuckets) : 0),
    queryText: Int32Array.of(q ? textRow(q) : 0),
    ctxCat,
    ctxNum,
    userCat,
    userNum,
    domain: Int32Array.from(candidates, (x) => domainIndex(c, x.domain ?? context.domain)),
    ...historyArrays(c, 1),
  };
  const entries = history.map(historyEntry);
  encodeHistory(c, entries, textRow, a, 0, known);
  if (historyMatchOn(c)) {
    const clicked = historyClicks(entries, c.historyLength);
    const features = c.matchFeatures ? historyClickFeatures(entries, c.historyLength) : undefined;
    candidates.forEach((cand, i) => writeHistoryMatch(c, clicked, itemKey(cand.id), itemNum, i * Ni, undefined, features && { history: features, candidate: cand.features }));
  }
  return a;
}

export function inputTensors(c: RankerConfig, a: InputArrays): RankerInputs {
  const { B } = a;
  const N = c.historyLength;
  return {
    textTable: tf.tensor2d(a.textTable, [a.textRows, c.textDim]),
    itemId: tf.tensor1d(a.itemId, 'int32'),
    itemText: tf.tensor1d(a.itemText, 'int32'),
    itemCat: tf.tensor2d(a.itemCat, [B, c.itemFeatures.categorical.length], 'int32'),
    itemNum: tf.tensor2d(a.itemNum, [B, c.itemFeatures.numeric.length]),
    queryId: tf.tensor1d(a.queryId, 'int32'),
    queryText: tf.tensor1d(a.queryText, 'int32'),
    ctxCat: tf.tensor2d(a.ctxCat, [1, a.ctxCat.length], 'int32'),
    ctxNum: tf.tensor2d(a.ctxNum, [1, a.ctxNum.length]),
    domain: tf.tensor1d(a.domain, 'int32'),
    histId: tf.tensor2d(a.histId, [1, N], 'int32'),
    histText: tf.tensor2d(a.histText, [1, N], 'int32'),
    histDomain: tf.tensor2d(a.histDomain, [1, N], 'int32'),
    histAction: tf.tensor2d(a.histAction, [1, N], 'int32'),
    histMask: tf.tensor2d(a.histMask, [1, N]),
    itemIdKnown: tf.tensor1d(a.itemIdKnown),
    queryIdKnown: tf.tensor1d(a.queryIdKnown),
    histIdKnown: tf.tensor2d(a.histIdKnown, [1, N]),
    ...(historyFeaturesOn(c)
      ? { histCat: tf.tensor3d(a.histCat, [1, N, c.itemFeatures.categorical.length], 'int32'), histNum: tf.tensor3d(a.histNum, [1, N, c.itemFeatures.numeric.length]) }
      : {}),
    ...(a.userCat.length || a.userNum.length
      ? { userCat: tf.tensor2d(a.userCat, [1, a.userCat.length], 'int32'), userNum: tf.tensor2d(a.userNum, [1, a.userNum.length]) }
      : {}),
  };
}
