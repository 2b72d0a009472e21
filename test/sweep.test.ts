/**
 * kindling_torch.sweep (python/kindling_torch/sweep.py) and the packing that carries its exports
 * (scripts/sweep-pack.ts): runs side by side, scored after every epoch, the same model as
 * kindling_torch.train's; another network shape over the same samples; packed text tables rebuilt
 * byte for byte; a bad job named, a failed run a row. Needs /usr/bin/python3 with PyTorch.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paramSpecs } from '../src/model/params.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { writeWorld } from '../src/node/world-files.ts';
import { exportSamples } from '../src/train/export.ts';
import { stageFolders } from '../scripts/sweep-pack.ts';
import { hasTorch, runPython } from './helpers/torch.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const torch = hasTorch();
const root = join(dir, 'exports');
const staged = join(dir, 'staged');

beforeAll(async () => {
  if (!torch && process.env.CI) throw new Error('PyTorch is missing: install python3-torch (apt-get install --no-install-recommends python3-torch)');
  const world = join(dir, 'world');
  writeWorld(world, { seed: 12, users: 50, scale: 0.06 });
  await useTrainingBackend();
  for (const seed of [3, 4]) await exportSamples({ data: world, out: join(root, `ex-s${seed}`), negatives: 2, seed, shards: 1 });
  // A wider network over the same samples, as scripts/sweep-real.ts writes it.
  const m = JSON.parse(readFileSync(join(root, 'ex-s3', 'manifest.json'), 'utf8'));
  const config = { ...m.config, hidden: 48, expertDim: 40 };
  writeFileSync(join(root, 'ex-s3', 'manifest.wide.json'), JSON.stringify({ ...m, config, params: paramSpecs(config) }));
}, 120_000);

const rows = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe.skipIf(!torch)('kindling_torch.sweep', () => {
  it('packs the text tables once: distinct vectors in canon.f32, each export its row indices', () => {
    const { folders, vectors } = stageFolders(root, (n) => n.startsWith('ex-'), staged);
    expect(folders).toBe(2);
    const rowsOf = (seed: number) => JSON.parse(readFileSync(join(root, `ex-s${seed}`, 'manifest.json'), 'utf8')).textTable.rows as number;
    expect(vectors).toBeLessThan(rowsOf(3) + rowsOf(4)); // the two tables share their texts
    expect(readFileSync(join(staged, 'canon.f32')).length).toBe(vectors * 4 * JSON.parse(readFileSync(join(root, 'ex-s3', 'manifest.json'), 'utf8')).textTable.dim);
    expect(readFileSync(join(staged, 'ex-s3', 'text-table.idx')).length).toBe(rowsOf(3) * 4);
  });

  it('trains runs side by side from the packed exports, scores every epoch, and each run is the model kindling_torch.train makes', () => {
    const jobs = [
      { name: 'base', data: 'w', seed: 3, export: 'ex-s3', epochs: 2, batch: 128 },
      { name: 'base', data: 'w', seed: 4, export: 'ex-s4', epochs: 2, batch: 128 },
      { name: 'wide', data: 'w', seed: 3, export: 'ex-s3', epochs: 1, batch: 128, manifest: 'manifest.wide.json' },
      { name: 'no-hist-dropout', data: 'w', seed: 3, export: 'ex-s3', epochs: 1, batch: 128, set: { histIdDropout: 0 } },
    ];
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
    const out = join(dir, 'results.jsonl');
    const r = runPython('sweep', ['--jobs', join(dir, 'jobs.json'), '--root', staged, '--out', out, '--procs', '2']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('2 text tables rebuilt');
    // Rebuilt byte for byte (each run's read also checks the manifest's SHA-256).
    expect(readFileSync(join(staged, 'ex-s4', 'text-table.f32')).equals(readFileSync(join(root, 'ex-s4', 'text-table.f32')))).toBe(true);
    const got = rows(out);
    expect(got).toHaveLength(6);
    const base3 = got.filter((x) => x.name === 'base' && x.seed === 3).sort((a, b) => a.epoch - b.epoch);
    expect(base3.map((x) => x.epoch)).toEqual([1, 2]);
    for (const x of got) {
      expect(x.auc).toBeGreaterThan(0.5);
      expect(x.auc).toBeLessThan(1);
      expect(x.warm).toBeGreaterThan(0);
      expect(x.device).toMatch(/^cpu: \d+ cores \(torch /);
    }
    // The sweep's run of 2 epochs is kindling_torch.train's: the same initial values, samples, batches and dropout draws.
    const single = join(dir, 'single');
    const t = runPython('train', ['--export', join(root, 'ex-s3'), '--out', single, '--epochs', '2', '--batch', '128', '--seed', '3']);
    expect(t.code, t.err).toBe(0);
    expect(base3[1].auc).toBeCloseTo(JSON.parse(readFileSync(join(single, 'eval.json'), 'utf8')).auc, 4);
    // Another shape and another config value train other models.
    const wide = got.find((x) => x.name === 'wide')!;
    const noDrop = got.find((x) => x.name === 'no-hist-dropout')!;
    expect(wide.auc).not.toBe(base3[0].auc);
    expect(noDrop.auc).not.toBe(base3[0].auc);
  }, 300_000);

  it('names a bad job and field, and makes a failed run a row of the results while the others go on', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ name: 'a', data: 'w', seed: 1, export: 'ex-s3' }]));
    const bad = runPython('sweep', ['--jobs', join(dir, 'bad.json'), '--root', root, '--out', join(dir, 'never.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('job 0: epochs: missing');
    writeFileSync(join(dir, 'mixed.json'), JSON.stringify([
      { name: 'missing-shape', data: 'w', seed: 3, export: 'ex-s3', epochs: 1, manifest: 'manifest.none.json' },
      { name: 'fine', data: 'w', seed: 3, export: 'ex-s3', epochs: 1, batch: 256 },
    ]));
    const out = join(dir, 'mixed.jsonl');
    const r = runPython('sweep', ['--jobs', join(dir, 'mixed.json'), '--root', root, '--out', out, '--procs', '1']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/1 failed/);
    const got = rows(out);
    expect(got.find((x) => x.name === 'missing-shape').error).toContain('manifest.none.json');
    expect(got.find((x) => x.name === 'fine').auc).toBeGreaterThan(0.5);
  }, 120_000);
});
