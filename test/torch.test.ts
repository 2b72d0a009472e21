/**
 * The PyTorch twin (python/kindling_torch) against the TF.js network it copies, on `kindling
 * export`'s shards: the same weights and the same samples give the same probabilities within 1e-4,
 * for the shipped configuration and a sweep of switches; the model files it writes are the ones
 * the CLI reads; two processes (gloo) train to one model. Needs /usr/bin/python3 with PyTorch (Debian's python3-torch; .ci/run installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RankerConfig } from '../src/model/config.ts';
import { disposeParams, initParams } from '../src/model/params.ts';
import { saveRanker } from '../src/node/ranker-files.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { writeWorld } from '../src/node/world-files.ts';
import { exportSamples, readExport, readShard } from '../src/train/export.ts';
import { predictRanker } from '../src/train/trainer.ts';
import { batchTensors, disposeBatch } from '../src/train/batches.ts';
import { rankerLoss } from '../src/model/losses.ts';
import { rankerForward } from '../src/model/ranker.ts';
import { evaluateModel } from '../src/train/evaluate.ts';
import { train } from '../src/train/train.ts';
import { finetune } from '../src/train/finetune.ts';
import { loadRanker } from '../src/node/ranker-files.ts';
import { hasTorch, PYTHON, runPython } from './helpers/torch.ts';
import { expectDecayed } from './helpers/decay.ts';
import { trainWithTorch } from '../src/train/torch-engine.ts';
import { TrainerError } from '../src/errors.ts';
import { main } from '../src/cli/main.ts';

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
  ["shipped (domain gating, DA + JS, masked IDs, history features: the clicked items' features in the user tower)", {}],
  ['mean gating, no DA, hashed IDs, no history features', { gating: 'mean', domainAdaptive: false, unknownIds: 'hash', historyFeatures: false }],
  ['cls gating, MMD, no ID aspect', { gating: 'cls', reg: 'mmd', aspects: ['text', 'sparse'] }],
  ['no text, short history', { aspects: ['id', 'sparse'], historyLength: 7 }],
  ['without history features (--no-history-features)', { historyFeatures: false }],
  ['history features, mean gating, no ID aspect', { historyFeatures: true, gating: 'mean', aspects: ['text', 'sparse'] }],
  ['history match (--history-match: ~repeat and ~covisit, a linear term on the CTR logit)', { historyMatch: true }],
  ['history match with --match-features (a third column, ~same)', { historyMatch: true, matchFeatures: true }],
];

describe.skipIf(!torch && !process.env.CI)('the PyTorch twin', () => {
  it.each(SWEEP)('scores as TF.js does within 1e-4: %s', async (name, model) => {
    const folder = join(dir, `export-${name.replace(/\W+/g, '-')}`);
    const m = await exportSamples({ data, out: folder, negatives: 2, shards: 2, excludeDomains: ['miniapps'], model });
    // A model with history features exports them (the twin reads them by name).
    expect(m.historyFields.some((f) => f.name === 'histCat')).toBe(model.historyFeatures !== false);
    const params = initParams(m.config, 7);
    // match.w starts at zero: weights of its own, so that a twin which ignored the term could not pass.
    if (model.historyMatch) params.get('match.w')!.assign(tf.tensor1d([0.7, -1.3, 0.9].slice(0, model.matchFeatures ? 3 : 2)));
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

  it('computes the gradients TF.js computes, the regulariser included, within 1e-3', async () => {
    const folder = join(dir, 'export-grads');
    // With history features: every path of the network has a gradient (the item MLP's also through the history);
    // with history match, the CTR logit's linear term too.
    const m = await exportSamples({ data, out: folder, negatives: 2, shards: 2, excludeDomains: ['miniapps'], model: { historyFeatures: true, historyMatch: true } });
    const params = initParams(m.config, 7);
    const saved = join(folder, 'model');
    await saveRanker(saved, params, m.config, { command: 'test' });
    const { manifest, textTable } = readExport(folder);
    const shard = readShard(folder, manifest, manifest.shards.find((e) => e.split === 'train')!);
    const table = tf.tensor2d(textTable, [manifest.textTable.rows, manifest.textTable.dim]);
    // The shard's last 64 samples: late requests, whose users have a history for the user tower.
    const b = batchTensors(shard, Array.from({ length: 64 }, (_, i) => shard.n - 64 + i), table, m.config);
    let parts: Record<string, number> = {};
    const { grads } = tf.variableGrads(() => {
      const l = rankerLoss(m.config, rankerForward(params, m.config, b.inputs), b.targets);
      parts = { ctr: l.ctr.dataSync()[0], sim: l.sim.dataSync()[0], reg: l.reg.dataSync()[0] };
      return l.total;
    }, [...params.values()]);
    const want = new Map([...params].map(([name, v]) => [name, grads[v.name].dataSync() as Float32Array]));
    tf.dispose(Object.values(grads));
    disposeBatch(b);
    table.dispose();
    disposeParams(params);
    const out = join(folder, 'grads.json');
    const r = runPython('grads', ['--export', folder, '--model', saved, '--samples', '64', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const got = JSON.parse(readFileSync(out, 'utf8')) as { loss: Record<string, number>; grads: Record<string, number[]> };
    expect(parts.reg).toBeGreaterThan(0); // several domains in the batch: the regulariser has a gradient to give
    for (const k of ['ctr', 'sim', 'reg']) expect(got.loss[k], k).toBeCloseTo(parts[k], 5);
    for (const name of ['lm.w', 'emb.id', 'emb.domain', 'user.q', 'gate.domain.item', 'sparse.context.1.w', 'sparse.item.1.w', 'emb.sparse', 'da.w', 'mmoe.experts.w', 'mmoe.gate.rel.w', 'tower.ctr.2.w', 'match.w']) {
      const w = want.get(name)!;
      const g = got.grads[name];
      expect(g, name).toHaveLength(w.length);
      let scale = 0;
      let worst = 0;
      w.forEach((x, i) => {
        scale = Math.max(scale, Math.abs(x));
        worst = Math.max(worst, Math.abs(g[i] - x));
      });
      expect(scale, name).toBeGreaterThan(0);
      expect(worst, name).toBeLessThan(1e-3 * Math.max(1, scale));
    }
  });

  it('hides history IDs as batchTensors does: known events only, each with config.histIdDropout, in models with IDs', () => {
    // One history of 400 events, every other one known; the candidates' fields are empty placeholders.
    const code = `
import json, torch
from kindling_torch.samples import batch
N = 400
f = {k: torch.zeros(2, 1, dtype=torch.int32) for k in ("itemId", "itemText", "queryId", "queryText", "domain", "histOf")}
f.update({k: torch.zeros(2, 1) for k in ("itemIdKnown", "queryIdKnown", "label", "relevance", "relMask")})
f.update({"itemCat": torch.zeros(2, 0, dtype=torch.int32), "ctxCat": torch.zeros(2, 0, dtype=torch.int32), "itemNum": torch.zeros(2, 0), "ctxNum": torch.zeros(2, 0)})
f.update({k: torch.zeros(1, N, dtype=torch.int32) for k in ("histId", "histText", "histDomain", "histAction")})
f.update({"histMask": torch.ones(1, N), "histIdKnown": (torch.arange(N) % 2 == 0).float().reshape(1, N), "userCat": torch.zeros(1, 0, dtype=torch.int32), "userNum": torch.zeros(1, 0)})
class Shard:
    fields = f
def hist(config, gen=True):
    x, _ = batch(Shard, [0, 1], torch.zeros(1, 1), {"unknownIds": "mask", "aspects": ["id", "text"], **config}, hist_gen=torch.Generator().manual_seed(3) if gen else None)
    return x["histIdKnown"][0]
known = f["histIdKnown"][0]
half = hist({"histIdDropout": 0.5})
print(json.dumps({
    "unknownStay": bool((half[known == 0] == 0).all()),
    "hidden": int((half[known == 1] == 0).sum()),
    "knownBefore": int(known.sum()),
    "noGen": bool(torch.equal(hist({"histIdDropout": 0.5}, gen=False), known)),
    "zero": bool(torch.equal(hist({"histIdDropout": 0}), known)),
    "absent": bool(torch.equal(hist({}), known)),
    "noIdAspect": bool(torch.equal(hist({"histIdDropout": 0.5, "aspects": ["text"]}), known)),
    "all": int(hist({"histIdDropout": 1.0}).sum()),
}))
`;
    const r = spawnSync(PYTHON, ['-c', code], { cwd: 'python', encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got).toMatchObject({ unknownStay: true, knownBefore: 200, noGen: true, zero: true, absent: true, noIdAspect: true, all: 0 });
    // About half of the 200 known events are hidden (binomial: 5 standard deviations is ±35).
    expect(got.hidden).toBeGreaterThan(65);
    expect(got.hidden).toBeLessThan(135);
  });

  it('shuffles the whole requests of --mix-shards loaded shards together (shards are periods of time), each sample once an epoch', async () => {
    const folder = join(dir, 'export-mix');
    const m = await exportSamples({ data, out: folder, negatives: 2, shards: 3, excludeDomains: ['miniapps'] });
    expect(m.shards.filter((s) => s.split === 'train')).toHaveLength(3);
    const code = `
import json, sys, types, torch
from kindling_torch.samples import JoinedShards, read_manifest, shards_for
from kindling_torch.train import Trainer
folder = sys.argv[1]
m = read_manifest(folder)
shards = shards_for(folder, m, "train")
parts = [s.load() for s in shards]
j = JoinedShards(shards)
same, at, hat, groups = True, 0, 0, []
for p in parts:
    for f in m["sampleFields"]:
        a, b = j.fields[f["name"]][at : at + p.n], p.fields[f["name"]]
        if f["name"] == "histOf":
            same &= torch.equal(a - hat, b)  # each sample still reads its own history rows
        elif f["name"] == "group":
            same &= torch.equal(a - a.min(), b - b.min())
            groups.append(set(a[:, 0].tolist()))
        else:
            same &= torch.equal(a, b)
    for f in m["historyFields"]:
        same &= torch.equal(j.fields[f["name"]][hat : hat + p.hist_rows], p.fields[f["name"]])
    at, hat = at + p.n, hat + p.hist_rows
size = {s.file: s.n for s in shards}
def run(mix):
    me = types.SimpleNamespace(a=types.SimpleNamespace(seed=3, batch=16, mix_shards=mix), rank=0, shards=shards)
    seen, mixed, batches = [], 0, 0
    for shard, idx, _ in Trainer.batches(me, 0):
        names, bounds = shard.file.split("+"), [0]
        for name in shard.file.split("+"):
            bounds.append(bounds[-1] + size[name])
        origin = [next(k for k in range(len(names)) if i < bounds[k + 1]) for i in idx]
        seen += [(names[k], int(i) - bounds[k]) for k, i in zip(origin, idx)]
        batches, mixed = batches + 1, mixed + (len(set(origin)) > 1)
    return {"every": sorted(seen) == sorted((s.file, i) for s in shards for i in range(s.n)), "mixed": mixed, "batches": batches}
print(json.dumps({"same": bool(same), "n": j.n, "total": sum(p.n for p in parts), "disjointGroups": not (groups[0] & groups[1] or groups[1] & groups[2] or groups[0] & groups[2]), "together": run(3), "alone": run(1)}))
`;
    const r = spawnSync(PYTHON, ['-c', code, folder], { cwd: 'python', encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    // Joined, every field is its shard's, histOf moved past the history rows before it, groups kept apart.
    expect(got).toMatchObject({ same: true, disjointGroups: true });
    expect(got.n).toBe(got.total);
    for (const run of [got.together, got.alone]) expect(run.every).toBe(true);
    // One shard at a time, no batch holds two shards' samples; loaded together, most do.
    expect(got.alone.mixed).toBe(0);
    expect(got.together.mixed).toBeGreaterThan(got.together.batches / 2);
  });

  it('names a corrupt shard and a manifest from another encoder', async () => {
    const folder = join(dir, 'export-corrupt');
    const m = await exportSamples({ data, out: folder, negatives: 2, shards: 2, excludeDomains: ['miniapps'] });
    const params = initParams(m.config, 7);
    await saveRanker(join(folder, 'model'), params, m.config, { command: 'test' });
    disposeParams(params);
    // A manifest from another encoder: the model's text vectors would not be these.
    const manifestPath = join(folder, 'manifest.json');
    const original = readFileSync(manifestPath, 'utf8');
    writeFileSync(manifestPath, original.replaceAll(`"encoderId": "${m.encoderId}"`, '"encoderId": "other-encoder@1"'));
    const foreign = runPython('forward', ['--export', folder, '--model', join(folder, 'model')]);
    expect(foreign.code).toBe(2);
    expect(foreign.err).toContain(`manifest.json: exported with encoder other-encoder@1, but the model was trained on ${m.encoderId}`);
    writeFileSync(manifestPath, original);
    const shard = m.shards.find((s) => s.split === 'test')!.file;
    writeFileSync(join(folder, shard), readFileSync(join(folder, shard)).subarray(0, 100));
    const r = runPython('forward', ['--export', folder, '--model', join(folder, 'model')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${shard}: checksum mismatch`);
  });

  it('names an export without history features for a model that reads them', async () => {
    const folder = join(dir, 'export-no-hist');
    const m = await exportSamples({ data, out: folder, negatives: 2, shards: 1, excludeDomains: ['miniapps'], model: { historyFeatures: false } });
    const config = { ...m.config, historyFeatures: true };
    const params = initParams(config, 7);
    await saveRanker(join(folder, 'model'), params, config, { command: 'test' });
    disposeParams(params);
    const r = runPython('forward', ['--export', folder, '--model', join(folder, 'model')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the model reads history features (config.historyFeatures) but the export has no histCat/histNum fields');
  });
});

/** Starts `world` ranks of kindling_torch.train on this machine; resolves with each rank's exit code and stderr. */
function ranks(world: number, args: string[], port: number, kill?: { rank: number; afterMs: number }) {
  return Promise.all(
    Array.from({ length: world }, (_, rank) => new Promise<{ code: number; err: string }>((done) => {
      const env = { ...process.env, PYTHONUNBUFFERED: '1', RANK: String(rank), WORLD_SIZE: String(world), LOCAL_WORLD_SIZE: String(world), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) };
      const child = spawn(PYTHON, ['-m', 'kindling_torch.train', ...args], { cwd: 'python', env });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      if (kill?.rank === rank) setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
      child.on('exit', (code, signal) => done({ code: code ?? (signal ? 128 : -1), err }));
    })),
  );
}

describe.skipIf(!torch && !process.env.CI)('the PyTorch trainer', () => {
  const world = join(dir, 'world-train');
  const folder = join(dir, 'export-train');
  beforeAll(async () => {
    writeWorld(world, { seed: 3, users: 150, scale: 0.5 });
    await exportSamples({ data: world, out: folder, negatives: 2, seed: 5, shards: 4, excludeDomains: ['miniapps'] });
  });

  it('trains on two processes (gloo) to one model: the same weights on both ranks, the AUC of one process with the same global batch, read by kindling eval', async () => {
    // One process with batch 512 against two with 256 each, for three seeds. A single pair differs
    // by up to 0.016 AUC on this world (the ranks see the samples in another order), so the bound
    // is on the mean over the seeds.
    const auc = (d: string) => JSON.parse(readFileSync(join(d, 'eval.json'), 'utf8')).auc as number;
    const diffs: number[] = [];
    for (const seed of ['5', '6', '7']) {
      const one = join(dir, `pt-1-${seed}`);
      const r1 = runPython('train', ['--export', folder, '--out', one, '--epochs', '2', '--batch', '512', '--seed', seed]);
      expect(r1.code, r1.err).toBe(0);
      const two = join(dir, `pt-2-${seed}`);
      const r2 = await ranks(2, ['--export', folder, '--out', two, '--epochs', '2', '--batch', '256', '--seed', seed], 29611 + Number(seed));
      for (const r of r2) expect(r.code, r.err).toBe(0);
      const digests = r2.map((r) => /weights sha256 ([0-9a-f]{64})/.exec(r.err)?.[1]);
      expect(digests[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(digests[1]).toBe(digests[0]);
      expect(auc(one)).toBeGreaterThan(0.7); // it learnt something
      diffs.push(auc(two) - auc(one));
    }
    expect(Math.abs(diffs.reduce((x, y) => x + y, 0) / diffs.length), `per seed: ${diffs.map((d) => d.toFixed(4)).join(', ')}`).toBeLessThan(0.01);
    const two = join(dir, 'pt-2-5');
    const m = JSON.parse(readFileSync(join(two, 'model.json'), 'utf8')).kindling;
    expect(m.training).toMatchObject({ command: 'kindling_torch.train', worldSize: 2, batchSize: 256, epochs: 2 });
    // Kindling's own eval loads what PyTorch wrote, and scores the same test samples alike.
    const report = await evaluateModel({ model: two, data: world, negatives: 2, seed: 5, excludeDomains: ['miniapps'] });
    expect(report.overall.samples).toBe(JSON.parse(readFileSync(join(two, 'eval.json'), 'utf8')).samples);
    expect(report.overall.auc).toBeCloseTo(auc(two), 4);
    // ...and kindling finetune takes it as a foundation, its trained ID buckets and sparse rows included.
    expect(m.training.sparseBucketsSeen).toBe(readExport(folder).manifest.sparseBucketsSeen);
    const tuned = join(dir, 'pt-2-tuned');
    const f = await finetune({ from: two, data: world, domain: 'miniapps', out: tuned, epochs: 1, negatives: 2, seed: 5 });
    expect(f.report.overall.samples).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(tuned, 'model.json'), 'utf8')).kindling.training.newRowsTrained).toEqual(expect.arrayContaining(['emb.id', 'emb.sparse']));
  }, 300_000);

  it('resumes from the last epoch\'s checkpoint', () => {
    const out = join(dir, 'pt-resume');
    expect(runPython('train', ['--export', folder, '--out', out, '--epochs', '1', '--seed', '5']).code).toBe(0);
    const r = runPython('train', ['--export', folder, '--out', out, '--epochs', '2', '--seed', '5', '--resume']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/epoch 1\/2/);
    expect(r.err).toMatch(/epoch 2\/2/);
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).kindling.training.loss).toHaveLength(2);
  });

  it('decays the embedding tables as kindling train does (config.embDecay): a row no sample reaches ends at its start × (1 − lr·λ)^steps', async () => {
    const ex = join(dir, 'export-decay');
    const m = await exportSamples({ data: world, out: ex, negatives: 2, seed: 5, shards: 2, excludeDomains: ['miniapps'], model: { embDecay: 5 } });
    expect(m.config.embDecay).toBe(5);
    const out = join(dir, 'pt-decay');
    const r = runPython('train', ['--export', ex, '--out', out, '--epochs', '2', '--batch', '256', '--lr', '0.003', '--seed', '5']);
    expect(r.code, r.err).toBe(0);
    const after = await loadRanker(out);
    const start = initParams(m.config, 5);
    expectDecayed(after.params.get('emb.id')!.dataSync() as Float32Array, start.get('emb.id')!.dataSync() as Float32Array, m.config.hidden, 0.003, 5, 2 * Math.ceil(m.counts.train / 256));
    for (const p of [start, after.params]) disposeParams(p);
  }, 120_000);

  it('fine-tunes a foundation as kindling finetune does: new rows learn, frozen rows stay, kindling eval reads it', async () => {
    const foundation = join(dir, 'foundation');
    // With embedding decay, which the fine-tune inherits: frozen rows must stay all the same.
    await train({ data: world, out: foundation, excludeDomains: ['miniapps'], epochs: 1, negatives: 2, seed: 5, model: { embDecay: 2 } });
    const ftExport = join(dir, 'export-ft');
    const m = await exportSamples({ data: world, out: ftExport, negatives: 2, seed: 5, shards: 2, from: foundation, domain: 'miniapps' });
    expect(m.from).toMatchObject({ domain: 'miniapps', isNew: true, domainRow: 4 });
    const out = join(dir, 'pt-ft');
    const r = runPython('train', ['--export', ftExport, '--out', out, '--from', foundation, '--freeze', 'l0', '--l2sp', '0.1', '--epochs', '2', '--batch', '128', '--seed', '5']);
    expect(r.code, r.err).toBe(0);
    const before = await loadRanker(foundation);
    const after = await loadRanker(out);
    const w = (p: typeof before.params, n: string) => p.get(n)!.dataSync() as Float32Array;
    const rowsChanged = (n: string, width: number) => {
      const a = w(before.params, n);
      const b = w(after.params, n);
      const changed: number[] = [];
      for (let row = 0; row < a.length / width; row++) if (a.subarray(row * width, (row + 1) * width).some((x, j) => x !== b[row * width + j])) changed.push(row);
      return changed;
    };
    const H = m.config.hidden;
    expect(rowsChanged('emb.action', H)).toEqual([]); // frozen level, no new rows
    expect(rowsChanged('emb.position', H)).toEqual([]);
    expect(rowsChanged('emb.domain', H)).toEqual([4]); // only the new domain's row learns
    const seen = Uint8Array.from(atob(before.manifest.training.idBucketsSeen as string), (ch) => ch.charCodeAt(0));
    const idRows = rowsChanged('emb.id', H);
    expect(idRows.length).toBeGreaterThan(0); // the new domain's items learn their rows...
    expect(idRows.filter((row) => seen[row >> 3] & (1 << (row & 7)))).toEqual([]); // ...and no row pretraining trained moves
    // The same for the sparse table: rows of feature values pretraining saw stay, the others may learn.
    expect(m.from!.sparseBucketsSeen).toBe(before.manifest.training.sparseBucketsSeen);
    const sparseSeen = Uint8Array.from(atob(before.manifest.training.sparseBucketsSeen as string), (ch) => ch.charCodeAt(0));
    expect(sparseSeen.some((b) => b > 0)).toBe(true);
    expect(rowsChanged('emb.sparse', m.config.sparseDim).filter((row) => row === 0 || sparseSeen[row >> 3] & (1 << (row & 7)))).toEqual([]);
    expect(after.manifest.training.newRowsTrained).toContain('emb.sparse');
    expect(rowsChanged('lm.w', H).length).toBeGreaterThan(0); // the encoder level learns
    expect(after.manifest.training).toMatchObject({ command: 'kindling_torch.train', domain: 'miniapps', freeze: 'l0', l2sp: 0.1 });
    expect(after.manifest.config.embDecay).toBe(2);
    expect(after.manifest.config.domains).toEqual([...before.manifest.config.domains, 'miniapps']);
    for (const p of [before.params, after.params]) disposeParams(p);
    const report = await evaluateModel({ model: out, data: world, domains: ['miniapps'], negatives: 2, seed: 5 });
    expect(report.overall.auc).toBeCloseTo(JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')).auc, 4);
    // An export made for one foundation does not fine-tune another, and a plain export needs no --from.
    const other = runPython('train', ['--export', ftExport, '--out', join(dir, 'never'), '--from', out, '--epochs', '1']);
    expect(other.code).toBe(2);
    expect(other.err).toContain('exported for another foundation');
    const plain = runPython('train', ['--export', folder, '--out', join(dir, 'never'), '--from', foundation, '--epochs', '1']);
    expect(plain.code).toBe(2);
    expect(plain.err).toContain('not exported for fine-tuning');
  }, 180_000);

  it('kindling train --engine torch --procs 2 exports and starts the ranks as torchrun would: the weights of ranks started by hand', async () => {
    const byHand = join(dir, 'pt-hand');
    const r = await ranks(2, ['--export', folder, '--out', byHand, '--epochs', '1', '--batch', '128', '--seed', '5'], 29631);
    for (const x of r) expect(x.code, x.err).toBe(0);
    const out = join(dir, 'pt-launcher');
    const code = await main(['train', '--engine', 'torch', '--procs', '2', '--data', world, '--out', out, '--epochs', '1', '--batch', '256', '--negatives', '2', '--seed', '5', '--exclude-domains', 'miniapps']);
    expect(code).toBe(0);
    // Its export is the one made by hand (same options), its global batch 256 is 128 per rank.
    expect(readFileSync(join(out, 'export', 'manifest.json'), 'utf8').replace(/"data": "[^"]*"/, '')).toBe(readFileSync(join(folder, 'manifest.json'), 'utf8').replace(/"data": "[^"]*"/, ''));
    expect(readFileSync(join(out, 'weights.bin')).equals(readFileSync(join(byHand, 'weights.bin')))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).kindling.training).toMatchObject({ worldSize: 2, batchSize: 128, epochs: 1 });
    // The library call says the same, with each rank's digest; its folders may be relative to the
    // caller's (the ranks run in python/).
    const again = await trainWithTorch({ data: world, out: relative(process.cwd(), join(dir, 'pt-launcher-2')), epochs: 1, batchSize: 256, negatives: 2, seed: 5, excludeDomains: ['miniapps'], procs: 2 });
    expect(again.digests).toHaveLength(2);
    expect(again.digests[1]).toBe(again.digests[0]);
    expect(readFileSync(join(again.out, 'weights.bin')).equals(readFileSync(join(out, 'weights.bin')))).toBe(true);
  }, 300_000);

  it('names the rank that failed, stops the others, and says what a missing PyTorch needs', async () => {
    const cuda = spawnSync(PYTHON, ['-c', 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)']).status === 0;
    if (!cuda) {
      const out = join(dir, 'pt-no-cuda');
      const err = await trainWithTorch({ data: world, out, epochs: 1, negatives: 2, seed: 5, excludeDomains: ['miniapps'], procs: 2, device: 'cuda' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TrainerError);
      expect((err as TrainerError).message).toMatch(/^PyTorch rank [01] exited with code 2: kindling_torch\.train: --device cuda: no CUDA device here$/);
      expect(existsSync(join(out, 'model.json'))).toBe(false);
    }
    await expect(trainWithTorch({ data: world, out: join(dir, 'pt-no-python'), python: '/nonexistent/python3' })).rejects.toThrow(/^python: \/nonexistent\/python3 cannot import torch and numpy .*apt-get install --no-install-recommends python3-torch/);
    await expect(trainWithTorch({ data: world, out: join(dir, 'pt-odd'), batchSize: 100, procs: 3 })).rejects.toThrow('batchSize: 100 samples per step do not split evenly over 3 ranks');
    expect(await main(['train', '--procs', '2', '--data', world, '--out', join(dir, 'x')])).toBe(2); // --procs is the torch engine's
  }, 120_000);

  it('ends with an error naming the rank when another rank dies, and leaves no model', async () => {
    const out = join(dir, 'pt-dies');
    const r = await ranks(2, ['--export', folder, '--out', out, '--epochs', '200', '--batch', '64', '--timeout', '30'], 29612, { rank: 1, afterMs: 6000 });
    expect(r[1].code).not.toBe(0);
    expect(r[0].code).not.toBe(0);
    expect(r[0].err).toMatch(/kindling_torch\.train \(rank 0 of 2\)/);
    expect(existsSync(join(out, 'model.json'))).toBe(false);
  }, 120_000);
});
