/**
 * From a data folder to model-ready samples, in Node: read and check the JSON Lines files,
 * split by time, sample negatives, encode every text once (file-cached), build the samples.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildSamples, featureConfig, firstSeen, sampleNegatives, sampleTexts, splitEvents, type SampleContext, type Samples } from '../data/dataset.ts';
import { historiesFrom, historyTexts } from '../data/histories.ts';
import { TrainStats } from '../data/train-stats.ts';
import { sortedByTime } from '../data/order.ts';
import { encodeKnownIds } from '../model/known-ids.ts';
import { historyMatchOn, withHistoryMatch } from '../model/history-match.ts';
import { parseEvent, parseItem, parseUser, type EventRow, type ItemRow } from '../data/schema.ts';
import type { Features } from '../features/features.ts';
import { encodeTextTable, type TextTable } from '../features/text-table.ts';
import { ACTION_ROWS, actionRow } from '../features/actions.ts';
import { ConfigError, DataError } from '../errors.ts';
import { DEFAULT_RANKER, GENERIC_DOMAIN, type RankerConfig } from '../model/config.ts';
import { popularityScores, textCosineScores, type Baseline } from '../eval/baselines.ts';
import { createEncoder, type Encoder } from './index.ts';
import { readJsonl } from './jsonl.ts';
import { vectorFileEncoder } from './vector-file.ts';

export interface DataSet {
  items: Map<string, ItemRow>;
  events: EventRow[];
  /** users.jsonl, when the folder has one: each user's features. */
  users?: Map<string, Features | undefined>;
}

export function readDataSet(dir: string): DataSet {
  const items = readItems(dir);
  const events = readJsonl(join(dir, 'events.jsonl'), parseEvent);
  for (const e of events) if (!items.has(e.item)) throw new DataError('events.jsonl', e.line, 'item', `unknown item ${JSON.stringify(e.item)} (not in items.jsonl)`);
  const users = readUsers(dir);
  return users ? { items, events, users } : { items, events };
}

export function readItems(dir: string): Map<string, ItemRow> {
  const items = new Map<string, ItemRow>();
  readJsonl(join(dir, 'items.jsonl'), parseItem).forEach((it, i) => {
    if (items.has(it.id)) throw new DataError('items.jsonl', i + 1, 'id', `duplicate id ${JSON.stringify(it.id)}`);
    items.set(it.id, it);
  });
  return items;
}

/** users.jsonl, when the folder has one: each user's features. */
export function readUsers(dir: string): Map<string, Features | undefined> | undefined {
  if (!existsSync(join(dir, 'users.jsonl'))) return undefined;
  const users = new Map<string, Features | undefined>();
  readJsonl(join(dir, 'users.jsonl'), parseUser).forEach((u, i) => {
    if (users.has(u.id)) throw new DataError('users.jsonl', i + 1, 'id', `duplicate id ${JSON.stringify(u.id)}`);
    users.set(u.id, u.features);
  });
  return users;
}

export interface PrepareOptions {
  trainFraction: number;
  negatives: number;
  seed: number;
  /** Keep only these domains' events (fine-tuning, single-domain baselines). */
  onlyDomains?: string[];
  /**
   * Domains that do not exist for this run (`--exclude-domains`, e.g. the held-out cold-start
   * domain while pretraining): their events are neither samples nor anyone's history.
   */
  excludeDomains?: string[];
}

export interface Prepared {
  train: Samples;
  test: Samples;
  /** With --valid: the held-out end of the training period, which picks the epoch. */
  valid?: Samples;
  textTable: tf.Tensor2D;
  trainEvents: EventRow[];
  testEvents: EventRow[];
  /** What the samples were built from: buildSamples(testEvents, {...context, config}) scores another model on the same events. */
  context: SampleContext;
}

/** A new model's config from the training split (domains, features) and the caller's choices. */
export function configFromData(train: EventRow[], items: Map<string, ItemRow>, encoder: Encoder, overrides: Partial<RankerConfig>, users?: Map<string, Features | undefined>): RankerConfig {
  return configFromStats(TrainStats.of(train, { clicks: wantsClicks(overrides) }), items, encoder, overrides, users);
}

/** Whether a new model made with these overrides needs the training users' clicks (TrainStats' `clicks`). */
export const wantsClicks = (overrides: Partial<RankerConfig>) => !!{ ...DEFAULT_RANKER, ...overrides }.historyMatch;

/** configFromData from the training split's statistics (a stream's, gathered an event at a time). */
export function configFromStats(train: TrainStats, items: Map<string, ItemRow>, encoder: Encoder, overrides: Partial<RankerConfig>, users?: Map<string, Features | undefined>): RankerConfig {
  const domains = [GENERIC_DOMAIN, ...[...train.domains].sort()];
  const c: RankerConfig = {
    ...DEFAULT_RANKER,
    actions: [...ACTION_ROWS],
    textDim: encoder.dim,
    encoderId: encoder.id,
    itemFeatures: featureConfig([...train.items].map((id) => items.get(id)!.features)),
    contextFeatures: train.context.config(),
    ...(users ? { userFeatures: featureConfig([...train.users].map((u) => users.get(u))) } : {}),
    domains,
    ...overrides,
  };
  if (c.unknownIds === 'mask') c.knownIds = encodeKnownIds(train.seen.keys());
  if (c.domains.length > c.maxDomains) throw new DataError('events.jsonl', 0, 'domain', `${c.domains.length - 1} domains; the model has room for ${c.maxDomains - 1}`);
  if (c.matchFeatures && !c.historyMatch) throw new ConfigError('model.matchFeatures', 'only with historyMatch (--history-match)');
  if (c.historyMatch) {
    if (!c.aspects.includes('sparse')) throw new ConfigError('model.historyMatch', 'needs the sparse aspect (it adds two numeric item features); drop --no-sparse or --history-match');
    if (c.matchFeatures && !c.itemFeatures.categorical.length) throw new ConfigError('model.matchFeatures', "needs a categorical item feature, and the training split's items have none; drop --match-features");
    return withHistoryMatch(c, train.clicks.values());
  }
  return c;
}

export function splitData(data: DataSet, o: PrepareOptions): { train: EventRow[]; test: EventRow[] } {
  const events = o.onlyDomains ? data.events.filter((e) => o.onlyDomains!.includes(e.domain)) : data.events;
  if (!events.length) throw new DataError('events.jsonl', 0, 'domain', `no events for ${o.onlyDomains?.join(', ')}`);
  return splitEvents(events, { trainFraction: o.trainFraction });
}

/**
 * Holds out the latest `fraction` of the training split (by time) as a validation set, which
 * picks the epoch to keep (`--valid F`); nothing of the test split is looked at.
 */
export function holdOutValidation(split: { train: EventRow[]; test: EventRow[] }, fraction: number | undefined): { train: EventRow[]; test: EventRow[]; valid?: EventRow[] } {
  if (!fraction) return split;
  // By time alone: the training events may name their split ("train"), which says nothing here.
  const sorted = sortedByTime(split.train);
  const cut = Math.floor(sorted.length * (1 - fraction));
  const inner = { train: sorted.slice(0, cut), test: sorted.slice(cut) };
  if (!inner.train.length || !inner.test.length) throw new DataError('events.jsonl', 0, 'split', `--valid ${fraction} leaves no events to train or to validate on`);
  return { train: inner.train, valid: inner.test, test: split.test };
}

/** What samples are built from: the events with their sampled negatives, and the context (histories, text table). */
export interface PreparedEvents {
  trainEvents: EventRow[];
  testEvents: EventRow[];
  validEvents?: EventRow[];
  context: SampleContext;
  table: TextTable;
}

export async function prepareSamples(data: DataSet, split: { train: EventRow[]; test: EventRow[]; valid?: EventRow[] }, config: RankerConfig, encoder: Encoder, o: PrepareOptions): Promise<Prepared> {
  const { trainEvents, testEvents, validEvents, context: ctx, table } = await prepareEvents(data, split, config, encoder, o);
  const valid = validEvents ? buildSamples(validEvents, ctx) : undefined;
  // Training samples leave their own user out of the co-visitation counts (src/model/history-match.ts).
  const trainCtx = historyMatchOn(config) ? { ...ctx, leaveOut: TrainStats.of(split.train, { clicks: true }).clicks } : ctx;
  return { train: buildSamples(trainEvents, trainCtx), test: buildSamples(testEvents, ctx), valid, textTable: tf.tensor2d(table.data, [table.rows, table.dim]), trainEvents, testEvents, context: ctx };
}

/** prepareSamples' first half: the events to build samples from, and their context (kindling export builds them a shard at a time). */
export async function prepareEvents(data: DataSet, split: { train: EventRow[]; test: EventRow[]; valid?: EventRow[] }, config: RankerConfig, encoder: Encoder, o: PrepareOptions): Promise<PreparedEvents> {
  if (encoder.id !== config.encoderId) throw new DataError('(model)', 0, 'encoder', `the model was trained on encoder ${config.encoderId}, but ${encoder.id} is loaded`);
  const trainEvents = sampleNegatives(split.train, data.items, o.negatives, o.seed);
  const testEvents = sampleNegatives(split.test, data.items, o.negatives, o.seed + 1);
  const validEvents = split.valid ? sampleNegatives(split.valid, data.items, o.negatives, o.seed + 2) : [];
  // Histories see every real event before a sample, in every domain, whichever domains the samples
  // come from: in the page the store records the user's behaviour across scenarios as it happens,
  // and a new scenario's first users arrive with the history they made elsewhere.
  const exclude = new Set(o.excludeDomains ?? []);
  const historyEvents = exclude.size ? data.events.filter((e) => !exclude.has(e.domain)) : data.events;
  const histories = historiesFrom(historyEvents, data.items);
  const texts = new Set<string>();
  for (const e of [...trainEvents, ...validEvents, ...testEvents]) sampleTexts(e, data.items, (t) => texts.add(t));
  historyTexts(sortedByTime(historyEvents), data.items, (t) => texts.add(t));
  const table = await encodeTextTable(texts, (t) => encoder.encode(t), encoder.dim);
  // Warm: seen in the training period (validation events are part of it).
  const warmItems = new Set([...split.train, ...(split.valid ?? [])].map((e) => e.item));
  const context: SampleContext = { config, items: data.items, histories, textRow: table.row, warmItems, users: data.users, knownSince: firstSeen(split.train) };
  return { trainEvents, testEvents, validEvents: split.valid ? validEvents : undefined, context, table };
}

/** The shipped encoder (or the one in `models`), with a file cache in the data folder; or, with `textVectors`, vectors computed offline. */
export async function loadNodeEncoder(o: { data: string; textVectors?: string; models?: string }): Promise<Encoder> {
  if (o.textVectors) return vectorFileEncoder(o.textVectors);
  return createEncoder({ cacheDir: join(o.data, '.kindling-vectors'), ...(o.models ? { modelBase: o.models } : {}) });
}

/** The baselines' scores for the test samples: popularity in the training split, text cosine with the history. */
export function baselineScores(p: Prepared, config: RankerConfig): Record<Baseline, Float32Array> {
  const clicks = p.trainEvents.filter((e) => e.label === 1 && e.line > 0).map((e) => e.item);
  return {
    popularity: popularityScores(clicks, p.testEvents.map((e) => e.item)),
    text_cosine: textCosineScores(p.test, p.textTable.dataSync() as Float32Array, p.textTable.shape[1], config.historyLength, actionRow(config, 'click')),
  };
}
