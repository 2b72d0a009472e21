/**
 * The real-data results scripts' table of runs: each row's metrics per seed (AUC, GAUC, NDCG@10 and
 * the warm and cold items' AUC of a SliceReport), its mean ± standard error cells, and paired
 * per-seed differences between rows. Shared by results:real, results:history and results:decay.
 */
import type { SliceReport } from '../src/eval/report.ts';
import { mean, pairedBySeed, se, type Paired } from './paired-stats.ts';

export type SeedRow = { seed: number; auc: number; gauc: number; ndcg10: number; warm: number; cold: number };
export type Metric = Exclude<keyof SeedRow, 'seed'>;
const SLICES = { auc: 'overall', warm: 'warm items', cold: 'cold items' } as const;

export function seedRows() {
  const rows: Record<string, SeedRow[]> = {};
  const add = (name: string, seed: number, r: SliceReport) => (rows[name] ??= []).push({ seed, auc: r.overall.auc, gauc: r.overall.gauc, ndcg10: r.overall.ndcg10, warm: r.warm.auc, cold: r.cold.auc });
  const bySeed = (name: string, k: Metric) => new Map(rows[name].map((r) => [r.seed, r[k]]));
  /** a − b per seed on metric k: mean, standard error, seeds where a is ahead. */
  const paired = (a: string, b: string, k: Metric = 'auc'): Paired => pairedBySeed(bySeed(a, k), bySeed(b, k));
  const cell = (name: string, k: Metric) => `${mean(rows[name].map((r) => r[k])).toFixed(4)} ± ${se(rows[name].map((r) => r[k])).toFixed(4)}`;
  /** A markdown table of the rows `names`, every metric. */
  const table = (names: string[]) => ['| model | AUC | GAUC | NDCG@10 | warm-item AUC | cold-item AUC |', '|---|---|---|---|---|---|', ...names.map((n) => `| ${n} | ${(['auc', 'gauc', 'ndcg10', 'warm', 'cold'] as const).map((k) => cell(n, k)).join(' | ')} |`)].join('\n');
  /** The same difference on each slice: overall, warm items, cold items. */
  const bySlice = (what: string, a: string, b: string) => (Object.keys(SLICES) as (keyof typeof SLICES)[]).map((k): [string, Paired] => [`${SLICES[k]}: ${what}`, paired(a, b, k)]);
  return { rows, add, paired, cell, table, bySlice };
}
