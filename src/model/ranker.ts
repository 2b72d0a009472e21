/**
 * The S&R foundation model's ranking network, as one forward function over named parameters.
 * Training (Node, TF.js wasm) and the page (TF.js WebGPU or cpu) both call this.
 *
 *   item:  E_ID(I), E_lm(I) = W_lm mean(phi(I)), E_S(I) = MLP(features)  --gating-->  E(I)
 *          (an ID the model never learnt is left out of the gating: src/model/known-ids.ts)
 *   query: E_ID(Q), E_lm(Q) (same W_lm),        E_S(Q) = MLP(context)   --gating-->  E(Q)
 *   user:  history events (text, ID, domain, action, position; with historyFeatures their item's
 *          E_S too) -> one transformer layer -> masked mean                   ---------->  E(U)
 *   x = [E(U), E(Q), E(I), E(U)*E(I), E(Q)*E(I)]
 *   x_hat = W_da [x, E_D] + b                     (domain-adaptive layer; JS/MMD regularised)
 *   MMoE(x_hat) -> CTR tower, relevance tower
 *   (with historyMatch: + match.w . [~repeat, ~covisit] on the CTR logit, src/model/history-match.ts)
 * The two element-wise products are our addition to the paper's plain concatenation: they give
 * the experts the user-item and query-item affinities directly instead of making an MLP learn
 * a product from a concatenation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { historyFeaturesOn, matchColumns, type Aspect, type RankerConfig } from './config.ts';
import type { Params } from './params.ts';

/**
 * One batch. B candidates; the query side has Bq rows (1 = shared by all) and the user side Bu
 * rows, mapped to candidates by userIndex. Texts are rows of one text table (row 0 = no text),
 * so W_lm projects each distinct text once per call, however often it appears.
 */
export interface RankerInputs {
  textTable: tf.Tensor2D; // [T, D] encoder vectors
  itemId: tf.Tensor1D; // [B] int32 buckets
  itemText: tf.Tensor1D; // [B] int32 text rows
  itemCat: tf.Tensor2D; // [B, Fi] int32 buckets
  itemNum: tf.Tensor2D; // [B, Ni]
  queryId: tf.Tensor1D; // [Bq] (0 = no query)
  queryText: tf.Tensor1D; // [Bq] text rows (0 = no query)
  ctxCat: tf.Tensor2D; // [Bq, Fe]
  ctxNum: tf.Tensor2D; // [Bq, Ne]
  domain: tf.Tensor1D; // [B] int32 domain rows
  histId: tf.Tensor2D; // [Bu, N] int32 buckets
  histText: tf.Tensor2D; // [Bu, N] text rows
  histDomain: tf.Tensor2D; // [Bu, N] int32
  histAction: tf.Tensor2D; // [Bu, N] int32
  histMask: tf.Tensor2D; // [Bu, N] 1 = event, 0 = padding
  /** [Bu, Fu] int32 buckets and [Bu, Nu]: the user's features (omitted when the model has none). */
  userCat?: tf.Tensor2D;
  userNum?: tf.Tensor2D;
  /** [B] row of the user side for each candidate; omitted when Bu = 1. */
  userIndex?: tf.Tensor1D;
  /**
   * 1 where the ID is one the model learnt, 0 where it is not (config.unknownIds 'mask'): [B] items,
   * [Bq] queries, [Bu, N] history events. Omitted: every ID counts.
   */
  itemIdKnown?: tf.Tensor1D;
  queryIdKnown?: tf.Tensor1D;
  histIdKnown?: tf.Tensor2D;
  /** [Bu, N, Fi] int32 buckets and [Bu, N, Ni]: each history event's item features (historyFeaturesOn(config) only). */
  histCat?: tf.Tensor3D;
  histNum?: tf.Tensor3D;
}

export interface RankerOutputs {
  ctrLogit: tf.Tensor1D; // [B]
  relLogit: tf.Tensor1D; // [B]
  /** Item aspect gating weights [B, A], columns in config.aspects order (those present). */
  itemWeights: tf.Tensor2D;
  /** The domain-adaptive layer's output [B, daDim] (or x without it), for the regulariser. */
  xhat: tf.Tensor2D;
}

/** The parameter `name` (a missing one is a bug of the caller's config). */
const param = (p: Params, name: string) => {
  const v = p.get(name);
  if (!v) throw new Error(`missing parameter ${name}`);
  return v;
};

function dense(p: Params, name: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, param(p, `${name}.w`) as tf.Tensor2D), param(p, `${name}.b`));
}

/** A dense layer on the last axis of a sequence [Bu, N, In] -> [Bu, N, Out]. */
function denseOverSequence(x: tf.Tensor3D, w: tf.Tensor2D, b?: tf.Tensor): tf.Tensor3D {
  const [B, N, In] = x.shape;
  const y = tf.matMul(tf.reshape(x, [B * N, In]) as tf.Tensor2D, w);
  return tf.reshape(b ? tf.add(y, b) : y, [B, N, w.shape[1]]);
}

function layerNorm(x: tf.Tensor3D, g: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/** Repeat a [1, ...] tensor to B rows (the user and query sides of a single rerank call). */
function repeatRows<T extends tf.Tensor>(x: T, B: number): T {
  if (x.shape[0] === B) return x;
  return tf.tile(x, [B, ...x.shape.slice(1).map(() => 1)]) as T;
}

/** E_S: categorical buckets through the sparse table, with the numeric values, through a 2-layer MLP. */
function sparseAspect(p: Params, c: RankerConfig, side: 'item' | 'context' | 'user', cat: tf.Tensor2D, num: tf.Tensor2D): tf.Tensor2D | undefined {
  if (!p.has(`sparse.${side}.1.w`)) return undefined;
  const [B, F] = cat.shape;
  const parts: tf.Tensor2D[] = [];
  if (F > 0) parts.push(tf.reshape(tf.gather(param(p, 'emb.sparse'), cat), [B, F * c.sparseDim]));
  // An item's history-match columns (the last ones) go around the MLP, to the CTR logit.
  const Nm = num.shape[1] - (side === 'item' ? matchColumns(c) : 0);
  if (Nm > 0) parts.push(Nm === num.shape[1] ? num : tf.slice(num, [0, 0], [B, Nm]));
  const x = parts.length === 1 ? parts[0] : tf.concat(parts, 1);
  return dense(p, `sparse.${side}.2`, tf.relu(dense(p, `sparse.${side}.1`, x)));
}

/**
 * Aspect gating fusion: sum_a w_a E_a, w = softmax_a(g . E_a / sqrt(H)) or 1/A for mean.
 * `idKnown` [B] (ID aspect first): where 0, the ID aspect's logit is -1e9, so it gets no weight
 * and the other aspects share it (for mean gating: 1/(A-1) each).
 */
function gate(p: Params, c: RankerConfig, side: 'item' | 'query', aspects: tf.Tensor2D[], domain: tf.Tensor1D, idKnown?: tf.Tensor1D): { fused: tf.Tensor2D; weights: tf.Tensor2D } {
  const stack = tf.stack(aspects, 1) as tf.Tensor3D; // [B, A, H]
  const [B, A] = stack.shape;
  // [B, A]: 0 for a present aspect, -1e9 for an unknown ID.
  const bias = idKnown ? tf.concat([tf.mul(tf.sub(1, tf.reshape(idKnown, [-1, 1])), -1e9), tf.zeros([idKnown.shape[0], A - 1])], 1) : undefined;
  let weights: tf.Tensor2D;
  if (c.gating === 'mean') weights = (bias ? tf.softmax(bias) : tf.fill([B, A], 1 / A)) as tf.Tensor2D;
  else {
    const g = c.gating === 'cls' ? tf.reshape(param(p, `gate.cls.${side}`), [1, 1, c.hidden]) : tf.expandDims(tf.gather(param(p, `gate.domain.${side}`), domain), 1);
    const logits = tf.div(tf.sum(tf.mul(stack, g), -1), Math.sqrt(c.hidden)) as tf.Tensor2D;
    weights = tf.softmax(bias ? tf.add(logits, bias) : logits) as tf.Tensor2D;
  }
  return { fused: tf.sum(tf.mul(stack, tf.expandDims(weights, -1)), 1) as tf.Tensor2D, weights };
}

/**
 * E(U): history events (text, ID, domain, action, position) through one transformer layer, masked
 * mean; plus, when the model has user features, their MLP (part of the sparse aspect).
 */
function userTower(p: Params, c: RankerConfig, x: RankerInputs, textH: tf.Tensor2D | undefined): tf.Tensor2D {
  const N = x.histMask.shape[1];
  const has = (a: Aspect) => c.aspects.includes(a);
  let h = tf.add(tf.gather(param(p, 'emb.domain'), x.histDomain), tf.gather(param(p, 'emb.action'), x.histAction)) as tf.Tensor3D; // [Bu, N, H]
  h = tf.add(h, tf.expandDims(tf.slice(param(p, 'emb.position'), [0, 0], [N, c.hidden]), 0));
  if (textH) h = tf.add(h, tf.gather(textH, x.histText));
  if (has('id')) {
    const ids = tf.gather(param(p, 'emb.id'), x.histId) as tf.Tensor3D; // [Bu, N, H]
    h = tf.add(h, c.unknownIds === 'mask' && x.histIdKnown ? tf.mul(ids, tf.expandDims(x.histIdKnown, -1)) : ids);
  }
  if (historyFeaturesOn(c)) {
    // Each event's item features through the candidates' own sparse MLP (E_S of the item it clicked).
    if (!x.histCat || !x.histNum) throw new Error('rankerForward: this model reads history features (config.historyFeatures); histCat and histNum are missing');
    const [Bu, , Fi] = x.histCat.shape;
    const rows = (t: tf.Tensor3D, w: number) => tf.reshape(t, [Bu * N, w]) as tf.Tensor2D;
    const es = sparseAspect(p, c, 'item', rows(x.histCat, Fi), rows(x.histNum, x.histNum.shape[2]))!;
    h = tf.add(h, tf.reshape(es, [Bu, N, c.hidden]));
  }
  const q = denseOverSequence(h, param(p, 'user.q') as tf.Tensor2D);
  const k = denseOverSequence(h, param(p, 'user.k') as tf.Tensor2D);
  const v = denseOverSequence(h, param(p, 'user.v') as tf.Tensor2D);
  const mask = tf.expandDims(x.histMask, 1); // [Bu, 1, N]: padding is never attended to
  const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(c.hidden)), tf.mul(tf.sub(1, mask), -1e9));
  const attn = denseOverSequence(tf.matMul(tf.softmax(scores), v) as tf.Tensor3D, param(p, 'user.o') as tf.Tensor2D);
  const h1 = layerNorm(tf.add(h, attn), param(p, 'user.ln1.g'), param(p, 'user.ln1.b'));
  const ff = denseOverSequence(tf.relu(denseOverSequence(h1, param(p, 'user.ff1.w') as tf.Tensor2D, param(p, 'user.ff1.b'))), param(p, 'user.ff2.w') as tf.Tensor2D, param(p, 'user.ff2.b'));
  const h2 = layerNorm(tf.add(h1, ff), param(p, 'user.ln2.g'), param(p, 'user.ln2.b'));
  const m = tf.expandDims(x.histMask, -1); // [Bu, N, 1]
  // An empty history pools to the zero vector (the max keeps 0/0 away).
  const pooled = tf.div(tf.sum(tf.mul(h2, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
  const su = has('sparse') && x.userCat && x.userNum ? sparseAspect(p, c, 'user', x.userCat, x.userNum) : undefined;
  return su ? tf.add(pooled, su) : pooled;
}

function task(p: Params, c: RankerConfig, name: 'ctr' | 'rel', experts: tf.Tensor3D, xhat: tf.Tensor2D): tf.Tensor1D {
  const g = tf.softmax(dense(p, `mmoe.gate.${name}`, xhat)); // [B, E]
  const mixed = tf.sum(tf.mul(experts, tf.expandDims(g, -1)), 1) as tf.Tensor2D; // [B, De]
  const t = tf.relu(dense(p, `tower.${name}.1`, mixed));
  return tf.reshape(dense(p, `tower.${name}.2`, t), [-1]) as tf.Tensor1D;
}

/** Call inside tf.tidy (or a gradient function); returns new tensors only. */
export function rankerForward(p: Params, c: RankerConfig, x: RankerInputs): RankerOutputs {
  const B = x.itemId.shape[0];
  const has = (a: Aspect) => c.aspects.includes(a);
  const domain = x.domain;
  // E_lm for every distinct text of the call at once: [T, H].
  const textH = has('text') ? dense(p, 'lm', x.textTable) : undefined;

  const item: tf.Tensor2D[] = [];
  const query: tf.Tensor2D[] = [];
  const masking = has('id') && c.unknownIds === 'mask';
  if (has('id')) {
    // An unknown ID is also zeroed, so that it says nothing even where it is the only aspect.
    const itemIds = tf.gather(param(p, 'emb.id'), x.itemId) as tf.Tensor2D;
    const queryIds = tf.gather(param(p, 'emb.id'), x.queryId) as tf.Tensor2D;
    item.push(masking && x.itemIdKnown ? tf.mul(itemIds, tf.expandDims(x.itemIdKnown, 1)) : itemIds);
    query.push(repeatRows(masking && x.queryIdKnown ? tf.mul(queryIds, tf.expandDims(x.queryIdKnown, 1)) : queryIds, B));
  }
  if (textH) {
    item.push(tf.gather(textH, x.itemText) as tf.Tensor2D);
    query.push(repeatRows(tf.gather(textH, x.queryText) as tf.Tensor2D, B));
  }
  const si = has('sparse') ? sparseAspect(p, c, 'item', x.itemCat, x.itemNum) : undefined;
  if (si) item.push(si);
  const sq = has('sparse') ? sparseAspect(p, c, 'context', x.ctxCat, x.ctxNum) : undefined;
  if (sq) query.push(repeatRows(sq, B));

  // Unknown IDs drop out of the gating (only when the model has the ID aspect, first in `item`).
  const I = gate(p, c, 'item', item, domain, masking ? x.itemIdKnown : undefined);
  const Q = gate(p, c, 'query', query, domain, masking && x.queryIdKnown ? repeatRows(x.queryIdKnown, B) : undefined);
  const users = userTower(p, c, x, textH);
  const U = x.userIndex ? (tf.gather(users, x.userIndex) as tf.Tensor2D) : repeatRows(users, B);
  const xcat = tf.concat([U, Q.fused, I.fused, tf.mul(U, I.fused), tf.mul(Q.fused, I.fused)], 1) as tf.Tensor2D;
  const xhat = c.domainAdaptive ? dense(p, 'da', tf.concat([xcat, tf.gather(param(p, 'emb.domain'), domain) as tf.Tensor2D], 1)) : xcat;
  const experts = tf.reshape(tf.relu(dense(p, 'mmoe.experts', xhat)), [B, c.experts, c.expertDim]) as tf.Tensor3D;
  let ctrLogit = task(p, c, 'ctr', experts, xhat);
  const M = matchColumns(c);
  if (M) {
    // History-match features (src/model/history-match.ts): a linear term on the CTR logit.
    const Ni = x.itemNum.shape[1];
    const m = tf.slice(x.itemNum, [0, Ni - M], [B, M]);
    ctrLogit = tf.add(ctrLogit, tf.reshape(tf.matMul(m, tf.reshape(param(p, 'match.w'), [M, 1])), [-1]));
  }
  return { ctrLogit, relLogit: task(p, c, 'rel', experts, xhat), itemWeights: I.weights, xhat };
}

/** The aspects gating weighs for items, in the order of RankerOutputs.itemWeights' columns. */
export function itemAspects(p: Params, c: RankerConfig): Aspect[] {
  return c.aspects.filter((a) => a !== 'sparse' || p.has('sparse.item.1.w'));
}
