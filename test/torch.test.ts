/**
 * The PyTorch twin (python/kindling_torch) against the TF.js network it copies, on `kindling
 * export`'s shards: the same weights and the same samples give the same probabilities within 1e-4,
 * for the shipped configuration and a sweep of switches; the model files it writes are the ones
 * the CLI reads. Needs /usr/bin/python3 with PyTorch (Debian's python3-torch; .ci/run installs it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RankerConfig } from '../src/model/config.ts';
import { disposeParams, initParams } from '../src/model/params.ts';
import { saveRanker } from '../src/node/ranker-files.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { writeWorld } from '../src/node/world-files.ts';
import { exportSamples, readExport, readShard } from '../src/train/export.ts';
import { predictRanker } from '../src/train/trainer.ts';
import { hasTorch, runPython } from './helpers/torch.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-torch-'));
const data = join(dir, 'world');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const torch = hasTorch();

beforeAll(async () => {
  if (!torch && process.env.CI) throw new Error('PyTorch is missing: install python3-torch (apt-get install --no-install-recommends python3-torch)');
  writeWorld(data, { seed: 11, users: 60, scale: 0.08, userFeatures: true });
  await useTrainingBackend();
});

/** TF.js's probabilities for every sample of the export's test split, in shard order. */
function tfjsPredictions(folder: string, params: ReturnType<typeof initParams>, config: RankerConfig) {
  const { manifest, textTable } = readExport(folder);
  const table = tf.tensor2d(textTable, [manifest.textTable.rows, manifest.textTable.dim]);
  const ctr: number[] = [];
  const rel: number[] = [];
  for (const entry of manifest.shards.filter((s) => s.split === 'test')) {
    const s = readShard(folder, manifest, entry);
    const p = predictRanker(params, config, s, table);
    ctr.push(...p.ctr);
    rel.push(...p.rel);
  }
  table.dispose();
  return { ctr, rel };
}

const SWEEP: [string, Partial<RankerConfig>][] = [
  ['shipped (domain gating, DA + JS, masked IDs)', {}],
  ['mean gating, no DA, hashed IDs', { gating: 'mean', domainAdaptive: false, unknownIds: 'hash' }],
  ['cls gating, MMD, no ID aspect', { gating: 'cls', reg: 'mmd', aspects: ['text', 'sparse'] }],
  ['no text, short history', { aspects: ['id', 'sparse'], historyLength: 7 }],
];

describe.skipIf(!torch && !process.env.CI)('the PyTorch twin', () => {
  it.each(SWEEP)('scores as TF.js does within 1e-4: %s', async (name, model) => {
    const folder = join(dir, `export-${name.replace(/\W+/g, '-')}`);
    const m = await exportSamples({ data, out: folder, negatives: 2, shards: 2, excludeDomains: ['miniapps'], model });
    const params = initParams(m.config, 7);
    const saved = join(folder, 'model');
    await saveRanker(saved, params, m.config, { command: 'test' });
    const want = tfjsPredictions(folder, params, m.config);
    disposeParams(params);
    const out = join(folder, 'torch.json');
    const r = runPython('forward', ['--export', folder, '--model', saved, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const got = JSON.parse(readFileSync(out, 'utf8')) as { ctr: number[]; rel: number[] };
    expect(got.ctr.length).toBe(m.counts.test);
    const diff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
    expect(diff(got.ctr, want.ctr)).toBeLessThan(1e-4);
    expect(diff(got.rel, want.rel)).toBeLessThan(1e-4);
    // The probabilities are not all alike: the comparison has something to compare.
    expect(Math.max(...want.ctr) - Math.min(...want.ctr)).toBeGreaterThan(1e-3);
  });

  it('names a corrupt shard', async () => {
    const folder = join(dir, 'export-corrupt');
    const m = await exportSamples({ data, out: folder, negatives: 2, shards: 2, excludeDomains: ['miniapps'] });
    const params = initParams(m.config, 7);
    await saveRanker(join(folder, 'model'), params, m.config, { command: 'test' });
    disposeParams(params);
    const shard = m.shards.find((s) => s.split === 'test')!.file;
    writeFileSync(join(folder, shard), readFileSync(join(folder, shard)).subarray(0, 100));
    const r = runPython('forward', ['--export', folder, '--model', join(folder, 'model')]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`${shard}: checksum mismatch`);
  });
});
