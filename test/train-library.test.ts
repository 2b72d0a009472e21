/**
 * Training as a library: train(), finetune() and evaluateModel() called with typed options, as
 * the results scripts call them. Every option left out takes its documented default (a left-out
 * option must not reach the model as undefined), and the three agree on the same test events.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { ConfigError } from '../src/errors.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { DEFAULT_RANKER } from '../src/model/config.ts';
import { evaluateModel } from '../src/train/evaluate.ts';
import { finetune, FINETUNE_DEFAULTS, learnableKeys } from '../src/train/finetune.ts';
import { firstSeen } from '../src/data/dataset.ts';
import { knownIdTest } from '../src/model/known-ids.ts';
import { readDataSet, splitData } from '../src/node/pipeline.ts';
import { bucket } from '../src/util/hash.ts';
import { train, TRAIN_DEFAULTS } from '../src/train/train.ts';
import { disposeParams, initParams } from '../src/model/params.ts';
import { expectDecayed } from './helpers/decay.ts';
import { modelOverrides } from '../src/cli/train.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-lib-'));
const data = join(dir, 'world');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const training = (out: string) => JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).kindling;

beforeAll(async () => {
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  expect(await main(['generate', '--out', data, '--seed', '5', '--users', '60', '--scale', '0.08'])).toBe(0);
  quiet.mockRestore();
  await useTrainingBackend();
});

describe('training as a library', () => {
  it('trains, fine-tunes and evaluates with typed options and the documented defaults', async () => {
    const foundation = join(dir, 'foundation');
    const notes: string[] = [];
    const t = await train({ data, out: foundation, excludeDomains: ['miniapps'], epochs: 1, negatives: 2, batchSize: undefined, model: { historyLength: 8 }, progress: { note: (n) => notes.push(n) } });
    const m = training(foundation);
    expect(m.training).toMatchObject({ command: 'train', epochs: 1, batchSize: TRAIN_DEFAULTS.batchSize, learningRate: TRAIN_DEFAULTS.learningRate, seed: 1, trainFraction: 0.8, negatives: 2 });
    expect(m.config).toMatchObject({ historyLength: 8, gating: DEFAULT_RANKER.gating, regWeight: DEFAULT_RANKER.regWeight, experts: DEFAULT_RANKER.experts });
    expect(t.trainSamples).toBe(m.training.trainSamples);
    expect(t.report.overall.auc).toBeGreaterThan(0);
    expect(notes[0]).toMatch(/^training on \d+ samples/);

    const out = join(dir, 'ft');
    const f = await finetune({ from: foundation, data, domain: 'miniapps', out, epochs: 1, negatives: 2 });
    expect(training(out).training).toMatchObject({ command: 'finetune', freeze: FINETUNE_DEFAULTS.freeze, l2sp: FINETUNE_DEFAULTS.l2sp, batchSize: FINETUNE_DEFAULTS.batchSize, learningRate: FINETUNE_DEFAULTS.learningRate });
    expect(f.report.overall.samples).toBeGreaterThan(0);
    expect(f.foundation.overall.samples).toBe(f.report.overall.samples);
    // evaluateModel on the same domain and seed scores the fine-tuned model on the same events.
    const e = await evaluateModel({ model: out, data, domains: ['miniapps'], negatives: 2 });
    expect(e.overall.samples).toBe(f.report.overall.samples);
    expect(e.overall.auc).toBeCloseTo(f.report.overall.auc, 6);
    // `models` names the folder the encoder is read from: the shipped one gives the same scores,
    // a folder without an encoder is a load error naming the file it looked for.
    const same = await evaluateModel({ model: out, data, domains: ['miniapps'], negatives: 2, models: 'models' });
    expect(same.overall.auc).toBe(e.overall.auc);
    await expect(evaluateModel({ model: out, data, domains: ['miniapps'], negatives: 2, models: join(dir, 'no-models') })).rejects.toThrow(/no-models\/encoder\/kindling-glove-100d\/config\.json/);
  });

  it("fine-tuning learns the new domain's clicked IDs, except those whose row the foundation trained (frozen: ranked as new)", async () => {
    // 2,048 buckets: some of miniapps' items land in a row the other domains trained.
    const IDB = 2048;
    const foundation = join(dir, 'foundation-small-ids');
    await train({ data, out: foundation, excludeDomains: ['miniapps'], epochs: 1, negatives: 2, model: { historyLength: 8, idBuckets: IDB } });
    const out = join(dir, 'ft-small-ids');
    await finetune({ from: foundation, data, domain: 'miniapps', out, epochs: 1, negatives: 2 });
    const seen = Uint8Array.from(atob(training(foundation).training.idBucketsSeen), (ch) => ch.charCodeAt(0));
    const frozen = (key: string) => !!(seen[bucket(key, IDB) >> 3] & (1 << (bucket(key, IDB) & 7)));
    const split = splitData(readDataSet(data), { trainFraction: 0.8, negatives: 2, seed: 1, onlyDomains: ['miniapps'] });
    const clicked = [...firstSeen(split.train).keys()];
    const known = knownIdTest(training(out).config);
    const inFrozen = clicked.filter(frozen);
    expect(inFrozen.length).toBeGreaterThan(0);
    expect(inFrozen.length).toBeLessThan(clicked.length);
    for (const k of clicked) expect(known(k)).toBe(!frozen(k));
    expect(learnableKeys(clicked, undefined, IDB)).toEqual(clicked);
    // frozenIds 'known' (as before): every clicked ID is read, frozen row or not.
    const asBefore = join(dir, 'ft-small-ids-known');
    await finetune({ from: foundation, data, domain: 'miniapps', out: asBefore, epochs: 1, negatives: 2, frozenIds: 'known' });
    const knownBefore = knownIdTest(training(asBefore).config);
    for (const k of clicked) expect(knownBefore(k)).toBe(true);
    expect(training(asBefore).training.frozenIds).toBe('known');
  });

  it("fine-tuning learns the sparse rows of feature values pretraining never saw (a new domain's own category); the rest stay frozen", async () => {
    // The world, with every miniapps item in a category of its own that no other domain has.
    const own = join(dir, 'world-own-category');
    cpSync(data, own, { recursive: true });
    const items = readFileSync(join(own, 'items.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    for (const it of items) if (it.domain === 'miniapps') it.features = { ...it.features, category: 'only-in-miniapps' };
    writeFileSync(join(own, 'items.jsonl'), items.map((it) => JSON.stringify(it)).join('\n') + '\n');
    const foundation = join(dir, 'foundation-own-category');
    await train({ data: own, out: foundation, excludeDomains: ['miniapps'], epochs: 1, negatives: 2, model: { historyLength: 8 } });
    const out = join(dir, 'ft-own-category');
    await finetune({ from: foundation, data: own, domain: 'miniapps', out, epochs: 1, negatives: 2 });
    const { loadRanker } = await import('../src/node/ranker-files.ts');
    const [a, b] = [await loadRanker(foundation), await loadRanker(out)];
    const seenBits = Buffer.from(a.manifest.training.sparseBucketsSeen as string, 'base64');
    const seen = (r: number) => !!(seenBits[r >> 3] & (1 << (r & 7)));
    const newRow = bucket('category=only-in-miniapps', a.manifest.config.sparseBuckets);
    const trainedRow = bucket(`category=${items.find((it) => it.domain !== 'miniapps').features.category}`, a.manifest.config.sparseBuckets);
    expect(seen(newRow)).toBe(false);
    expect(seen(trainedRow)).toBe(true);
    const [sa, sb] = [a.params.get('emb.sparse')!.arraySync() as number[][], b.params.get('emb.sparse')!.arraySync() as number[][]];
    // The new category's row learns; every row pretraining trained is byte for byte the foundation's.
    expect(sb[newRow]).not.toEqual(sa[newRow]);
    sa.forEach((row, r) => (seen(r) || r === 0) && expect(sb[r]).toEqual(row));
    expect(training(out).training.newRowsTrained).toContain('emb.sparse');
    // A foundation saved before the bitmap existed keeps its whole sparse table frozen, as then.
    const old = join(dir, 'foundation-no-sparse-record');
    cpSync(foundation, old, { recursive: true });
    const m = JSON.parse(readFileSync(join(old, 'model.json'), 'utf8'));
    delete m.kindling.training.sparseBucketsSeen;
    writeFileSync(join(old, 'model.json'), JSON.stringify(m));
    const asBefore = join(dir, 'ft-own-category-old-foundation');
    await finetune({ from: old, data: own, domain: 'miniapps', out: asBefore, epochs: 1, negatives: 2 });
    expect((await loadRanker(asBefore)).params.get('emb.sparse')!.arraySync()).toEqual(sa);
  });

  it('decays the trainable embedding rows by 1 − lr·λ a step (embDecay), and a fine-tune keeps the frozen rows as they were', async () => {
    const foundation = join(dir, 'foundation-decay');
    const lambda = 5;
    const t = await train({ data, out: foundation, excludeDomains: ['miniapps'], epochs: 2, negatives: 2, model: { historyLength: 8, embDecay: lambda } });
    const { loadRanker } = await import('../src/node/ranker-files.ts');
    const f = await loadRanker(foundation);
    expect(f.manifest.config.embDecay).toBe(lambda);
    const start = initParams(f.manifest.config, 1);
    const H = f.manifest.config.hidden;
    const table = (p: typeof start, name: string) => p.get(name)!.dataSync() as Float32Array;
    expectDecayed(table(f.params, 'emb.id'), table(start, 'emb.id'), H, TRAIN_DEFAULTS.learningRate, lambda, 2 * Math.ceil(t.trainSamples / TRAIN_DEFAULTS.batchSize));
    disposeParams(start);
    // The fine-tune trains as its foundation did (the config carries embDecay): its new rows decay,
    // every row the foundation trained, frozen by --freeze l0, stays byte for byte.
    const out = join(dir, 'ft-decay');
    const ft = await finetune({ from: foundation, data, domain: 'miniapps', out, epochs: 1, negatives: 2 });
    const after = await loadRanker(out);
    expect(after.manifest.config.embDecay).toBe(lambda);
    const seen = Uint8Array.from(atob(f.manifest.training.idBucketsSeen as string), (ch) => ch.charCodeAt(0));
    const [a, b] = [table(f.params, 'emb.id'), table(after.params, 'emb.id')];
    let frozen = 0;
    for (let r = 0; r < a.length / H; r++) {
      if (!(seen[r >> 3] & (1 << (r & 7)))) continue;
      frozen++;
      expect(b.subarray(r * H, (r + 1) * H)).toEqual(a.subarray(r * H, (r + 1) * H));
    }
    expect(frozen).toBeGreaterThan(0);
    expect(table(after.params, 'emb.action')).toEqual(table(f.params, 'emb.action')); // a frozen table, no new rows
    expectDecayed(b, a, H, FINETUNE_DEFAULTS.learningRate, lambda, Math.ceil(ft.trainSamples / FINETUNE_DEFAULTS.batchSize));
    for (const p of [f.params, after.params]) disposeParams(p);
    // The CLI's --emb-decay sets it; a bad value names the flag; without it the config has none.
    expect(modelOverrides({ 'emb-decay': '2' }).embDecay).toBe(2);
    expect(modelOverrides({}).embDecay).toBeUndefined();
    expect(() => modelOverrides({ 'emb-decay': '-1' })).toThrow(/--emb-decay/);
  });

  it('trains with history match (--history-match): the table ships, a fine-tune adds its pairs, the page reads a recorded click', async () => {
    const foundation = join(dir, 'foundation-match');
    const t = await train({ data, out: foundation, excludeDomains: ['miniapps'], epochs: 1, negatives: 2, model: { historyLength: 8, historyMatch: true } });
    expect(t.report.overall.auc).toBeGreaterThan(0.5);
    const m = training(foundation);
    expect(m.config.itemFeatures.numeric.slice(-2).map((f: { name: string }) => f.name)).toEqual(['~repeat', '~covisit']);
    const pairs = (c: { covisits: string }) => atob(c.covisits).length / 12;
    expect(pairs(m.config)).toBeGreaterThan(10);
    // The fine-tune's config: its foundation's pairs plus those of miniapps' own training clicks.
    await finetune({ from: foundation, data, domain: 'miniapps', out: join(dir, 'ft-match'), epochs: 1, negatives: 2 });
    expect(pairs(training(join(dir, 'ft-match')).config)).toBeGreaterThan(pairs(m.config));
    // The page (the Node recommender) with this ranker, and with the same ranker whose match.w is 0:
    // after a click on cards-1, cards-1's score differs between the two (~repeat), a made-up item's does not.
    const { loadRanker, saveRanker } = await import('../src/node/ranker-files.ts');
    const { createRecommender } = await import('../src/node/index.ts');
    const f = await loadRanker(foundation);
    const bases = [join(dir, 'serve-match'), join(dir, 'serve-match-0')];
    for (const base of bases) cpSync('models/encoder', join(base, 'encoder'), { recursive: true });
    await saveRanker(join(bases[0], 'ranker'), f.params, f.manifest.config, f.manifest.training);
    f.params.get('match.w')!.assign(f.params.get('match.w')!.mul(0));
    await saveRanker(join(bases[1], 'ranker'), f.params, f.manifest.config, f.manifest.training);
    disposeParams(f.params);
    const scores: Record<string, number>[] = [];
    for (const base of bases) {
      const r = await createRecommender({ modelBase: base, memoryOnly: true });
      try {
        await r.record({ item: 'cards-1', domain: 'cards', action: 'click', text: 'fresh espresso lounge', ts: 1 });
        const out = await r.rerank([{ id: 'cards-1', text: 'fresh espresso lounge' }, { id: 'made-up-1', text: 'quiet tea room' }], { domain: 'cards' });
        scores.push(Object.fromEntries(out.map((x) => [x.id, x.score])));
      } finally {
        await r.dispose();
      }
    }
    expect(scores[0]['made-up-1']).toBe(scores[1]['made-up-1']);
    expect(Math.abs(scores[0]['cards-1'] - scores[1]['cards-1'])).toBeGreaterThan(1e-6);
  }, 300_000);

  it('throws ConfigError naming the option for a bad one', async () => {
    await expect(train({ data, out: join(dir, 'never'), model: { aspects: [] } })).rejects.toThrow(ConfigError);
    await expect(train({ data, out: join(dir, 'never'), model: { aspects: [] } })).rejects.toThrow('model.aspects');
    await expect(train({ data, out: join(dir, 'never'), epochs: 0 })).rejects.toThrow('epochs: got 0; expected an integer from 1 to 1000');
    await expect(finetune({ from: join(dir, 'foundation'), data, domain: 'miniapps', out: join(dir, 'never'), l2sp: -1 })).rejects.toThrow('l2sp: got -1');
    // @ts-expect-error: not a choice
    await expect(finetune({ from: join(dir, 'foundation'), data, domain: 'miniapps', out: join(dir, 'never'), frozenIds: 'maybe' })).rejects.toThrow('frozenIds: got "maybe"');
    // @ts-expect-error: not a freeze split
    await expect(finetune({ from: join(dir, 'foundation'), data, domain: 'miniapps', out: join(dir, 'never'), freeze: 'all' })).rejects.toThrow('freeze: got "all"');
    // @ts-expect-error: not a metric
    await expect(train({ data, out: join(dir, 'never'), validFraction: 0.1, validMetric: 'ndcg' })).rejects.toThrow('validMetric: got "ndcg"; allowed: auc, logloss');
    await expect(train({ data, out: join(dir, 'never'), validMetric: 'auc' })).rejects.toThrow('validMetric: picks the epoch kept on the validation split');
    await expect(train({ data, out: join(dir, 'never'), refit: true })).rejects.toThrow('refit: trains again for the epochs picked on the validation split');
    await expect(train({ data, out: join(dir, 'never'), validFraction: 0.1, refit: true, resume: true })).rejects.toThrow('refit: cannot resume a refit');
    // @ts-expect-error: not a boolean
    await expect(train({ data, out: join(dir, 'never'), validFraction: 0.1, refit: 'yes' })).rejects.toThrow('refit: got "yes"; expected true or false');
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
