/**
 * One rerank call as the ranking network's inputs: the candidates (B rows), the query side and
 * the user side (one row each, shared), and one text table holding every distinct text once.
 * Node and the page build inputs with this same function, so their scores can be compared.
 */
import * as tf from '@tensorflow/tfjs';
import { encodeFeatures, itemKey, queryKey } from '../data/dataset.ts';
import { domainIndex, type RankerConfig } from '../model/config.ts';
import type { RankerInputs } from '../model/ranker.ts';
import type { BehaviourEvent } from '../store/behaviour-store.ts';
import { bucket } from '../util/hash.ts';
import type { Candidate, RankContext } from './candidates.ts';

/** The text a behaviour event contributes to the user tower. */
export const eventText = (e: BehaviourEvent) => (e.action === 'search' ? (e.query ?? e.text ?? '') : (e.text ?? ''));

/** Distinct non-empty texts of a call, in first-seen order. */
export function callTexts(candidates: Candidate[], context: RankContext, history: BehaviourEvent[]): string[] {
  const set = new Set<string>();
  for (const c of candidates) set.add(c.text);
  if (context.query?.trim()) set.add(context.query);
  for (const e of history) set.add(eventText(e));
  set.delete('');
  return [...set];
}

/** Plain arrays first (testable without tensors), then tensors. */
export function buildInputs(c: RankerConfig, candidates: Candidate[], context: RankContext, history: BehaviourEvent[], texts: string[], vectors: Float32Array[]): RankerInputs {
  const B = candidates.length;
  const N = c.historyLength;
  const D = c.textDim;
  const row = new Map(texts.map((t, i) => [t, i + 1]));
  const textRow = (t: string) => (t ? (row.get(t) ?? 0) : 0);
  const table = new Float32Array((texts.length + 1) * D);
  vectors.forEach((v, i) => table.set(v, (i + 1) * D));

  const Fi = c.itemFeatures.categorical.length;
  const Ni = c.itemFeatures.numeric.length;
  const itemCat = new Int32Array(B * Fi);
  const itemNum = new Float32Array(B * Ni);
  candidates.forEach((cand, i) => encodeFeatures(c.itemFeatures, c.sparseBuckets, cand.features, itemCat, i * Fi, itemNum, i * Ni));
  const ctxCat = new Int32Array(c.contextFeatures.categorical.length);
  const ctxNum = new Float32Array(c.contextFeatures.numeric.length);
  encodeFeatures(c.contextFeatures, c.sparseBuckets, context.features, ctxCat, 0, ctxNum, 0);
  const q = context.query?.trim() ? context.query : undefined;

  const recent = history.slice(-N); // oldest first, left-aligned, as in training
  const hist = { id: new Int32Array(N), text: new Int32Array(N), domain: new Int32Array(N), action: new Int32Array(N), mask: new Float32Array(N) };
  recent.forEach((e, t) => {
    hist.id[t] = bucket(e.action === 'search' ? queryKey(eventText(e)) : itemKey(e.item), c.idBuckets);
    hist.text[t] = textRow(eventText(e));
    hist.domain[t] = domainIndex(c, e.domain);
    hist.action[t] = Math.max(0, c.actions.indexOf(e.action));
    hist.mask[t] = 1;
  });

  return {
    textTable: tf.tensor2d(table, [texts.length + 1, D]),
    itemId: tf.tensor1d(candidates.map((x) => bucket(itemKey(x.id), c.idBuckets)), 'int32'),
    itemText: tf.tensor1d(candidates.map((x) => textRow(x.text)), 'int32'),
    itemCat: tf.tensor2d(itemCat, [B, Fi], 'int32'),
    itemNum: tf.tensor2d(itemNum, [B, Ni]),
    queryId: tf.tensor1d([q ? bucket(queryKey(q), c.idBuckets) : 0], 'int32'),
    queryText: tf.tensor1d([q ? textRow(q) : 0], 'int32'),
    ctxCat: tf.tensor2d(ctxCat, [1, ctxCat.length], 'int32'),
    ctxNum: tf.tensor2d(ctxNum, [1, ctxNum.length]),
    domain: tf.tensor1d(candidates.map((x) => domainIndex(c, x.domain ?? context.domain)), 'int32'),
    histId: tf.tensor2d(hist.id, [1, N], 'int32'),
    histText: tf.tensor2d(hist.text, [1, N], 'int32'),
    histDomain: tf.tensor2d(hist.domain, [1, N], 'int32'),
    histAction: tf.tensor2d(hist.action, [1, N], 'int32'),
    histMask: tf.tensor2d(hist.mask, [1, N]),
  };
}
