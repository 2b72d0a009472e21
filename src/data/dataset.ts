/**
 * From the data contract's rows to the model's training samples: the time split, sampled
 * negatives for implicit feedback, feature configuration, text rows, and each sample's
 * behaviour sequence (the user's events strictly before it).
 */
import { mulberry32, randInt } from '../util/random.ts';
import { bucket } from '../util/hash.ts';
import { DataError } from '../errors.ts';
import { domainIndex, featureCounts, userFeaturesOf, type FeatureConfig, type RankerConfig } from '../model/config.ts';
import { knownIdTest } from '../model/known-ids.ts';
import { historyClickFeatures, historyClicks, historyMatchOn, writeHistoryMatch } from '../model/history-match.ts';
import { encodeFeatures, type Features } from '../features/features.ts';
import { encodeHistory, historyArrays, itemKey, queryKey, type HistoryArrays, type HistoryEntry } from '../features/history.ts';
import type { RequestArrays } from '../features/inputs.ts';
import type { EventRow, ItemRow } from './schema.ts';
import type { Histories } from './histories.ts';
import { sortedByTime } from './order.ts';

export interface SplitSpec {
  /** Fraction of events (earliest first) in the training split when events carry no `split`. */
  trainFraction: number;
}

/** The texts a sample reads (the item's, the query's), for the text table. */
export function sampleTexts(e: EventRow, items: Map<string, ItemRow>, add: (text: string) => void) {
  add(items.get(e.item)!.text);
  if (e.query?.trim()) add(e.query);
}

export function splitEvents(events: EventRow[], spec: SplitSpec): { train: EventRow[]; test: EventRow[] } {
  const sorted = sortedByTime(events);
  const splitOf = timeSplit(sorted.length, sorted.some((e) => e.split), spec);
  const out = { train: [] as EventRow[], test: [] as EventRow[] };
  sorted.forEach((e, i) => out[splitOf(e, i)].push(e));
  return out;
}

/**
 * The split of the i-th of n events in (ts, line) order: the earliest `trainFraction` train, unless
 * events name their split (`named`: some do), in which case every event must.
 */
export function timeSplit(n: number, named: boolean, spec: SplitSpec): (e: EventRow, i: number) => 'train' | 'test' {
  const cut = Math.floor(n * spec.trainFraction);
  return (e, i) => {
    if (!named) return i < cut ? 'train' : 'test';
    if (!e.split) throw new DataError('events.jsonl', e.line, 'split', 'missing: some events name their split, so every event must');
    return e.split;
  };
}

/** K negatives per positive, drawn from the same domain's items (not the positive itself). */
export function sampleNegatives(events: EventRow[], items: Map<string, ItemRow>, k: number, seed: number): EventRow[] {
  if (k <= 0) return events;
  const draw = negativeSampler(negativePools(items, events), k, seed);
  const out: EventRow[] = [];
  for (const e of events) out.push(e, ...draw(e));
  return out;
}

/** Each domain's pool of negatives: its catalogue items, then the items its events show, in order. */
export function negativePools(items: Map<string, ItemRow>, events: Iterable<EventRow> = []): NegativePools {
  const pools = new NegativePools();
  for (const it of items.values()) if (it.domain) pools.add(it.domain, it.id);
  for (const e of events) pools.add(e.domain, e.item);
  return pools;
}

export class NegativePools {
  private lists = new Map<string, { ids: string[]; has: Set<string> }>();
  add(domain: string, id: string) {
    let l = this.lists.get(domain);
    if (!l) this.lists.set(domain, (l = { ids: [], has: new Set() }));
    if (!l.has.has(id)) {
      l.has.add(id);
      l.ids.push(id);
    }
  }
  get(domain: string): string[] {
    return this.lists.get(domain)?.ids ?? [];
  }
}

/** The negatives of each event in turn (one random stream: events must come in the same order each time). */
export function negativeSampler(pools: NegativePools, k: number, seed: number): (e: EventRow) => EventRow[] {
  const rand = mulberry32(seed);
  return (e) => {
    if (k <= 0 || e.label !== 1) return [];
    const pool = pools.get(e.domain);
    if (pool.length < 2) return [];
    const out: EventRow[] = [];
    for (let j = 0; j < k; j++) {
      let id = pool[randInt(rand, pool.length)];
      while (id === e.item) id = pool[randInt(rand, pool.length)];
      out.push({ ...e, item: id, label: 0, relevance: undefined, line: 0 });
    }
    return out;
  };
}

/** Categorical fields (any string value) and numeric fields (numbers only), with train-split statistics. */
export function featureConfig(rows: Iterable<Features | undefined>): FeatureConfig {
  const stats = new FeatureStats();
  for (const f of rows) stats.add(f);
  return stats.config();
}

/** featureConfig's statistics, a row at a time. */
export class FeatureStats {
  private kinds = new Map<string, 'cat' | 'num'>();
  private stats = new Map<string, { n: number; sum: number; sq: number }>();
  add(f: Features | undefined) {
    if (!f) return;
    for (const [k, v] of Object.entries(f)) {
      if (typeof v === 'string') this.kinds.set(k, 'cat');
      else if (!this.kinds.has(k)) this.kinds.set(k, 'num');
      if (typeof v === 'number') {
        const s = this.stats.get(k) ?? { n: 0, sum: 0, sq: 0 };
        s.n++;
        s.sum += v;
        s.sq += v * v;
        this.stats.set(k, s);
      }
    }
  }
  config(): FeatureConfig {
    const names = [...this.kinds.keys()].sort();
    return {
      categorical: names.filter((k) => this.kinds.get(k) === 'cat'),
      numeric: names
        .filter((k) => this.kinds.get(k) === 'num')
        .map((name) => {
          const s = this.stats.get(name)!;
          const mean = s.sum / s.n;
          return { name, mean, std: Math.sqrt(Math.max(s.sq / s.n - mean * mean, 0)) || 1 };
        }),
    };
  }
}

/** The model's inputs for a set of events, as flat typed arrays (text as rows of a text table). */
export interface Samples extends HistoryArrays, RequestArrays {
  n: number;
  label: Float32Array;
  relevance: Float32Array;
  relMask: Float32Array;
  /** Behaviour sequences (HistoryArrays), one row of N per distinct (user, time): samples of one request share it. */
  histRows: number;
  /** [n] the history row of each sample (userCat/userNum have one row per history row too). */
  histOf: Int32Array;
  /** For metrics: the user, the request group (user, domain, ts, query) and whether the item is cold. */
  user: Int32Array;
  group: Int32Array;
  cold: Uint8Array;
  domainName: string[];
}

export interface SampleContext {
  config: RankerConfig;
  items: Map<string, ItemRow>;
  /** Each user's behaviour: all of it (historiesFrom) or, streaming, what came before (HistoryCursor). */
  histories: Histories;
  /** Text -> row of the text table (row 0 is the zero vector: no text). */
  textRow: (text: string) => number;
  warmItems: Set<string>;
  /** users.jsonl: each user's features (absent: none). */
  users?: Map<string, Features | undefined>;
  /**
   * When each ID key was first clicked (typed) in the training split. A training sample sees an
   * ID as known only from then on, as the page would: an item's first clicks, and negatives drawn
   * before it, are ranked without its ID, the way a new item is at serving time.
   */
  knownSince?: Map<string, number>;
  /**
   * For training samples of a model with history-match features: each user's clicked items in the
   * training split (item keys), whose co-visits are left out of that user's samples' counts.
   */
  leaveOut?: Map<string, ReadonlySet<string>>;
}

/** First click (items) or search (queries) of each ID key, in time order. */
export function firstSeen(events: Iterable<EventRow>, out = new Map<string, number>()): Map<string, number> {
  const note = (k: string, ts: number) => {
    if (!(out.get(k)! <= ts)) out.set(k, ts);
  };
  for (const e of events) {
    if (e.label === 1 && e.line > 0) note(itemKey(e.item), e.ts);
    if (e.query?.trim()) note(queryKey(e.query), e.ts);
  }
  return out;
}

function lastBefore(list: readonly HistoryEntry[], ts: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function buildSamples(events: EventRow[], ctx: SampleContext): Samples {
  const c = ctx.config;
  const n = events.length;
  const N = c.historyLength;
  const { Fi, Ni, Fe, Ne, Fu, Nu } = featureCounts(c);
  const uf = userFeaturesOf(c);
  // One behaviour sequence per distinct (user, time): the history arrays hold that many rows, not n.
  const historyKey = (e: EventRow) => `${e.user}\u0000${e.ts}`;
  const H = new Set(events.map(historyKey)).size;
  const s: Samples = {
    n,
    itemId: new Int32Array(n), itemText: new Int32Array(n), itemCat: new Int32Array(n * Fi), itemNum: new Float32Array(n * Ni),
    queryId: new Int32Array(n), queryText: new Int32Array(n), ctxCat: new Int32Array(n * Fe), ctxNum: new Float32Array(n * Ne),
    domain: new Int32Array(n), label: new Float32Array(n), relevance: new Float32Array(n), relMask: new Float32Array(n),
    histRows: 0, ...historyArrays(c, H),
    itemIdKnown: new Float32Array(n), queryIdKnown: new Float32Array(n),
    histOf: new Int32Array(n), userCat: new Int32Array(H * Fu), userNum: new Float32Array(H * Nu),
    user: new Int32Array(n), group: new Int32Array(n), cold: new Uint8Array(n), domainName: [],
  };
  const users = new Map<string, number>();
  const groups = new Map<string, number>();

  const inModel = knownIdTest(c);
  const masking = c.unknownIds === 'mask';
  const known = (key: string, ts: number) => !masking || (inModel(key) && (ctx.knownSince?.get(key) ?? -Infinity) < ts);
  const histRowOf = new Map<string, number>();
  const match = historyMatchOn(c);
  /** With history-match features: each history row's clicked item keys (and with matchFeatures, their features). */
  const clicked: string[][] = [];
  const clickedFeatures: (Features | undefined)[][] = [];
  const same = !!c.matchFeatures;
  const writeHistory = (row: number, user: string, ts: number) => {
    const hist = ctx.histories.get(user, ts) ?? [];
    const end = lastBefore(hist, ts);
    const window = hist.slice(Math.max(0, end - N), end);
    if (match) clicked[row] = historyClicks(window, N);
    if (match && same) clickedFeatures[row] = historyClickFeatures(window, N);
    encodeHistory(c, window, ctx.textRow, s, row * N, (key) => known(key, ts));
    encodeFeatures(uf, c.sparseBuckets, ctx.users?.get(user), s.userCat, row * Fu, s.userNum, row * Nu);
  };

  events.forEach((e, i) => {
    const item = ctx.items.get(e.item);
    if (!item) throw new DataError('events.jsonl', e.line, 'item', `unknown item ${JSON.stringify(e.item)} (not in items.jsonl)`);
    s.itemId[i] = bucket(itemKey(item.id), c.idBuckets);
    s.itemIdKnown[i] = known(itemKey(item.id), e.ts) ? 1 : 0;
    s.itemText[i] = ctx.textRow(item.text);
    encodeFeatures(c.itemFeatures, c.sparseBuckets, item.features, s.itemCat, i * Fi, s.itemNum, i * Ni);
    const q = e.query?.trim() ? e.query : undefined;
    s.queryId[i] = q ? bucket(queryKey(q), c.idBuckets) : 0;
    s.queryText[i] = q ? ctx.textRow(q) : 0;
    s.queryIdKnown[i] = !q || known(queryKey(q), e.ts) ? 1 : 0;
    encodeFeatures(c.contextFeatures, c.sparseBuckets, e.features, s.ctxCat, i * Fe, s.ctxNum, i * Ne);
    s.domain[i] = domainIndex(c, e.domain);
    s.label[i] = e.label;
    s.relevance[i] = e.relevance ?? 0;
    s.relMask[i] = e.relevance === undefined ? 0 : 1;
    const hkey = historyKey(e);
    let hrow = histRowOf.get(hkey);
    if (hrow === undefined) {
      hrow = s.histRows++;
      histRowOf.set(hkey, hrow);
      writeHistory(hrow, e.user, e.ts);
    }
    s.histOf[i] = hrow;
    if (match) writeHistoryMatch(c, clicked[hrow], itemKey(item.id), s.itemNum, i * Ni, ctx.leaveOut?.get(e.user), same ? { history: clickedFeatures[hrow], candidate: item.features } : undefined);
    if (!users.has(e.user)) users.set(e.user, users.size);
    s.user[i] = users.get(e.user)!;
    const g = `${e.user}\u0000${e.domain}\u0000${e.ts}\u0000${e.query ?? ''}`;
    if (!groups.has(g)) groups.set(g, groups.size);
    s.group[i] = groups.get(g)!;
    s.cold[i] = ctx.warmItems.has(e.item) ? 0 : 1;
    s.domainName.push(e.domain);
  });
  return s;
}
