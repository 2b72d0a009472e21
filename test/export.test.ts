/**
 * kindling export: the shards hold exactly the samples `kindling train` builds (the same code builds
 * them, a shard at a time), whole requests per shard, each checked by its SHA-256.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Samples } from '../src/data/dataset.ts';
import { configFromData, loadNodeEncoder, prepareSamples, readDataSet, splitData } from '../src/node/pipeline.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { writeWorld } from '../src/node/world-files.ts';
import type { RankerConfig } from '../src/model/config.ts';
import { historyMatchOn } from '../src/model/history-match.ts';
import { exportSamples, readExport, readShard, shardFields } from '../src/train/export.ts';
import { seenBuckets, seenSparseBuckets, train } from '../src/train/train.ts';
import { mulberry32, randInt } from '../src/util/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-export-'));
const data = join(dir, 'world');
const shuffled = join(dir, 'world-shuffled');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  writeWorld(data, { seed: 9, users: 60, scale: 0.1, userFeatures: true });
  cpSync(data, shuffled, { recursive: true });
  const lines = readFileSync(join(data, 'events.jsonl'), 'utf8').trim().split('\n');
  const rand = mulberry32(4);
  for (let i = lines.length - 1; i > 0; i--) {
    const j = randInt(rand, i + 1);
    [lines[i], lines[j]] = [lines[j], lines[i]];
  }
  writeFileSync(join(shuffled, 'events.jsonl'), lines.join('\n') + '\n');
  await useTrainingBackend();
});

describe('kindling export', () => {
  // The events stream from the file, a pass at a time; a file out of time order is sorted outside memory first.
  // With history match, the stream keeps each training user's clicks (the table and the leave-one-user-out); without, it does not.
  it.each([
    ['in time order', data, {}],
    ['shuffled', shuffled, {}],
    ['in time order, history match', data, { historyMatch: true }],
  ] as [string, string, Partial<RankerConfig>][])('writes the samples train() builds, a shard at a time, whole requests per shard (events %s)', async (_, data, model) => {
    const out = join(dir, 'export');
    const m = await exportSamples({ data, out, negatives: 2, seed: 3, shards: 2, maxShardSamples: 400, excludeDomains: ['miniapps'], model });
    // The reference: the whole split built at once, as train() builds it.
    const d = readDataSet(data);
    const split = splitData(d, { trainFraction: 0.8, negatives: 2, seed: 3, onlyDomains: ['cards', 'search', 'suggest'] });
    const encoder = await loadNodeEncoder({ data });
    const config = configFromData(split.train, d.items, encoder, model, d.users);
    expect(historyMatchOn(config)).toBe(!!model.historyMatch);
    const p = await prepareSamples(d, split, config, encoder, { trainFraction: 0.8, negatives: 2, seed: 3, excludeDomains: ['miniapps'] });
    await encoder.dispose();
    expect(m.config).toEqual(config);
    expect(m.counts).toEqual({ train: p.train.n, test: p.test.n });
    expect(m.idBucketsSeen).toBe(seenBuckets(p.train, config));
    expect(m.sparseBucketsSeen).toBe(seenSparseBuckets(p.train, config));
    const { manifest, textTable } = readExport(out);
    expect(Array.from(textTable)).toEqual(Array.from(p.textTable.dataSync()));
    const { sampleFields, historyFields } = shardFields(config);
    for (const [split, whole] of [['train', p.train], ['test', p.test]] as [string, Samples][]) {
      const entries = manifest.shards.filter((e) => e.split === split);
      expect(entries.length).toBeGreaterThan(2); // maxShardSamples made more shards than asked
      let i = 0;
      for (const e of entries) {
        expect(e.samples).toBeLessThanOrEqual(400 + 20); // a request is finished, never split
        const s = readShard(out, manifest, e);
        if (i > 0) expect(whole.group[i], `${split}: a request split across shards at sample ${i}`).not.toBe(whole.group[i - 1]);
        for (let r = 0; r < s.n; r++, i++) {
          for (const f of sampleFields.filter((f) => !['histOf', 'group', 'user'].includes(f.name))) {
            const a = (s as unknown as Record<string, ArrayLike<number>>)[f.name];
            const b = (whole as unknown as Record<string, ArrayLike<number>>)[f.name];
            for (let j = 0; j < f.width; j++) expect(a[r * f.width + j], `${split} sample ${i} ${f.name}`).toBe(b[i * f.width + j]);
          }
          for (const f of historyFields) {
            const width = f.width;
            const a = (s as unknown as Record<string, ArrayLike<number>>)[f.name];
            const b = (whole as unknown as Record<string, ArrayLike<number>>)[f.name];
            const ra = s.histOf[r];
            const rb = whole.histOf[i];
            for (let j = 0; j < width; j++) expect(a[ra * width + j], `${split} sample ${i} ${f.name}`).toBe(b[rb * width + j]);
          }
          // A request's samples share the shard's history row, as in the whole split.
          if (r > 0 && whole.group[i] === whole.group[i - 1]) expect(s.histOf[r]).toBe(s.histOf[r - 1]);
        }
      }
      expect(i).toBe(whole.n);
    }
    p.textTable.dispose();
  });

  it("a fine-tuning export with history match builds finetune's training samples: its own clicks join the table, each user left out of its own", async () => {
    const foundation = join(dir, 'foundation-match');
    await train({ data, out: foundation, excludeDomains: ['miniapps'], epochs: 1, negatives: 2, seed: 3, model: { historyLength: 8, historyMatch: true } });
    const out = join(dir, 'export-ft-match');
    // A domain the foundation trained on: its items have co-visits in the foundation's table, and more from its own split.
    const m = await exportSamples({ data, out, from: foundation, domain: 'cards', negatives: 2, seed: 3, shards: 1 });
    const before = JSON.parse(readFileSync(join(foundation, 'model.json'), 'utf8')).kindling.config.covisits as string;
    expect(m.config.covisits).not.toBe(before); // the same pairs, counted again
    const shard = readShard(out, m, m.shards.find((e) => e.split === 'train')!);
    // In memory, as finetune builds them (prepareSamples with the fine-tune's config).
    const d = readDataSet(data);
    const split = splitData(d, { trainFraction: 0.8, negatives: 2, seed: 3, onlyDomains: ['cards'] });
    const encoder = await loadNodeEncoder({ data });
    const p = await prepareSamples(d, split, m.config, encoder, { trainFraction: 0.8, negatives: 2, seed: 3 });
    await encoder.dispose();
    const Ni = m.config.itemFeatures.numeric.length;
    const match = (s: Samples) => Array.from({ length: s.n * 2 }, (_, i) => s.itemNum[Math.floor(i / 2) * Ni + Ni - 2 + (i % 2)]);
    expect(match(shard)).toEqual(match(p.train));
    expect(match(p.train).filter((x, i) => i % 2 && x > 0).length).toBeGreaterThan(10);
    p.textTable.dispose();
  });

  it('a fine-tuning export from a foundation without history match keeps no clicks and ships no table', async () => {
    const foundation = join(dir, 'foundation-plain');
    await train({ data, out: foundation, excludeDomains: ['miniapps'], epochs: 1, negatives: 2, seed: 3, model: { historyLength: 8 } });
    const m = await exportSamples({ data, out: join(dir, 'export-ft-plain'), from: foundation, domain: 'miniapps', negatives: 2, seed: 3, shards: 1 });
    expect(m.config.covisits).toBeUndefined();
    expect(m.counts.train).toBeGreaterThan(0);
  });

  it('refuses a shard whose bytes changed, by name', async () => {
    const out = join(dir, 'export-bad');
    const m = await exportSamples({ data, out, shards: 2, excludeDomains: ['miniapps'] });
    const entry = m.shards[0];
    const path = join(out, entry.file);
    const bytes = readFileSync(path);
    bytes[10] ^= 1;
    writeFileSync(path, bytes);
    expect(() => readShard(out, m, entry)).toThrow(`${entry.file}: checksum mismatch`);
  });
});
