/** The evaluation report: overall, warm items, cold items, and per domain; and its table. */
import type { Samples } from '../data/dataset.ts';
import { metricSet, type MetricSet } from './metrics.ts';

export interface EvalReport {
  overall: MetricSet;
  warm: MetricSet;
  cold: MetricSet;
  domains: Record<string, MetricSet>;
}

export function evaluate(s: Samples, ctr: Float32Array): EvalReport {
  const all = Array.from({ length: s.n }, (_, i) => i);
  const m = (idx: number[]) => metricSet(ctr, s.label, s.user, s.group, idx);
  const domains: Record<string, MetricSet> = {};
  for (const d of [...new Set(s.domainName)].sort()) domains[d] = m(all.filter((i) => s.domainName[i] === d));
  return { overall: m(all), warm: m(all.filter((i) => !s.cold[i])), cold: m(all.filter((i) => s.cold[i])), domains };
}

const f = (x: number) => (Number.isNaN(x) ? '   -  ' : x.toFixed(4));

export function reportTable(r: EvalReport): string {
  const rows: [string, MetricSet][] = [['overall', r.overall], ['warm items', r.warm], ['cold items', r.cold], ...Object.entries(r.domains).map(([d, m]) => [`domain ${d}`, m] as [string, MetricSet])];
  const w = Math.max(...rows.map(([n]) => n.length));
  const head = `${'slice'.padEnd(w)}  samples     AUC    GAUC  NDCG@10  logloss`;
  return [head, '-'.repeat(head.length), ...rows.map(([n, m]) => `${n.padEnd(w)}  ${String(m.samples).padStart(7)}  ${f(m.auc)}  ${f(m.gauc)}   ${f(m.ndcg10)}   ${f(m.logloss)}`)].join('\n');
}
