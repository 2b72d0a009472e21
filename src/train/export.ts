/**
 * exportSamples(options): the model's exact input arrays, written as binary shards for a trainer
 * elsewhere (python/kindling_torch: PyTorch DistributedDataParallel). TypeScript stays the only
 * place that builds samples: the split, negatives, histories, hashing, known IDs and text vectors
 * all come from the same code `train()` uses, so the shards hold what `train()` would train on.
 *
 * Layout of <out>/ (docs/EXPORT.md):
 *   manifest.json      format, the model's config and parameter specs, the encoder, the fields,
 *                      every shard with its counts and SHA-256, and the ID buckets training touches
 *   text-table.f32     [rows × dim] float32: row 0 is "no text", the rest the encoder's vectors
 *   train-00000.bin …  whole requests: first every sample field ([samples × width] each, in the
 *   test-00000.bin     manifest's order), then every history field ([histRows × width] each);
 *                      little-endian int32 or float32; histOf indexes the shard's own history rows
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Samples } from '../data/dataset.ts';
import { ConfigError, DataError } from '../errors.ts';
import { featureCounts, historyFeaturesOn, type RankerConfig } from '../model/config.ts';
import { withKnownIds } from '../model/known-ids.ts';
import { historyMatchOn, withCovisitsAdded } from '../model/history-match.ts';
import { disposeParams, paramSpecs, type ParamSpec } from '../model/params.ts';
import { WEIGHTS_FILE } from '../model/serialize.ts';
import { configFromStats, loadNodeEncoder, readItems, readUsers, wantsClicks } from '../node/pipeline.ts';
import { openEventFile } from '../node/event-file.ts';
import { sampleChunks, scanEvents, streamContext, streamTextTable, type StreamSpec } from '../node/sample-stream.ts';
import { loadRanker } from '../node/ranker-files.ts';
import { learnableKeys, withDomain } from './finetune.ts';
import { checkDataOptions, checkNumbers, DATA_DEFAULTS, sampleDomains, withDefaults, type DataOptions } from './data-options.ts';
import { markSeenBuckets, markSeenSparseBuckets } from './train.ts';

export const EXPORT_FORMAT = 'kindling-samples';
export const EXPORT_VERSION = 1;

export interface ExportOptions extends DataOptions {
  out: string;
  /**
   * Shards per split: this many, or a multiple of it when maxShardSamples asks for more (each holds
   * whole requests; default 4). Give the trainer's world size or a multiple of it, so that every rank
   * gets as many samples.
   */
  shards?: number;
  /**
   * Samples per shard, at most (a request is never split, so it may be passed by one request; default
   * 50,000): more samples make more shards, so the export holds one shard's samples whatever the data's size.
   */
  maxShardSamples?: number;
  /** The network's shape and switches, as train()'s `model` (they decide the config the shards fit). */
  model?: Partial<RankerConfig>;
  /**
   * For fine-tuning elsewhere: the foundation model's folder and the domain to fine-tune on. The
   * samples are that domain's, encoded for the foundation's config with the domain in a row of its
   * own (as `finetune` does), and the manifest's `from` says which foundation they fit.
   */
  from?: string;
  domain?: string;
  /** Called after each shard is written (the CLI draws a progress bar from it). */
  onShard?: (p: ShardProgress) => void;
}

export interface ShardProgress {
  split: 'train' | 'test';
  /** The shard just written: its entry, and how many of the split's samples are written so far, of how many. */
  shard: ShardEntry;
  written: number;
  total: number;
}

/** What a fine-tuning export fits: the foundation (by its weights' SHA-256) and the domain's row. */
export interface ExportFrom {
  model: string;
  sha256: string;
  domain: string;
  /** The domain's row; it is new when the foundation did not know the domain. */
  domainRow: number;
  isNew: boolean;
  /** The foundation's trained ID buckets (what --freeze keeps frozen). */
  idBucketsSeen?: string;
  /** The foundation's trained sparse-table rows (likewise; absent for a foundation saved before it recorded them). */
  sparseBucketsSeen?: string;
}

export interface FieldSpec {
  name: string;
  dtype: 'int32' | 'float32';
  /** Values per row. */
  width: number;
}

export interface ShardEntry {
  file: string;
  split: 'train' | 'test';
  samples: number;
  histRows: number;
  bytes: number;
  sha256: string;
}

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  version: number;
  config: RankerConfig;
  /** The network's parameters (src/model/params.ts paramSpecs), in the order weights.bin stores them. */
  params: ParamSpec[];
  encoderId: string;
  textTable: { file: string; rows: number; dim: number; sha256: string };
  sampleFields: FieldSpec[];
  historyFields: FieldSpec[];
  shards: ShardEntry[];
  counts: { train: number; test: number };
  /** What the samples were built with, for the record. */
  options: { data: string; trainFraction: number; negatives: number; seed: number; domains?: string[]; excludeDomains?: string[] };
  /** The ID buckets the training samples touch (what finetune's freeze keeps), as train() records. */
  idBucketsSeen: string;
  /** The sparse-table rows the training samples touch, as train() records them. */
  sparseBucketsSeen: string;
  /** A fine-tuning export: the foundation it fits. */
  from?: ExportFrom;
}

/** The fields of a shard, in file order, for a config. */
export function shardFields(c: RankerConfig): { sampleFields: FieldSpec[]; historyFields: FieldSpec[] } {
  const { Fi, Ni, Fe, Ne, Fu, Nu } = featureCounts(c);
  const N = c.historyLength;
  const i = (name: string, width = 1): FieldSpec => ({ name, dtype: 'int32', width });
  const f = (name: string, width = 1): FieldSpec => ({ name, dtype: 'float32', width });
  return {
    sampleFields: [i('itemId'), i('itemText'), i('itemCat', Fi), f('itemNum', Ni), i('queryId'), i('queryText'), i('ctxCat', Fe), f('ctxNum', Ne), i('domain'), f('itemIdKnown'), f('queryIdKnown'), f('label'), f('relevance'), f('relMask'), i('histOf'), i('group'), i('user'), i('cold')],
    historyFields: [
      i('histId', N), i('histText', N), i('histDomain', N), i('histAction', N), f('histMask', N), f('histIdKnown', N), i('userCat', Fu), f('userNum', Nu),
      // Each event's item features, only for a model that reads them (older exports have none).
      ...(historyFeaturesOn(c) ? [i('histCat', N * Fi), f('histNum', N * Ni)] : []),
    ],
  };
}

/** A foundation's config, weights checksum and trained ID buckets, from its model.json alone. */
async function readFoundation(dir: string): Promise<{ config: RankerConfig; sha256: string; idBucketsSeen?: string; sparseBucketsSeen?: string }> {
  const { params, manifest } = await loadRanker(dir); // checks the weights against their checksum
  disposeParams(params);
  const t = manifest.training;
  return { config: manifest.config, sha256: manifest.checksums[WEIGHTS_FILE], idBucketsSeen: t.idBucketsSeen as string | undefined, sparseBucketsSeen: t.sparseBucketsSeen as string | undefined };
}

/** One shard's bytes: the samples' own fields, then their history rows (buildSamples made them for these samples alone). */
function shardBytes(s: Samples, c: RankerConfig): Uint8Array {
  const { sampleFields, historyFields } = shardFields(c);
  const parts: ArrayBufferView[] = [];
  const source = s as unknown as Record<string, Int32Array | Float32Array | Uint8Array>;
  for (const [rows, fields] of [[s.n, sampleFields], [s.histRows, historyFields]] as const) {
    for (const fd of fields) {
      const out = fd.dtype === 'int32' ? new Int32Array(rows * fd.width) : new Float32Array(rows * fd.width);
      out.set(source[fd.name].subarray(0, rows * fd.width));
      parts.push(out);
    }
  }
  const bytes = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return bytes;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export async function exportSamples(options: ExportOptions): Promise<ExportManifest> {
  checkDataOptions(options);
  checkNumbers([['shards', options.shards, 1, 100_000, true], ['maxShardSamples', options.maxShardSamples, 100, 1e8, true]]);
  const o = withDefaults({ ...DATA_DEFAULTS, shards: 4, maxShardSamples: 50_000 }, options);
  if (!!o.from !== !!o.domain) throw new ConfigError(o.from ? 'domain' : 'from', 'a fine-tuning export needs both the foundation (from) and the domain');
  const foundation = o.from ? await readFoundation(o.from) : undefined;
  if (foundation && o.model && Object.keys(o.model).length) throw new ConfigError('model', "a fine-tuning export takes the foundation's network as it is");
  // The events stream (read a block at a time, sorted outside memory if they are out of order);
  // the catalogue and the users are held.
  const items = readItems(o.data);
  const file = openEventFile(join(o.data, 'events.jsonl'), items);
  try {
    const users = readUsers(o.data);
    const spec: StreamSpec = { ...o, domains: o.domain ? [o.domain] : sampleDomains([...file.domains.keys()].map((domain) => ({ domain })), o) };
    // Each user's clicked items only where the model has history match (the foundation's config, or a new one's options).
    const scan = scanEvents(file, items, spec, { clicks: foundation ? historyMatchOn(foundation.config) : wantsClicks(o.model ?? {}) });
    const encoder = await loadNodeEncoder(o);
    try {
      let from: ExportFrom | undefined;
      let config: RankerConfig;
      if (foundation) {
        // As finetune(): the domain's own row, and the IDs its training split clicks (less those in frozen rows) added to the known set.
        const c = withDomain(foundation.config, o.domain!);
        config = withCovisitsAdded(withKnownIds(c, learnableKeys(scan.train.seen.keys(), foundation.idBucketsSeen, c.idBuckets)), () => scan.train.clicks.values());
        const domainRow = c.domains.indexOf(o.domain!);
        from = { model: o.from!, sha256: foundation.sha256, domain: o.domain!, domainRow, isNew: c !== foundation.config, idBucketsSeen: foundation.idBucketsSeen, ...(foundation.sparseBucketsSeen ? { sparseBucketsSeen: foundation.sparseBucketsSeen } : {}) };
      } else config = configFromStats(scan.train, items, encoder, o.model ?? {}, users);
      if (encoder.id !== config.encoderId) throw new DataError('(model)', 0, 'encoder', `the model was trained on encoder ${config.encoderId}, but ${encoder.id} is loaded`);
      const table = await streamTextTable(file, items, spec, scan, encoder);
      const context = streamContext(config, items, users, scan, table);
      // Written into a temporary folder, renamed at the end: nothing half-written is left as an export.
      const tmp = `${o.out}.partial`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      try {
        const tableBytes = new Uint8Array(table.data.buffer, table.data.byteOffset, table.data.byteLength);
        writeFileSync(join(tmp, 'text-table.f32'), tableBytes);
        const shards: ShardEntry[] = [];
        const counts = { train: 0, test: 0 };
        const seen = new Uint8Array(Math.ceil(config.idBuckets / 8));
        const sparseSeen = new Uint8Array(Math.ceil(config.sparseBuckets / 8));
        // A shard at a time: only one shard's samples are ever in memory (at most about maxShardSamples).
        for (const split of ['train', 'test'] as const) {
          // A multiple of `shards`: exported with --shards = the world size (or a multiple of it), every rank gets as many shards, of about equal size.
          const count = o.shards * Math.ceil(Math.max(1, Math.ceil(scan.samples[split] / o.maxShardSamples)) / o.shards);
          let k = 0;
          for (const s of sampleChunks(file, items, spec, scan, context, split, count)) {
            if (split === 'train') {
              markSeenBuckets(s, config, seen);
              markSeenSparseBuckets(s, config, sparseSeen);
            }
            const bytes = shardBytes(s, config);
            const name = `${split}-${String(k++).padStart(5, '0')}.bin`;
            writeFileSync(join(tmp, name), bytes);
            shards.push({ file: name, split, samples: s.n, histRows: s.histRows, bytes: bytes.byteLength, sha256: sha(bytes) });
            counts[split] += s.n;
            o.onShard?.({ split, shard: shards[shards.length - 1], written: counts[split], total: scan.samples[split] });
          }
        }
        const manifest: ExportManifest = {
          format: EXPORT_FORMAT,
          version: EXPORT_VERSION,
          config,
          params: paramSpecs(config),
          encoderId: encoder.id,
          textTable: { file: 'text-table.f32', rows: table.rows, dim: table.dim, sha256: sha(tableBytes) },
          ...shardFields(config),
          shards,
          counts,
          options: { data: o.data, trainFraction: o.trainFraction, negatives: o.negatives, seed: o.seed, domains: o.domains, excludeDomains: o.excludeDomains },
          idBucketsSeen: Buffer.from(seen).toString('base64'),
          sparseBucketsSeen: Buffer.from(sparseSeen).toString('base64'),
          ...(from ? { from } : {}),
        };
        writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
        rmSync(o.out, { recursive: true, force: true });
        renameSync(tmp, o.out);
        return manifest;
      } catch (err) {
        rmSync(tmp, { recursive: true, force: true });
        throw err;
      }
    } finally {
      await encoder.dispose();
    }
  } finally {
    file.close();
  }
}

/**
 * One shard read back as Samples (its own history rows; metrics' fields as stored), checked against
 * the manifest's SHA-256: what a trainer reading the export sees.
 */
export function readShard(folder: string, m: ExportManifest, entry: ShardEntry): Samples {
  const path = join(folder, entry.file);
  if (!existsSync(path)) throw new ConfigError('shard', `${path}: not found`);
  const buf = readFileSync(path);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (sha(bytes) !== entry.sha256) throw new ConfigError('shard', `${path}: checksum mismatch: truncated or corrupt`);
  const out: Record<string, unknown> = { n: entry.samples, histRows: entry.histRows };
  let at = 0;
  for (const [rows, fields] of [[entry.samples, m.sampleFields], [entry.histRows, m.historyFields]] as const) {
    for (const fd of fields) {
      const count = rows * fd.width;
      const copy = bytes.slice(at, at + count * 4);
      out[fd.name] = fd.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
      at += count * 4;
    }
  }
  if (at !== bytes.byteLength) throw new ConfigError('shard', `${path}: ${bytes.byteLength} bytes, the manifest's fields need ${at}`);
  out.cold = Uint8Array.from(out.cold as Int32Array);
  out.domainName = Array.from(out.domain as Int32Array, (d) => m.config.domains[d]);
  return out as unknown as Samples;
}

/** The export's manifest and text table. */
export function readExport(folder: string): { manifest: ExportManifest; textTable: Float32Array } {
  const path = join(folder, 'manifest.json');
  if (!existsSync(path)) throw new ConfigError('export', `${path}: not found`);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ExportManifest;
  if (manifest.format !== EXPORT_FORMAT) throw new ConfigError('export', `${path}: not a Kindling export`);
  const t = readFileSync(join(folder, manifest.textTable.file));
  const tb = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
  if (sha(tb) !== manifest.textTable.sha256) throw new ConfigError('export', `${join(folder, manifest.textTable.file)}: checksum mismatch`);
  return { manifest, textTable: new Float32Array(tb.slice().buffer) };
}
