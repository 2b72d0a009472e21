/** Ranking metrics: AUC, GAUC (per-user AUC weighted by impressions), NDCG@10 per request, logloss. */

/** Area under the ROC curve by ranks (ties get their average rank); NaN without both classes. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>, idx?: number[]): number {
  const ids = idx ?? Array.from({ length: scores.length }, (_, i) => i);
  const order = [...ids].sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]] > 0.5) {
      pos++;
      rankSum += avg;
    }
    i = j + 1;
  }
  const neg = order.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function groupBy(keys: ArrayLike<number>, idx: number[]): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const i of idx) {
    const l = m.get(keys[i]);
    if (l) l.push(i);
    else m.set(keys[i], [i]);
  }
  return m;
}

/** Mean of per-user AUCs weighted by the user's number of samples; users with one class are skipped. */
export function gauc(scores: ArrayLike<number>, labels: ArrayLike<number>, users: ArrayLike<number>, idx: number[]): number {
  let num = 0;
  let den = 0;
  for (const l of groupBy(users, idx).values()) {
    const a = auc(scores, labels, l);
    if (Number.isNaN(a)) continue;
    num += a * l.length;
    den += l.length;
  }
  return den ? num / den : NaN;
}

/** Mean NDCG@k over requests with at least one positive (binary gains). */
export function ndcgAt(k: number, scores: ArrayLike<number>, labels: ArrayLike<number>, groups: ArrayLike<number>, idx: number[]): number {
  let sum = 0;
  let count = 0;
  for (const l of groupBy(groups, idx).values()) {
    const rel = l.filter((i) => labels[i] > 0.5).length;
    if (!rel) continue;
    const ranked = [...l].sort((a, b) => scores[b] - scores[a]).slice(0, k);
    let dcg = 0;
    ranked.forEach((i, r) => (dcg += labels[i] > 0.5 ? 1 / Math.log2(r + 2) : 0));
    let ideal = 0;
    for (let r = 0; r < Math.min(rel, k); r++) ideal += 1 / Math.log2(r + 2);
    sum += dcg / ideal;
    count++;
  }
  return count ? sum / count : NaN;
}

export function logloss(probs: ArrayLike<number>, labels: ArrayLike<number>, idx: number[]): number {
  if (!idx.length) return NaN;
  let s = 0;
  for (const i of idx) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, probs[i]));
    s -= labels[i] > 0.5 ? Math.log(p) : Math.log(1 - p);
  }
  return s / idx.length;
}

export interface MetricSet {
  auc: number;
  gauc: number;
  ndcg10: number;
  logloss: number;
  samples: number;
}

export function metricSet(probs: ArrayLike<number>, labels: ArrayLike<number>, users: ArrayLike<number>, groups: ArrayLike<number>, idx: number[]): MetricSet {
  return {
    auc: auc(probs, labels, idx),
    gauc: gauc(probs, labels, users, idx),
    ndcg10: ndcgAt(10, probs, labels, groups, idx),
    logloss: logloss(probs, labels, idx),
    samples: idx.length,
  };
}
