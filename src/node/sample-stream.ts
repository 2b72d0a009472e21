/**
 * The training pipeline over a stream of events (an EventFile), for data sets too big to hold:
 * the same split, negatives, histories, known IDs and text table as prepareSamples builds in memory
 * (each rule is one function, shared), built a chunk of whole requests at a time. What stays in
 * memory grows with the catalogue, the users and the distinct texts, not with the events: the
 * items, each user's last N history entries, the negatives' pools, first-seen times, the text table
 * and one chunk's samples.
 */
import { buildSamples, negativePools, negativeSampler, sampleTexts, timeSplit, type NegativePools, type SampleContext, type Samples } from '../data/dataset.ts';
import { HistoryCursor, historyTexts } from '../data/histories.ts';
import { TrainStats } from '../data/train-stats.ts';
import type { EventRow, ItemRow } from '../data/schema.ts';
import { DataError } from '../errors.ts';
import type { Features } from '../features/features.ts';
import { encodeTextTable, type TextTable } from '../features/text-table.ts';
import type { RankerConfig } from '../model/config.ts';
import { historyMatchOn } from '../model/history-match.ts';
import type { Encoder } from './index.ts';
import type { EventFile } from './event-file.ts';

export type Split = 'train' | 'test';

export interface StreamSpec {
  /** The domains samples come from. */
  domains: string[];
  /** Domains that do not exist for this run: neither samples nor anyone's history. */
  excludeDomains?: string[];
  trainFraction: number;
  negatives: number;
  seed: number;
}

/** What one pass over the events learns before any sample is built. */
export interface EventScan {
  /** The training split's statistics (a new model's config; known IDs' first-seen times; warm items). */
  train: TrainStats;
  pools: Record<Split, NegativePools>;
  /** Samples each split will have, negatives included. */
  samples: Record<Split, number>;
}

/** The sample domains' events of one split, in time order, each followed by its sampled negatives. */
function* splitStream(file: EventFile, spec: StreamSpec, split: Split, pools?: NegativePools): Generator<EventRow> {
  const domains = new Set(spec.domains);
  const n = spec.domains.reduce((a, d) => a + (file.domains.get(d) ?? 0), 0);
  if (!n) throw new DataError('events.jsonl', 0, 'domain', `no events for ${spec.domains.join(', ')}`);
  const splitOf = timeSplit(n, spec.domains.some((d) => file.namedSplit.has(d)), spec);
  // The same random streams as sampleNegatives over the whole split: train draws with seed, test with seed + 1.
  const draw = pools ? negativeSampler(pools, spec.negatives, split === 'train' ? spec.seed : spec.seed + 1) : () => [];
  let i = 0;
  for (const e of file.events()) {
    if (!domains.has(e.domain)) continue;
    if (splitOf(e, i++) !== split) continue;
    yield e;
    yield* draw(e);
  }
}

function* historyEvents(file: EventFile, spec: StreamSpec): Generator<EventRow> {
  const exclude = new Set(spec.excludeDomains ?? []);
  for (const e of file.events()) if (!exclude.has(e.domain)) yield e;
}

/**
 * One pass per split: the training statistics, the negatives' pools, and how many samples each
 * split makes. `clicks`: also keep each training user's clicked items (a config with history
 * match needs them; memory then grows with the distinct (user, item) clicks).
 */
export function scanEvents(file: EventFile, items: Map<string, ItemRow>, spec: StreamSpec, options: { clicks?: boolean } = {}): EventScan {
  const train = new TrainStats(options);
  const pools = { train: negativePools(items), test: negativePools(items) };
  const positives = { train: new Map<string, number>(), test: new Map<string, number>() };
  const events = { train: 0, test: 0 };
  for (const split of ['train', 'test'] as const) {
    for (const e of splitStream(file, spec, split)) {
      if (split === 'train') train.add(e);
      pools[split].add(e.domain, e.item);
      events[split]++;
      if (e.label === 1) positives[split].set(e.domain, (positives[split].get(e.domain) ?? 0) + 1);
    }
  }
  // negativeSampler draws K for each positive whose domain's pool has two items or more.
  const samples = (split: Split) => events[split] + (spec.negatives > 0 ? [...positives[split]].reduce((a, [d, p]) => a + (pools[split].get(d).length >= 2 ? p * spec.negatives : 0), 0) : 0);
  return { train, pools, samples: { train: samples('train'), test: samples('test') } };
}

/** The text table, in prepareEvents' order: the training samples' texts, the test samples', then the histories'. */
export async function streamTextTable(file: EventFile, items: Map<string, ItemRow>, spec: StreamSpec, scan: EventScan, encoder: Encoder): Promise<TextTable> {
  const texts = new Set<string>();
  const add = (t: string) => texts.add(t);
  for (const split of ['train', 'test'] as const) for (const e of splitStream(file, spec, split, scan.pools[split])) sampleTexts(e, items, add);
  historyTexts(historyEvents(file, spec), items, add);
  return encodeTextTable(texts, (t) => encoder.encode(t), encoder.dim);
}

/** The context buildSamples reads, but for the histories: a fresh HistoryCursor per pass. */
export function streamContext(config: RankerConfig, items: Map<string, ItemRow>, users: Map<string, Features | undefined> | undefined, scan: EventScan, table: TextTable): Omit<SampleContext, 'histories'> {
  return { config, items, textRow: table.row, warmItems: scan.train.items, users, knownSince: scan.train.seen };
}

const requestKey = (e: EventRow) => `${e.user}\u0000${e.domain}\u0000${e.ts}\u0000${e.query ?? ''}`;

/**
 * A split's samples in `count` chunks of about equal size, cut only where a request ends (chunk k
 * ends at the first request boundary at or after sample round(n·k/count)).
 */
export function* sampleChunks(file: EventFile, items: Map<string, ItemRow>, spec: StreamSpec, scan: EventScan, context: Omit<SampleContext, 'histories'>, split: Split, count: number): Generator<Samples> {
  const histories = new HistoryCursor(historyEvents(file, spec), items, context.config.historyLength);
  // Training samples leave their own user out of the co-visitation counts (src/model/history-match.ts).
  const ctx: SampleContext = { ...context, histories, ...(split === 'train' && historyMatchOn(context.config) ? { leaveOut: scan.train.clicks } : {}) };
  const n = scan.samples[split];
  let chunk: EventRow[] = [];
  let k = 1;
  let start = 0;
  let target = k === count ? n : Math.max(start + 1, Math.round((n * k) / count));
  let i = 0;
  for (const e of splitStream(file, spec, split, scan.pools[split])) {
    if (chunk.length && i >= target && requestKey(e) !== requestKey(chunk[chunk.length - 1])) {
      yield buildSamples(chunk, ctx);
      chunk = [];
      start = i;
      k++;
      target = k >= count ? n : Math.max(start + 1, Math.round((n * k) / count));
    }
    chunk.push(e);
    i++;
  }
  if (i !== n) throw new Error(`sample stream: counted ${n} ${split} samples but built ${i}`);
  if (chunk.length) yield buildSamples(chunk, ctx);
}
