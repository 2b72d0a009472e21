/**
 * The ranking network's parameters: names, shapes, initial values and freeze groups.
 * Initial values come from the seeded PRNG, so the same seed gives the same model everywhere.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../util/random.ts';
import { matchColumns, userFeaturesOf, type RankerConfig } from './config.ts';

/** l0: embedding tables; encoder: the encoding layer (text projection, sparse MLPs, user tower,
 * gating); head: the domain-adaptive layer, MMoE and towers. Fine-tuning freezes l0 or l0+encoder. */
export type ParamGroup = 'l0' | 'encoder' | 'head';
export type Params = Map<string, tf.Variable>;

export interface ParamSpec {
  name: string;
  shape: number[];
  group: ParamGroup;
  init: 'glorot' | 'small' | 'zeros' | 'ones';
  /** Its name in the fused kernel (src/gpu/ranker.wgsl reads it at offset OFF_<kernel>). */
  kernel: string;
}

/** The sparse MLP's input width: categorical embeddings, then the numeric columns (an item's history-match columns go around it). */
export function featureWidth(c: RankerConfig, side: 'item' | 'context' | 'user'): number {
  const f = side === 'item' ? c.itemFeatures : side === 'context' ? c.contextFeatures : userFeaturesOf(c);
  return f.categorical.length * c.sparseDim + f.numeric.length - (side === 'item' ? matchColumns(c) : 0);
}

/** Width of x = [E(U), E(Q), E(I), E(U)*E(I), E(Q)*E(I)]. */
export const interactionWidth = (c: RankerConfig) => 5 * c.hidden;
export const mmoeInputWidth = (c: RankerConfig) => (c.domainAdaptive ? c.daDim : interactionWidth(c));

export function paramSpecs(c: RankerConfig): ParamSpec[] {
  const H = c.hidden;
  const s: ParamSpec[] = [];
  const add = (name: string, kernel: string, shape: number[], group: ParamGroup, init: ParamSpec['init'] = 'glorot') => s.push({ name, kernel, shape, group, init });
  const dense = (name: string, kernel: string, i: number, o: number, group: ParamGroup) => {
    add(`${name}.w`, `${kernel}_W`, [i, o], group);
    add(`${name}.b`, `${kernel}_B`, [o], group, 'zeros');
  };
  // l0: embeddings
  // Each aspect's parameters exist only when the config has the aspect (a --no-* model, or the
  // page's withoutAspects kernels): the ID table, W_lm, the sparse table and every sparse MLP.
  const sparse = c.aspects.includes('sparse');
  if (c.aspects.includes('id')) add('emb.id', 'EMB_ID', [c.idBuckets, H], 'l0', 'small');
  if (sparse) add('emb.sparse', 'EMB_SPARSE', [c.sparseBuckets, c.sparseDim], 'l0', 'small');
  add('emb.domain', 'EMB_DOMAIN', [c.maxDomains, H], 'l0', 'small');
  add('emb.action', 'EMB_ACTION', [c.actions.length, H], 'l0', 'small');
  add('emb.position', 'EMB_POS', [c.historyLength, H], 'l0', 'small');
  if (c.gating === 'domain') {
    add('gate.domain.item', 'GATE_DOMAIN_ITEM', [c.maxDomains, H], 'l0', 'small');
    add('gate.domain.query', 'GATE_DOMAIN_QUERY', [c.maxDomains, H], 'l0', 'small');
  }
  // encoder: the encoding layer
  if (c.aspects.includes('text')) dense('lm', 'LM', c.textDim, H, 'encoder');
  for (const side of ['item', 'context', 'user'] as const) {
    const w = featureWidth(c, side);
    const k = { item: 'SPARSE_ITEM', context: 'SPARSE_CTX', user: 'SPARSE_USER' }[side];
    if (sparse && w > 0) {
      dense(`sparse.${side}.1`, `${k}_L1`, w, H, 'encoder');
      dense(`sparse.${side}.2`, `${k}_L2`, H, H, 'encoder');
    }
  }
  if (c.gating === 'cls') {
    add('gate.cls.item', 'GATE_CLS_ITEM', [H], 'encoder', 'small');
    add('gate.cls.query', 'GATE_CLS_QUERY', [H], 'encoder', 'small');
  }
  for (const m of ['q', 'k', 'v', 'o']) add(`user.${m}`, `USER_${m.toUpperCase()}`, [H, H], 'encoder');
  for (const ln of ['ln1', 'ln2']) {
    add(`user.${ln}.g`, `${ln.toUpperCase()}_G`, [H], 'encoder', 'ones');
    add(`user.${ln}.b`, `${ln.toUpperCase()}_B`, [H], 'encoder', 'zeros');
  }
  dense('user.ff1', 'FF1', H, 2 * H, 'encoder');
  dense('user.ff2', 'FF2', 2 * H, H, 'encoder');
  // head
  if (c.domainAdaptive) dense('da', 'DA', interactionWidth(c) + H, c.daDim, 'head');
  const inW = mmoeInputWidth(c);
  dense('mmoe.experts', 'EXP', inW, c.experts * c.expertDim, 'head');
  for (const task of ['ctr', 'rel']) {
    const T = task.toUpperCase();
    dense(`mmoe.gate.${task}`, `GATE_${T}`, inW, c.experts, 'head');
    dense(`tower.${task}.1`, `T_${T}1`, c.expertDim, c.towerDim, 'head');
    dense(`tower.${task}.2`, `T_${T}2`, c.towerDim, 1, 'head');
  }
  // History-match features: a linear term on the CTR logit (wide, as in Wide & Deep), from zero.
  if (matchColumns(c)) add('match.w', 'MATCH_W', [matchColumns(c)], 'head', 'zeros');
  return s;
}

function initValues(spec: ParamSpec, rand: () => number): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (spec.init === 'zeros') return out;
  if (spec.init === 'ones') return out.fill(1);
  // glorot uniform for matrices; small uniform (+-0.01) for embedding rows, so that a row no
  // sample ever trained (a cold ID's bucket) stays near zero and carries little.
  const limit = spec.init === 'small' ? 0.01 : Math.sqrt(6 / (spec.shape[0] + (spec.shape[1] ?? spec.shape[0])));
  for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * limit;
  return out;
}

// TF.js registers variables by name, globally: a counter keeps two models' names apart.
let created = 0;

export function initParams(c: RankerConfig, seed: number): Params {
  const rand = mulberry32(seed);
  const p: Params = new Map();
  for (const spec of paramSpecs(c)) p.set(spec.name, tf.variable(tf.tensor(initValues(spec, rand), spec.shape), true, `${spec.name}#${++created}`));
  return p;
}

export function disposeParams(p: Params) {
  for (const v of p.values()) v.dispose();
}
