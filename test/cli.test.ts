/**
 * The CLI end to end on a small synthetic world: a smoke training (loss goes down), eval's
 * report, fine-tuning a new domain, resuming, and the exit codes for bad input.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-cli-'));
const data = join(dir, 'world');
const model = join(dir, 'model');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const e = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const o = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const w = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await main(args), err: err.join('\n'), out: out.join('\n') };
  } finally {
    e.mockRestore();
    o.mockRestore();
    w.mockRestore();
  }
}

beforeAll(async () => {
  const g = await cli('generate', '--out', data, '--seed', '3', '--users', '150', '--scale', '0.12');
  expect(g.code).toBe(0);
});

describe('kindling CLI', () => {
  it('trains: the loss goes down, the model and its eval are written', async () => {
    const r = await cli('train', '--data', data, '--out', model, '--exclude-domains', 'miniapps', '--epochs', '3', '--history', '10', '--batch', '256');
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'));
    const loss: number[] = m.kindling.training.loss;
    expect(loss).toHaveLength(3);
    expect(loss[2]).toBeLessThan(loss[0]);
    expect(m.kindling.config.domains).toEqual(['(generic)', 'cards', 'search', 'suggest']);
    expect(m.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(r.out).toMatch(/overall\s+\d+\s+0\.\d{4}/);
  });

  it('evaluates with AUC, GAUC, NDCG@10 and logloss overall, warm, cold and per domain', async () => {
    const json = join(dir, 'eval.json');
    const r = await cli('eval', '--data', data, '--model', model, '--json', json);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(readFileSync(json, 'utf8'));
    for (const slice of [rep.overall, rep.warm, rep.cold, rep.domains.cards, rep.domains.miniapps]) {
      for (const k of ['auc', 'gauc', 'ndcg10', 'logloss']) expect(typeof slice[k]).toBe('number');
    }
    expect(rep.overall.auc).toBeGreaterThan(0.55);
    expect(rep.cold.samples + rep.warm.samples).toBe(rep.overall.samples);
    // The baselines, on the same samples, with the same keys as the model's own slices.
    for (const b of ['popularity', 'text_cosine']) {
      expect(Object.keys(rep.baselines[b])).toEqual(['overall', 'warm', 'cold', 'domains']);
      expect(Object.keys(rep.baselines[b].domains)).toEqual(Object.keys(rep.domains));
      expect(rep.baselines[b].overall.samples).toBe(rep.overall.samples);
      expect(rep.baselines[b].overall.auc).toBeGreaterThan(0.4);
    }
    expect(r.out).toMatch(/text_cosine: cold items/);
  });

  it('fine-tunes a new domain from the foundation, with either freeze split', async () => {
    for (const freeze of ['l0', 'l0+encoder']) {
      const out = join(dir, `ft-${freeze}`);
      const r = await cli('finetune', '--from', model, '--data', data, '--domain', 'miniapps', '--freeze', freeze, '--out', out, '--epochs', '2');
      expect(r.code, r.err).toBe(0);
      const m = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
      expect(m.kindling.config.domains).toEqual(['(generic)', 'cards', 'search', 'suggest', 'miniapps']);
      expect(m.kindling.training.freeze).toBe(freeze);
      // The foundation as it was, scored on the same test events, beside the fine-tuned model's scores.
      const [after, before] = ['eval.json', 'foundation-eval.json'].map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
      expect(before.overall.samples).toBe(after.overall.samples);
      expect(r.out).toContain(`miniapps test AUC: foundation as it was ${before.overall.auc.toFixed(4)}, fine-tuned ${after.overall.auc.toFixed(4)}`);
    }
    // Frozen embeddings really stay: every ID row pretraining trained is byte-identical to the
    // foundation's, and so are the old domains' rows; the new domain's items and row learn.
    const { loadRanker } = await import('../src/node/ranker-files.ts');
    const a = await loadRanker(model);
    const b = await loadRanker(join(dir, 'ft-l0'));
    const seen = Buffer.from(a.manifest.training.idBucketsSeen as string, 'base64');
    const [ia, ib] = [a.params.get('emb.id')!.arraySync() as number[][], b.params.get('emb.id')!.arraySync() as number[][]];
    let changedNew = 0;
    ia.forEach((row, r) => {
      if (seen[r >> 3] & (1 << (r & 7))) expect(ib[r]).toEqual(row);
      else if (ib[r].some((x, j) => x !== row[j])) changedNew++;
    });
    expect(changedNew).toBeGreaterThan(0);
    // The fine-tune learns the IDs its training split clicked; the foundation never knew them.
    const { knownIdTest } = await import('../src/model/known-ids.ts');
    const first = readFileSync(join(data, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.domain === 'miniapps' && (e.label ?? 1) === 1).sort((x, y) => x.ts - y.ts)[0];
    expect(knownIdTest(b.manifest.config)(`item:${first.item}`)).toBe(true);
    expect(knownIdTest(a.manifest.config)(`item:${first.item}`)).toBe(false);
    const [da, db] = [a.params.get('emb.domain')!.arraySync() as number[][], b.params.get('emb.domain')!.arraySync() as number[][]];
    for (let r = 0; r < 4; r++) expect(db[r]).toEqual(da[r]);
    expect(db[4]).not.toEqual(da[4]);
    expect(Array.from(b.params.get('emb.sparse')!.dataSync())).toEqual(Array.from(a.params.get('emb.sparse')!.dataSync()));
    expect(Array.from(b.params.get('mmoe.experts.w')!.dataSync())).not.toEqual(Array.from(a.params.get('mmoe.experts.w')!.dataSync()));
  });

  it('with --l2sp, stays nearer the foundation: the pull towards its weights (L2-SP) is real and 0 turns it off', async () => {
    const { loadRanker } = await import('../src/node/ranker-files.ts');
    const { paramSpecs } = await import('../src/model/params.ts');
    const foundation = await loadRanker(model);
    const distance = async (w: string) => {
      const out = join(dir, `ft-l2sp-${w}`);
      const r = await cli('finetune', '--from', model, '--data', data, '--domain', 'miniapps', '--freeze', 'l0', '--out', out, '--epochs', '2', '--l2sp', w);
      expect(r.code, r.err).toBe(0);
      const m = await loadRanker(out);
      expect(m.manifest.training.l2sp).toBe(Number(w));
      // Squared distance from the foundation over the parameters that learn (encoder and head).
      let d = 0;
      for (const s of paramSpecs(m.manifest.config).filter((x) => x.group !== 'l0')) {
        const [a, b] = [foundation.params.get(s.name)!.dataSync(), m.params.get(s.name)!.dataSync()];
        for (let i = 0; i < a.length; i++) d += (a[i] - b[i]) ** 2;
      }
      return d;
    };
    const [free, pulled] = [await distance('0'), await distance('3')];
    expect(free).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(0.5 * free);
    expect(pulled).toBeGreaterThan(0); // a pull, not a freeze
    const bad = await cli('finetune', '--from', model, '--data', data, '--domain', 'miniapps', '--freeze', 'l0', '--out', join(dir, 'x'), '--l2sp', '-1');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--l2sp/);
  });

  it('resumes a fine-tune from its checkpoint, and refuses a checkpoint of another run by name', async () => {
    const out = join(dir, 'ft-l0'); // the 2-epoch fine-tune above
    const r = await cli('finetune', '--from', model, '--data', data, '--domain', 'miniapps', '--freeze', 'l0', '--out', out, '--epochs', '3', '--resume');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('resuming after epoch 2');
    const { loadRanker } = await import('../src/node/ranker-files.ts');
    const [f, m] = [await loadRanker(model), await loadRanker(out)];
    expect(m.manifest.training.loss).toHaveLength(3);
    // Still frozen where the foundation trained: the sparse table is the foundation's, byte for byte.
    expect(Array.from(m.params.get('emb.sparse')!.dataSync())).toEqual(Array.from(f.params.get('emb.sparse')!.dataSync()));
    const other = await cli('finetune', '--from', model, '--data', data, '--domain', 'miniapps', '--freeze', 'l0+encoder', '--out', out, '--resume');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/--resume: .*freeze "l0", not "l0\+encoder"/);
    const wrongCommand = await cli('train', '--data', data, '--out', out, '--resume');
    expect(wrongCommand.code).toBe(2);
    expect(wrongCommand.err).toMatch(/--resume: .*command "finetune", not "train"/);
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).kindling.training.loss).toHaveLength(3); // untouched
  });

  it('with --valid, keeps the epoch (or the foundation) with the best validation AUC, or logloss with --valid-metric logloss', async () => {
    for (const metric of ['auc', 'logloss'] as const) {
      const out = join(dir, `ft-valid-${metric}`);
      const r = await cli('finetune', '--from', model, '--data', data, '--domain', 'miniapps', '--freeze', 'l0', '--out', out, '--epochs', '3', '--valid', '0.2', ...(metric === 'auc' ? [] : ['--valid-metric', metric]));
      expect(r.code, r.err).toBe(0);
      const t = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).kindling.training;
      expect(t.validFraction).toBe(0.2);
      expect(t.validMetric).toBe(metric);
      expect(t.validLoss).toHaveLength(3);
      expect(t.validAuc).toHaveLength(3);
      // An AUC each (this world's validation split is a few clicks, so 0 or 1 can happen), not NaN.
      for (const a of [t.startValidAuc, ...t.validAuc]) expect(a).toBeGreaterThanOrEqual(0), expect(a).toBeLessThanOrEqual(1);
      const all: number[] = metric === 'auc' ? [t.startValidAuc, ...t.validAuc].map((a: number) => -a) : [t.startValidLoss, ...t.validLoss];
      // bestEpoch counts from 1; 0 is the foundation as it was.
      expect(t.bestEpoch).toBe(all.indexOf(Math.min(...all)));
      expect(r.err).toMatch(t.bestEpoch === 0 ? /kept the starting parameters/ : new RegExp(`kept epoch ${t.bestEpoch} .*picked on ${metric === 'auc' ? 'AUC' : 'logloss'}`));
    }
    const alone = await cli('finetune', '--from', model, '--data', data, '--domain', 'miniapps', '--freeze', 'l0', '--out', join(dir, 'ft-valid-alone'), '--valid-metric', 'auc');
    expect(alone.code).toBe(2);
    expect(alone.err).toMatch(/--valid-metric: .*give --valid F too/);
    const bad = await cli('finetune', '--from', model, '--data', data, '--domain', 'miniapps', '--freeze', 'l0', '--out', join(dir, 'ft-valid-bad'), '--valid', '0.2', '--valid-metric', 'ndcg');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--valid-metric: got "ndcg"; allowed: auc, logloss/);
  });

  it('with --valid --refit, picks the epoch on validation, then trains again on the whole training period for that many epochs', async () => {
    const out = join(dir, 'train-refit');
    const r = await cli('train', '--data', data, '--out', out, '--exclude-domains', 'miniapps', '--epochs', '3', '--history', '10', '--batch', '256', '--valid', '0.2', '--refit');
    expect(r.code, r.err).toBe(0);
    const picked = JSON.parse(readFileSync(join(out, 'refit-validation', 'model.json'), 'utf8')).kindling.training;
    const t = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).kindling.training;
    expect(picked.validFraction).toBe(0.2);
    expect(picked.bestEpoch).toBe(1 + picked.validAuc.indexOf(Math.max(...picked.validAuc)));
    // The refit: no validation split, the picked number of epochs, every training event.
    expect(t.validFraction).toBeUndefined();
    expect(t.epochs).toBe(picked.bestEpoch);
    expect(t.loss).toHaveLength(picked.bestEpoch);
    expect(t.trainSamples).toBeGreaterThan(picked.trainSamples * 1.15);
    expect(t.refit).toEqual({ validFraction: 0.2, validMetric: 'auc', bestEpoch: picked.bestEpoch, validAuc: picked.validAuc, validLoss: picked.validLoss });
    expect(r.err).toMatch(new RegExp(`refit: training again for ${picked.bestEpoch} epochs? on the whole training period`));
    // Its eval.json is the refit model's, on the same test events as the validation run's.
    const e = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    const e1 = JSON.parse(readFileSync(join(out, 'refit-validation', 'eval.json'), 'utf8'));
    expect(e.overall.samples).toBe(e1.overall.samples);

    // A fine-tune refits the same way; the foundation competes, and if validation keeps it, so does the refit.
    const ft = join(dir, 'ft-refit');
    const f = await cli('finetune', '--from', model, '--data', data, '--domain', 'miniapps', '--freeze', 'l0', '--out', ft, '--epochs', '2', '--valid', '0.2', '--refit');
    expect(f.code, f.err).toBe(0);
    const fp = JSON.parse(readFileSync(join(ft, 'refit-validation', 'model.json'), 'utf8')).kindling.training;
    const ftt = JSON.parse(readFileSync(join(ft, 'model.json'), 'utf8')).kindling.training;
    expect(ftt.refit.bestEpoch).toBe(fp.bestEpoch);
    expect(ftt.refit.startValidAuc).toBe(fp.startValidAuc);
    if (fp.bestEpoch > 0) expect([ftt.epochs, ftt.validFraction, ftt.trainSamples > fp.trainSamples]).toEqual([fp.bestEpoch, undefined, true]);
    else expect(readFileSync(join(ft, 'weights.bin'))).toEqual(readFileSync(join(ft, 'refit-validation', 'weights.bin')));

    const alone = await cli('train', '--data', data, '--out', join(dir, 'refit-alone'), '--refit');
    expect(alone.code).toBe(2);
    expect(alone.err).toMatch(/--refit: .*give --valid F too/);
    const resumed = await cli('train', '--data', data, '--out', join(dir, 'refit-resume'), '--valid', '0.2', '--refit', '--resume');
    expect(resumed.code).toBe(2);
    expect(resumed.err).toMatch(/--refit: cannot resume a refit/);
    const torch = await cli('train', '--data', data, '--out', join(dir, 'refit-torch'), '--engine', 'torch', '--refit');
    expect(torch.code).toBe(2);
    expect(torch.err).toMatch(/--refit: not with --engine torch/);
  });

  it('resumes from the last checkpoint', async () => {
    const r = await cli('train', '--data', data, '--out', model, '--exclude-domains', 'miniapps', '--epochs', '4', '--history', '10', '--batch', '256', '--resume');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('resuming after epoch 3');
    expect(JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).kindling.training.loss).toHaveLength(4);
  });

  it('stops at a bad row with file:line: field and exit code 2', async () => {
    const bad = join(dir, 'bad');
    await cli('generate', '--out', bad, '--seed', '4', '--users', '20', '--scale', '0.01');
    const lines = readFileSync(join(bad, 'events.jsonl'), 'utf8').trim().split('\n').length;
    appendFileSync(join(bad, 'events.jsonl'), '{"user":"u1","ts":5,"domain":"cards","item":"cards-1","label":"yes"}\n');
    const r = await cli('train', '--data', bad, '--out', join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`events.jsonl:${lines + 1}: label: expected 0 or 1, got "yes"`);
    writeFileSync(join(bad, 'events.jsonl'), '{"user":"u1","ts":5,"domain":"cards","item":"nope"}\n');
    expect((await cli('train', '--data', bad, '--out', join(dir, 'never'))).err).toContain('events.jsonl:1: item: unknown item "nope"');
  });

  it('runs as the installed command (bin/kindling.mjs), outside the test runner', () => {
    const r = spawnSync(process.execPath, ['bin/kindling.mjs', 'eval', '--data', data, '--model', model], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/overall\s+\d+\s+0\.\d{4}/);
    expect(spawnSync(process.execPath, ['bin/kindling.mjs', 'frobnicate'], { encoding: 'utf8' }).status).toBe(2);
  });

  it('rejects bad arguments by name with exit code 2', async () => {
    expect((await cli('train', '--data', data, '--out', model, '--gating', 'softmax')).err).toContain('--gating: got "softmax"; allowed: mean, cls, domain');
    expect((await cli('train', '--data', data, '--out', model, '--split', 'time:2')).code).toBe(2);
    expect((await cli('train', '--bogus')).code).toBe(2);
    const none = await cli('train', '--data', data, '--out', join(dir, 'never'), '--no-id', '--no-text', '--no-sparse');
    expect(none.code).toBe(2);
    expect(none.err).toContain('--no-id, --no-text, --no-sparse: together leave no aspect to rank with');
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('eval', '--data', data, '--model', join(dir, 'missing'))).err).toMatch(/missing\/model\.json: not found/);
  });

  it("refuses a flag of another command (each command parses its own), and names it", async () => {
    const l2sp = await cli('train', '--data', data, '--out', join(dir, 'never'), '--l2sp', '0.1');
    expect(l2sp.code).toBe(2);
    expect(l2sp.err).toMatch(/kindling train: .*--l2sp/);
    const epochs = await cli('eval', '--data', data, '--model', model, '--epochs', '3');
    expect(epochs.code).toBe(2);
    expect(epochs.err).toMatch(/--epochs/);
    expect((await cli('generate', '--out', join(dir, 'never'), '--freeze', 'l0')).code).toBe(2);
    const both = await cli('train', '--data', data, '--out', join(dir, 'never'), '--lambda', '0.1', '--reg-weight', '0.2');
    expect(both.code).toBe(2);
    expect(both.err).toContain('--lambda: is another name for --reg-weight');
    const help = await cli('finetune', '--help');
    expect(help.code).toBe(0);
    expect(help.err).toContain('finetune --from DIR');
    expect(help.err).not.toContain('generate --out');
  });
});
