/**
 * kindling train --data DIR --out DIR [--gating mean|cls|domain] [--no-text] [--no-id] [--no-sparse]
 *   [--no-da] [--reg js|mmd|none] [--lambda L] [--experts N] [--epochs N] [--negatives K] [--seed S]
 *   [--split time:0.8] [--valid F] [--domains a,b] [--exclude-domains c] [--history N] [--batch B] [--lr R] [--resume]
 *   [--unknown-ids mask|hash] [--id-dropout P] [--text-vectors FILE]
 * --valid F holds out the latest F of the training period and keeps the epoch with the best
 * validation logloss.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASPECTS, DEFAULT_RANKER, type Aspect, type RankerConfig } from '../model/config.ts';
import type { Samples } from '../data/dataset.ts';
import { disposeParams, initParams } from '../model/params.ts';
import { evaluate, reportTable } from '../eval/report.ts';
import { baselineScores, configFromData, holdOutValidation, loadNodeEncoder, prepareSamples, readDataSet, splitData } from '../node/pipeline.ts';
import { saveRanker } from '../node/ranker-files.ts';
import { predictRanker } from '../train/trainer.ts';
import { choice, list, num, required, splitSpec, UsageError } from './args.ts';
import { fit, readCheckpoint, type FitResult } from './fit.ts';

type Args = Record<string, string | boolean | undefined>;

export function dataOptions(a: Args) {
  const only = list(a.domains as string);
  const exclude = list(a['exclude-domains'] as string);
  return {
    trainFraction: splitSpec(a.split as string),
    negatives: num('negatives', a.negatives as string, 0, 0, 100),
    seed: num('seed', a.seed as string, 1, 0, 2 ** 31),
    validFraction: a.valid === undefined ? undefined : num('valid', a.valid as string, 0.1, 0.01, 0.5, false),
    only,
    exclude,
  };
}

export function modelOverrides(a: Args): Partial<RankerConfig> {
  const aspects = ASPECTS.filter((x: Aspect) => !a[`no-${x}`]);
  return {
    gating: choice('gating', a.gating as string, 'domain', ['mean', 'cls', 'domain'] as const),
    aspects: [...aspects],
    domainAdaptive: !a['no-da'],
    reg: choice('reg', a.reg as string, 'js', ['js', 'mmd', 'none'] as const),
    regWeight: num('lambda', a.lambda as string, 0.1, 0, 100, false),
    experts: num('experts', a.experts as string, 4, 1, 64),
    historyLength: num('history', a.history as string, 50, 1, 500),
    unknownIds: choice('unknown-ids', a['unknown-ids'] as string, DEFAULT_RANKER.unknownIds!, ['mask', 'hash'] as const),
    idDropout: num('id-dropout', a['id-dropout'] as string, DEFAULT_RANKER.idDropout!, 0, 0.9, false),
  };
}

/**
 * The ID buckets training updates (items, queries, history events), as a base64 bitmap: fine-tuning
 * lets only the others (new items of a new domain) learn while the foundation's embeddings stay frozen.
 */
export function seenBuckets(s: Samples, c: RankerConfig): string {
  const bits = new Uint8Array(Math.ceil(c.idBuckets / 8));
  const mark = (b: number) => (bits[b >> 3] |= 1 << (b & 7));
  s.itemId.forEach(mark);
  s.queryId.forEach(mark);
  s.histId.forEach((b, i) => s.histMask[i] && mark(b));
  return Buffer.from(bits).toString('base64');
}

/** What validation decided, for the manifest's training record. */
export function validationRecord(r: FitResult) {
  if (r.bestEpoch === undefined) return {};
  return { bestEpoch: r.bestEpoch + 1, validLoss: r.epochs.map((e) => +(e.validLoss ?? NaN).toFixed(5)), ...(r.startValidLoss === undefined ? {} : { startValidLoss: +r.startValidLoss.toFixed(5) }) };
}

export async function train(a: Args) {
  const dataDir = required('data', a.data as string);
  const out = required('out', a.out as string);
  const d = dataOptions(a);
  const epochs = num('epochs', a.epochs as string, 5, 1, 1000);
  const batchSize = num('batch', a.batch as string, 512, 8, 65536);
  const learningRate = num('lr', a.lr as string, 0.003, 1e-6, 1, false);
  const overrides = modelOverrides(a);
  if (!overrides.aspects!.length) throw new UsageError('--no-id, --no-text, --no-sparse', 'together leave no aspect to rank with');

  const data = readDataSet(dataDir);
  const domains = d.only ?? [...new Set(data.events.map((e) => e.domain))].filter((x) => !d.exclude?.includes(x));
  const split = holdOutValidation(splitData(data, { ...d, onlyDomains: domains }), d.validFraction);
  const encoder = await loadNodeEncoder(dataDir, undefined, a['text-vectors'] as string | undefined);
  const resume = a.resume ? await readCheckpoint(out, { command: 'train' }) : undefined;
  const config = resume?.config ?? configFromData(split.train, data.items, encoder, overrides, data.users);
  const prep = { trainFraction: d.trainFraction, negatives: d.negatives, seed: d.seed, excludeDomains: d.exclude };
  const p = await prepareSamples(data, split, config, encoder, prep);
  console.error(`training on ${p.train.n} samples (${config.domains.slice(1).join(', ')}), testing on ${p.test.n}; ${resume ? `resuming after epoch ${resume.epoch + 1}` : 'from scratch'}`);
  const params = resume?.params ?? initParams(config, d.seed);
  const training = { command: 'train', data: dataDir, seed: d.seed, epochs, batchSize, learningRate, negatives: d.negatives, trainFraction: d.trainFraction, validFraction: d.validFraction, trainSamples: p.train.n, idBucketsSeen: seenBuckets(p.train, config) };
  const result = await fit(params, config, p.train, p.textTable, { out, epochs, batchSize, learningRate, seed: d.seed, trainable: ['l0', 'encoder', 'head'], training, valid: p.valid }, resume);
  const speed = result.epochs.map((e) => e.samplesPerSecond);
  await saveRanker(out, params, config, { ...training, seconds: Math.round(result.seconds), samplesPerSecond: Math.round(speed.reduce((x, y) => x + y, 0) / speed.length), loss: result.epochs.map((e) => +e.loss.toFixed(5)), ...validationRecord(result) });
  const report = evaluate(p.test, predictRanker(params, config, p.test, p.textTable).ctr, baselineScores(p, config));
  writeFileSync(join(out, 'eval.json'), JSON.stringify(report, null, 1) + '\n');
  console.log(reportTable(report));
  disposeParams(params);
  p.textTable.dispose();
  await encoder.dispose();
  console.log(`saved ${out}/model.json (${Math.round(result.seconds)}s, ${Math.round(speed[speed.length - 1] ?? 0)} samples/s)`);
}
