/**
 * History-match features (RankerConfig.historyMatch): two numbers per candidate that say how the
 * candidate relates to the user's own history, which the pooled user tower cannot say on its own:
 * - `~repeat`: 1 when the candidate is among the clicked items of the user's behaviour sequence;
 * - `~covisit`: ln(1 + Σ over those clicked items h of c(h, candidate)), where c(h, i) is how many
 *   training users clicked both h and i (item-to-item co-visitation, as item-based collaborative
 *   filtering counts it).
 * They ride as the last two numeric item features (so samples, export shards and the page's input
 * arrays carry them unchanged), but go around the sparse MLP: `match.w · [~repeat, ~covisit]` is
 * added to the CTR logit, in the network, the fused kernel and the PyTorch twin alike.
 *
 * The co-visitation counts ship in the config (`covisits`, base64): for every pair of items that
 * at least one training user clicked both of, two 32-bit fingerprints of the item keys and the
 * count (12 bytes a pair; each item keeps its `COVISIT_NEIGHBOURS` most co-visited partners). The
 * page computes both numbers from the history it keeps and this table: nothing leaves the device.
 * In training, each sample's own user is left out of the counts (leave-one-user-out), so that a
 * click cannot count itself. (Counting instead only the pairs made before each sample, as a clock
 * over the training split, was measured on the real data and did no better: docs/RESULTS-MATCH.md.)
 *
 * With matchFeatures (--match-features), a third column:
 * - `~same`: ln(1 + Σ over the history's other clicked items h, over the categorical item features f, of
 *   [h and the candidate have the same value of f]): the candidate's category (cluster, brand, ...)
 *   matched against the user's clicks, which a new item has as well as a known one, and which the
 *   user tower's pooled history features do not count.
 *
 * The table is made of the training users' behaviour: a pair counted once is one user's two clicks
 * (no user is named). `covisitMin` (--covisit-min N) leaves out pairs fewer than N users made.
 */
import { fnv1a } from '../util/hash.ts';
import { matchColumns, type RankerConfig } from './config.ts';

/** The two numeric item features' names; a data feature may not start with '~'. */
export const HISTORY_MATCH_FEATURES = ['~repeat', '~covisit'] as const;
/** An item's features as the data or the page gives them (features.ts' Features; model/ sits below features/). */
type Features = Readonly<Record<string, string | number>>;
/** The third column's name (RankerConfig.matchFeatures). */
export const SAME_FEATURE = '~same';
/** The history-match columns this config has, in order (the item's last numeric features). */
export const matchFeatureNames = (c: RankerConfig): string[] => [...HISTORY_MATCH_FEATURES, ...(c.matchFeatures ? [SAME_FEATURE] : [])];
export const RESERVED_FEATURE_PREFIX = '~';
/** The most co-visited partners an item keeps in the shipped table. */
export const COVISIT_NEIGHBOURS = 100;

const fingerprint = (key: string) => fnv1a(`covisit\u0000${key}`);

/** A new model's config with the history-match features: their two numeric columns, and the table of these users' clicks. */
export function withHistoryMatch(c: RankerConfig, userItems: Iterable<Iterable<string>>): RankerConfig {
  const numeric = [...c.itemFeatures.numeric.filter((f) => !f.name.startsWith(RESERVED_FEATURE_PREFIX)), ...matchFeatureNames(c).map((name) => ({ name, mean: 0, std: 1 }))];
  return { ...c, itemFeatures: { ...c.itemFeatures, numeric }, covisits: encodeCovisits(userItems, COVISIT_NEIGHBOURS, c.covisitMin ?? 1) };
}

/** The item keys of the clicked events among the last `historyLength` of a behaviour sequence (what the model reads). */
export const historyClicks = (entries: readonly { key: string; action: string }[], historyLength: number) =>
  entries.slice(-historyLength).filter((h) => h.action === 'click').map((h) => h.key);

/** The features of the same clicked events as historyClicks, in the same order (for `~same`). */
export const historyClickFeatures = (entries: readonly { action: string; features?: Features }[], historyLength: number) =>
  entries.slice(-historyLength).filter((h) => h.action === 'click').map((h) => h.features);

/** For `~same`: the history's clicked items' features (historyClickFeatures) and the candidate's. */
export interface SameFeatures {
  history: readonly (Features | undefined)[];
  candidate: Features | undefined;
}

/**
 * A fine-tune's config: its foundation's table with the new data's training clicks added. A model
 * without the features is returned as it is, and `userItems` (each user's clicked item keys) is
 * then never called: the caller need not have kept them.
 */
export function withCovisitsAdded(c: RankerConfig, userItems: () => Iterable<Iterable<string>>): RankerConfig {
  return historyMatchOn(c) ? { ...c, covisits: mergeCovisits(c.covisits ?? '', encodeCovisits(userItems(), COVISIT_NEIGHBOURS, c.covisitMin ?? 1)) } : c;
}

/** Whether this config computes the history-match features. */
export const historyMatchOn = (c: RankerConfig) => matchColumns(c) > 0;

/**
 * The co-visitation table for these users' clicked items (item keys, e.g. itemKey(id)), as the
 * config's `covisits`: unordered pairs, each counted once per user who clicked both.
 */
export function encodeCovisits(userItems: Iterable<Iterable<string>>, neighbours = COVISIT_NEIGHBOURS, minCount = 1): string {
  const counts = new Map<number, Map<number, number>>();
  const bump = (a: number, b: number) => {
    const row = counts.get(a) ?? counts.set(a, new Map()).get(a)!;
    row.set(b, (row.get(b) ?? 0) + 1);
  };
  for (const items of userItems) {
    const fps = [...new Set([...items].map(fingerprint))];
    for (let i = 0; i < fps.length; i++) for (let j = 0; j < fps.length; j++) if (i !== j) bump(fps[i], fps[j]);
  }
  // Each item's strongest partners (ties by fingerprint, so the table does not depend on input order);
  // a pair is kept when either side keeps it.
  const kept = new Map<string, [number, number, number]>();
  for (const [a, row] of counts) {
    const top = [...row].filter(([, n]) => n >= minCount).sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, neighbours);
    for (const [b, n] of top) {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      kept.set(`${lo}:${hi}`, [lo, hi, n]);
    }
  }
  return pack(kept.values());
}

/** The tables of `a` and `b` together (a fine-tune adds its own data's pairs to its foundation's): counts add up. */
export function mergeCovisits(a: string, b: string): string {
  const out = new Map<string, [number, number, number]>();
  for (const t of [a, b])
    for (const [x, y, n] of entries(t)) {
      const k = `${x}:${y}`;
      out.set(k, [x, y, (out.get(k)?.[2] ?? 0) + n]);
    }
  return pack(out.values());
}

/** Pairs (lo, hi, count), sorted, as little-endian uint32 triples in base64. */
function pack(pairs: Iterable<[number, number, number]>): string {
  const sorted = [...pairs].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const bytes = new Uint8Array(sorted.length * 12);
  const view = new DataView(bytes.buffer);
  sorted.forEach(([a, b, n], i) => {
    view.setUint32(i * 12, a, true);
    view.setUint32(i * 12 + 4, b, true);
    view.setUint32(i * 12 + 8, n, true);
  });
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function* entries(b64: string): Generator<[number, number, number]> {
  const bin = atob(b64);
  if (bin.length % 12) throw new Error(`covisits: ${bin.length} bytes is not a whole number of 12-byte pairs`);
  const view = new DataView(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)).buffer);
  for (let i = 0; i + 12 <= view.byteLength; i += 12) yield [view.getUint32(i, true), view.getUint32(i + 4, true), view.getUint32(i + 8, true)];
}

type Lookup = Map<number, Map<number, number>>;
const lookups = new WeakMap<RankerConfig, Lookup>();

function lookupOf(c: RankerConfig): Lookup {
  let m = lookups.get(c);
  if (!m) {
    m = new Map();
    for (const [a, b, n] of entries(c.covisits ?? '')) {
      (m.get(a) ?? m.set(a, new Map()).get(a)!).set(b, n);
      (m.get(b) ?? m.set(b, new Map()).get(b)!).set(a, n);
    }
    lookups.set(c, m);
  }
  return m;
}

/** Checks a model file's history-match setting (its table and its two columns): throws naming the problem. */
export function checkHistoryMatch(c: RankerConfig) {
  if (!historyMatchOn(c)) return;
  if (typeof c.covisits !== 'string') throw new Error('config.covisits: missing (a model with historyMatch ships its co-visitation table)');
  try {
    lookupOf(c);
  } catch (err) {
    throw new Error(`config.covisits: not a co-visitation table (${(err as Error).message})`);
  }
  columnsOf(c);
}

/**
 * A candidate's history-match features, written into its row of numeric item features at the
 * columns matchFeatureNames name. `history`: the item keys of the clicked events of the user's
 * behaviour sequence (the window the model reads); `own`: in training, the item keys the sample's
 * user clicked in the training split, whose pairs are taken out of the counts; `same`: with
 * matchFeatures, the features of those clicked items and of the candidate.
 */
export function writeHistoryMatch(c: RankerConfig, history: readonly string[], candidate: string, num: Float32Array, at: number, own?: ReadonlySet<string>, same?: SameFeatures) {
  const cols = columnsOf(c);
  const table = lookupOf(c);
  const cand = fingerprint(candidate);
  const row = table.get(cand);
  let repeat = 0;
  let sum = 0;
  for (const h of history) {
    if (h === candidate) {
      repeat = 1;
      continue;
    }
    const n = row?.get(fingerprint(h)) ?? 0;
    sum += own?.has(h) && own.has(candidate) ? Math.max(0, n - 1) : n;
  }
  // As encodeFeatures standardises a number (the config's mean and std; 0 and 1 as configFromStats sets them).
  const z = (j: number, v: number) => {
    const f = c.itemFeatures.numeric[j];
    return Math.max(-5, Math.min(5, (v - f.mean) / f.std));
  };
  num[at + cols.repeat] = z(cols.repeat, repeat);
  num[at + cols.covisit] = z(cols.covisit, Math.log1p(sum));
  if (cols.same >= 0) {
    if (!same || same.history.length !== history.length) throw new Error('writeHistoryMatch: a model with matchFeatures needs the features of the history\'s clicked items and of the candidate');
    num[at + cols.same] = z(cols.same, Math.log1p(sameCount(c, history, candidate, same)));
  }
}

/** How many (other clicked item, categorical feature) pairs of the history share the candidate's value. */
function sameCount(c: RankerConfig, history: readonly string[], candidate: string, same: SameFeatures) {
  const cand = same.candidate;
  if (!cand) return 0;
  let n = 0;
  history.forEach((h, i) => {
    const f = same.history[i];
    if (h === candidate || !f) return;
    for (const name of c.itemFeatures.categorical)
      if (Object.hasOwn(cand, name) && Object.hasOwn(f, name) && String(f[name]) === String(cand[name])) n++;
  });
  return n;
}

const columns = new WeakMap<RankerConfig, { repeat: number; covisit: number; same: number }>();
function columnsOf(c: RankerConfig) {
  let k = columns.get(c);
  if (!k) {
    const names = c.itemFeatures.numeric.map((f) => f.name);
    const want = matchFeatureNames(c);
    const Ni = names.length;
    if (want.some((n, j) => names[Ni - want.length + j] !== n)) {
      const list = want.length > 2 ? `${want.slice(0, -1).join(', ')} and ${want.at(-1)}` : want.join(' and ');
      throw new Error(`config.itemFeatures: a model with historyMatch ends its numeric item features with ${list}; these lack them`);
    }
    k = { repeat: Ni - want.length, covisit: Ni - want.length + 1, same: c.matchFeatures ? Ni - 1 : -1 };
    columns.set(c, k);
  }
  return k;
}
