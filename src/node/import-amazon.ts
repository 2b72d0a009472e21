/**
 * Amazon Reviews 2018 in the processed layout of MiniOneRec (`<Domain>.item.json`,
 * `<Domain>.valid.csv`) into the data contract (docs/DATA.md, "Importing Amazon Reviews").
 *
 * Each CSV row is one interaction: the user's previous items (at most 10, oldest first) and the
 * target. The files carry no timestamps, so time is row order: a user's first row contributes its
 * whole history (just before the row), every row its target. User ids are local to a domain and
 * are prefixed with it. The split is by time within each domain: the earliest `trainFraction` of
 * its events train; `maxTrain` keeps only the first N of them (a new scenario with few events),
 * dropping the rest of the training period.
 *
 * With `semanticIds` N > 0, `<Domain>.info.txt` gives each item the source's semantic ID: three
 * codes that quantise an embedding of the item's text, coarse to fine (MiniOneRec's RQ-VAE). The
 * first N levels become categorical features (`semantic_id_1`: the first code;
 * `semantic_id_2`: the first two; ...), prefixed with the domain, since each domain has its own
 * codebooks. They come from the item's text alone, so a new item has them too.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError, DataError } from '../errors.ts';
import type { EventRow, ItemRow } from '../data/schema.ts';

export interface AmazonImportOptions {
  /** Folder with `<Domain>.item.json` and `<Domain>.valid.csv`. */
  from: string;
  /** Domain file prefixes, e.g. Industrial_and_Scientific. */
  domains: string[];
  trainFraction: number;
  /** Keep only each domain's first N training events (undefined: all). */
  maxTrain?: number;
  /**
   * Levels of the semantic ID (`<Domain>.info.txt`) kept as item features, 0 (the default: none)
   * to 3; above 0 the file must be there. docs/RESULTS-REAL.md measures 1 level.
   */
  semanticIds?: number;
}

/** The levels a semantic ID has in this source. */
const SID_LEVELS = 3;

export type ImportedEvent = Omit<EventRow, 'line'> & { split: 'train' | 'test' };

export interface AmazonImport {
  items: ItemRow[];
  events: ImportedEvent[];
  /** Per domain: rows read, events written (train/test), users, items. */
  stats: Record<string, { rows: number; train: number; test: number; dropped: number; users: number; items: number; semanticIds: number }>;
}

/** Rows per event slot: a row's history takes slots 0..9, its target slot 10. */
const SLOTS = 16;
const COLUMNS = ['user_id', 'item_id', 'history_item_id'] as const;

/** The line of each top-level key of a pretty-printed JSON object (for `file:line` in errors). */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split('\n').forEach((l, i) => {
    const m = /^\s{0,4}"((?:[^"\\]|\\.)*)"\s*:\s*\{/.exec(l);
    if (m && !lines.has(m[1])) lines.set(m[1], i + 1);
  });
  return lines;
}

function readItems(from: string, domain: string): ItemRow[] {
  const file = `${domain}.item.json`;
  const path = join(from, file);
  if (!existsSync(path)) throw new DataError(file, 0, '(file)', `not found: ${path}`);
  const text = readFileSync(path, 'utf8');
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new DataError(file, 0, '(file)', `not valid JSON (${(e as Error).message})`);
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new DataError(file, 1, '(file)', 'expected an object of item_id: {title, brand, ...}');
  const at = keyLines(text);
  return Object.entries(o as Record<string, unknown>).map(([id, v]) => {
    const line = at.get(id) ?? 0;
    if (!/^\d+$/.test(id)) throw new DataError(file, line, 'item_id', `expected a non-negative integer key, got ${JSON.stringify(id)}`);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new DataError(file, line, id, 'expected an object {title, brand, categories}');
    const r = v as Record<string, unknown>;
    if (typeof r.title !== 'string' || !r.title.trim()) throw new DataError(file, line, `${id}.title`, r.title === undefined ? 'missing' : `expected a non-empty string, got ${JSON.stringify(r.title)}`);
    for (const k of ['brand', 'categories'] as const) {
      if (r[k] !== undefined && r[k] !== null && typeof r[k] !== 'string' && !Array.isArray(r[k])) throw new DataError(file, line, `${id}.${k}`, `expected a string, got ${JSON.stringify(r[k])}`);
    }
    const title = r.title.trim();
    const brand = typeof r.brand === 'string' ? r.brand.trim() : '';
    // Title and brand are the text; the brand only when the title does not already name it.
    const text = brand && !title.toLowerCase().includes(brand.toLowerCase()) ? `${title} (${brand})` : title;
    const categories = Array.isArray(r.categories) ? r.categories.map(String).join(' > ') : typeof r.categories === 'string' ? r.categories.trim() : '';
    return { id: `${domain}:${id}`, text, domain, ...(categories ? { features: { category: categories } } : {}) };
  });
}

/**
 * Each item's semantic-ID codes from `<Domain>.info.txt` (TSV: `<a_60><b_159><c_203>`, title,
 * item_id; the title may hold tabs, so the id is the last field). Every item of the item file
 * must have a row, with all three codes.
 */
function readSemanticIds(from: string, domain: string, items: ItemRow[]): Map<string, string[]> {
  const file = `${domain}.info.txt`;
  const path = join(from, file);
  if (!existsSync(path)) throw new DataError(file, 0, '(file)', `not found: ${path} (the semantic IDs need it; leave out --semantic-ids to import without them)`);
  const known = new Set(items.map((i) => i.id));
  const codes = new Map<string, string[]>();
  readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
    if (!text.trim()) return;
    const line = i + 1;
    const fields = text.replace(/\r$/, '').split('\t');
    if (fields.length < 3) throw new DataError(file, line, '(row)', `expected semantic_id, title and item_id separated by tabs, got ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    const id = fields[fields.length - 1].trim();
    if (!/^\d+$/.test(id)) throw new DataError(file, line, 'item_id', `expected an item id, got ${JSON.stringify(id.slice(0, 40))}`);
    const sid = fields[0].trim();
    const parts = [...sid.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]);
    if (parts.length !== SID_LEVELS || parts.join('').length + 2 * SID_LEVELS !== sid.length) throw new DataError(file, line, 'semantic_id', `expected ${SID_LEVELS} codes like <a_60><b_159><c_203>, got ${JSON.stringify(sid.slice(0, 60))}`);
    const key = `${domain}:${id}`;
    if (!known.has(key)) throw new DataError(file, line, 'item_id', `unknown item ${id} (not in ${domain}.item.json)`);
    if (codes.has(key)) throw new DataError(file, line, 'item_id', `item ${id} has a second row`);
    codes.set(key, parts);
  });
  const missing = items.find((it) => !codes.has(it.id));
  if (missing) throw new DataError(file, 0, 'item_id', `no row for item ${missing.id.slice(domain.length + 1)} of ${domain}.item.json`);
  return codes;
}

/** The item with its first `levels` semantic-ID prefixes as features (`semantic_id_1` ...), scoped by domain. */
function withSemanticIds(item: ItemRow, codes: string[], levels: number): ItemRow {
  const features: Record<string, string> = { ...(item.features as Record<string, string> | undefined) };
  for (let l = 1; l <= levels; l++) features[`semantic_id_${l}`] = `${item.domain}:${codes.slice(0, l).join(' ')}`;
  return { ...item, features };
}

/** `[168, 12]` (a Python list literal of item ids). */
function idList(file: string, line: number, raw: string): string[] {
  if (!/^\[\s*(\d+\s*(,\s*\d+\s*)*)?\]$/.test(raw.trim())) throw new DataError(file, line, 'history_item_id', `expected a list of item ids like [168, 12], got ${JSON.stringify(raw.slice(0, 60))}`);
  return (JSON.parse(raw) as number[]).map(String);
}

function readRows(from: string, domain: string, known: Set<string>) {
  const file = `${domain}.valid.csv`;
  const path = join(from, file);
  if (!existsSync(path)) throw new DataError(file, 0, '(file)', `not found: ${path}`);
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(readFileSync(path, 'utf8'), { columns: true, info: true, skip_empty_lines: true });
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new DataError(file, err.lines ?? 0, '(row)', `not valid CSV (${err.message})`);
  }
  if (records.length) for (const c of COLUMNS) if (!(c in records[0].record)) throw new DataError(file, 1, c, 'missing column');
  let end = 1; // the header's line
  return records.map(({ record, info }) => {
    const line = end + 1; // a title may hold newlines: a row starts after the previous one ends
    end = info.lines;
    const user = record.user_id?.trim();
    if (!user) throw new DataError(file, line, 'user_id', 'empty');
    const item = record.item_id?.trim();
    if (!/^\d+$/.test(item ?? '')) throw new DataError(file, line, 'item_id', `expected an item id, got ${JSON.stringify(item)}`);
    const history = idList(file, line, record.history_item_id ?? '');
    if (history.length > 10) throw new DataError(file, line, 'history_item_id', `expected at most 10 items, got ${history.length}`);
    for (const [field, id] of [['item_id', item], ...history.map((h) => ['history_item_id', h])] as [string, string][]) {
      if (!known.has(`${domain}:${id}`)) throw new DataError(file, line, field, `unknown item ${id} (not in ${domain}.item.json)`);
    }
    return { line, user: `${domain}:${user}`, item: `${domain}:${item}`, history: history.map((h) => `${domain}:${h}`) };
  });
}

export function importAmazon(o: AmazonImportOptions): AmazonImport {
  const items: ItemRow[] = [];
  const events: ImportedEvent[] = [];
  const stats: AmazonImport['stats'] = {};
  for (const domain of o.domains) {
    const read = readItems(o.from, domain);
    const levels = o.semanticIds ?? 0;
    if (!Number.isInteger(levels) || levels < 0 || levels > SID_LEVELS) throw new ConfigError('semanticIds', `expected 0 to ${SID_LEVELS} levels, got ${levels}`);
    const codes = levels > 0 ? readSemanticIds(o.from, domain, read) : undefined;
    const own = codes ? read.map((it) => withSemanticIds(it, codes.get(it.id)!, levels)) : read;
    items.push(...own);
    const rows = readRows(o.from, domain, new Set(own.map((i) => i.id)));
    const seen = new Set<string>();
    const list: Omit<ImportedEvent, 'split'>[] = [];
    rows.forEach((r, i) => {
      // The first row of a user carries what the user did before it: those events come first.
      if (!seen.has(r.user)) {
        seen.add(r.user);
        const h = r.history;
        h.forEach((item, j) => list.push({ user: r.user, ts: i * SLOTS + (10 - h.length) + j, domain, item, label: 1 }));
      }
      list.push({ user: r.user, ts: i * SLOTS + 10, domain, item: r.item, label: 1 });
    });
    const cut = Math.floor(list.length * o.trainFraction);
    const keep = o.maxTrain === undefined ? cut : Math.min(cut, o.maxTrain);
    const train = list.slice(0, keep).map((e) => ({ ...e, split: 'train' as const }));
    const test = list.slice(cut).map((e) => ({ ...e, split: 'test' as const }));
    events.push(...train, ...test);
    stats[domain] = { rows: rows.length, train: train.length, test: test.length, dropped: cut - keep, users: seen.size, items: own.length, semanticIds: levels };
  }
  return { items, events, stats };
}
