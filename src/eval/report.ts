/**
 * The evaluation report: overall, warm items, cold items, and per domain, for the model and for
 * the parameter-free baselines on the same samples (src/eval/baselines.ts); and its table.
 */
import type { Samples } from '../data/dataset.ts';
import type { Baseline } from './baselines.ts';
import { metricSet, type MetricSet } from './metrics.ts';

export interface SliceReport {
  overall: MetricSet;
  warm: MetricSet;
  cold: MetricSet;
  domains: Record<string, MetricSet>;
}

export interface EvalReport extends SliceReport {
  /** The same slices for each baseline, on the same samples. */
  baselines?: Partial<Record<Baseline, SliceReport>>;
}

/** `probabilities`: false for a baseline's scores (counts, cosines), whose logloss means nothing (NaN). */
function slices(s: Samples, scores: Float32Array, probabilities: boolean): SliceReport {
  const all = Array.from({ length: s.n }, (_, i) => i);
  const m = (idx: number[]) => {
    const set = metricSet(scores, s.label, s.user, s.group, idx);
    return probabilities ? set : { ...set, logloss: NaN };
  };
  const domains: Record<string, MetricSet> = {};
  for (const d of [...new Set(s.domainName)].sort()) domains[d] = m(all.filter((i) => s.domainName[i] === d));
  return { overall: m(all), warm: m(all.filter((i) => !s.cold[i])), cold: m(all.filter((i) => s.cold[i])), domains };
}

export function evaluate(s: Samples, ctr: Float32Array, baselines?: Partial<Record<Baseline, Float32Array>>): EvalReport {
  const report: EvalReport = slices(s, ctr, true);
  if (baselines) report.baselines = Object.fromEntries(Object.entries(baselines).map(([k, v]) => [k, slices(s, v!, false)]));
  return report;
}

const f = (x: number) => (Number.isNaN(x) ? '   -  ' : x.toFixed(4));

export function reportTable(r: EvalReport): string {
  const rows: [string, MetricSet][] = [['overall', r.overall], ['warm items', r.warm], ['cold items', r.cold], ...Object.entries(r.domains).map(([d, m]) => [`domain ${d}`, m] as [string, MetricSet])];
  for (const [name, b] of Object.entries(r.baselines ?? {})) rows.push([`${name}: overall`, b.overall], [`${name}: warm items`, b.warm], [`${name}: cold items`, b.cold]);
  const w = Math.max(...rows.map(([n]) => n.length));
  const head = `${'slice'.padEnd(w)}  samples     AUC    GAUC  NDCG@10  logloss`;
  return [head, '-'.repeat(head.length), ...rows.map(([n, m]) => `${n.padEnd(w)}  ${String(m.samples).padStart(7)}  ${f(m.auc)}  ${f(m.gauc)}   ${f(m.ndcg10)}   ${f(m.logloss)}`)].join('\n');
}
