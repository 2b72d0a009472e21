/**
 * kindling finetune --from DIR --data DIR --domain NAME --freeze l0|l0+encoder --out DIR
 *   [--epochs N] [--lr R] [--l2sp W] [--batch B] [--negatives K] [--seed S] [--split time:0.8] [--valid F] [--resume]
 * Restores the foundation model, gives the domain a row of its own if it is new (started from
 * the generic row 0, which pretraining taught to serve unseen scenarios), freezes the chosen
 * levels and trains the rest on that domain's training split, pulled towards the foundation's
 * weights (L2-SP, --l2sp W: W × the squared distance; 0 turns it off). With --valid F the latest F of the
 * training period is held out: the epoch with the best validation logloss is kept, and the
 * foundation itself competes (a fine-tune that does not help leaves it as it was). The foundation's
 * own scores on the same test events are written beside eval.json (foundation-eval.json) and
 * printed next to the fine-tuned ones.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { evaluate, reportTable } from '../eval/report.ts';
import { disposeParams, type ParamGroup, type Params } from '../model/params.ts';
import { baselineScores, holdOutValidation, loadNodeEncoder, prepareSamples, readDataSet, splitData } from '../node/pipeline.ts';
import { loadRanker, saveRanker } from '../node/ranker-files.ts';
import { predictRanker } from '../train/trainer.ts';
import { choice, num, required, UsageError } from './args.ts';
import { fit, readCheckpoint } from './fit.ts';
import { dataOptions, validationRecord } from './train.ts';
import type { RankerConfig } from '../model/config.ts';
import { buildSamples, firstSeen } from '../data/dataset.ts';
import { withKnownIds } from '../model/known-ids.ts';

/** Adds `domain` to the config (copying row 0 of every domain table into its new row). */
export function addDomain(params: Params, config: RankerConfig, domain: string): RankerConfig {
  if (config.domains.includes(domain)) return config;
  const row = config.domains.length;
  if (row >= config.maxDomains) throw new UsageError('--domain', `the model has room for ${config.maxDomains - 1} domains and all are taken`);
  for (const name of ['emb.domain', 'gate.domain.item', 'gate.domain.query']) {
    const v = params.get(name);
    if (!v) continue;
    const updated = tf.tidy(() => {
      const generic = tf.slice(v, [0, 0], [1, v.shape[1]!]);
      const mask = tf.oneHot([row], v.shape[0]!).reshape([v.shape[0]!, 1]);
      return tf.add(tf.mul(v, tf.sub(1, mask)), tf.mul(mask, generic));
    });
    v.assign(updated);
    updated.dispose();
  }
  return { ...config, domains: [...config.domains, domain] };
}

export const FREEZE: Record<string, ParamGroup[]> = { l0: ['encoder', 'head'], 'l0+encoder': ['head'] };

/**
 * Frozen means the foundation's trained rows: rows it never trained (the new domain's own row of
 * the domain tables, ID buckets no pretraining sample touched, e.g. the new domain's items) are new
 * parameters and learn. Returns the tables that take part and a step hook that restores every
 * frozen row after each update.
 */
export function newRowsOnly(params: Params, newDomainRow: number | undefined, idBucketsSeen: string | undefined) {
  const names: string[] = [];
  const restores: (() => void)[] = [];
  const held: tf.Tensor[] = [];
  const setup = (name: string, trainableRow: (r: number) => boolean) => {
    const v = params.get(name);
    if (!v) return;
    const rows = v.shape[0]!;
    const mask = tf.tensor2d(Array.from({ length: rows }, (_, r) => (trainableRow(r) ? 1 : 0)), [rows, 1]);
    const original = tf.clone(v);
    held.push(mask, original);
    names.push(name);
    restores.push(() => {
      const kept = tf.tidy(() => tf.add(tf.mul(v, mask), tf.mul(original, tf.sub(1, mask))));
      v.assign(kept);
      kept.dispose();
    });
  };
  if (newDomainRow !== undefined) for (const n of ['emb.domain', 'gate.domain.item', 'gate.domain.query']) setup(n, (r) => r === newDomainRow);
  if (idBucketsSeen) {
    const seen = Uint8Array.from(atob(idBucketsSeen), (ch) => ch.charCodeAt(0));
    setup('emb.id', (r) => r > 0 && !(seen[r >> 3] & (1 << (r & 7))));
  }
  return { names, afterStep: () => restores.forEach((f) => f()), dispose: () => tf.dispose(held) };
}

export async function finetune(a: Record<string, string | boolean | undefined>) {
  const from = required('from', a.from as string);
  const dataDir = required('data', a.data as string);
  const domain = required('domain', a.domain as string);
  const out = required('out', a.out as string);
  const freeze = choice('freeze', a.freeze as string, 'l0', ['l0', 'l0+encoder'] as const);
  const epochs = num('epochs', a.epochs as string, 8, 1, 1000);
  const batchSize = num('batch', a.batch as string, 256, 8, 65536);
  const learningRate = num('lr', a.lr as string, 0.002, 1e-6, 1, false);
  // L2-SP towards the foundation: 0.1 was picked on development worlds (seeds 101-110, not the
  // reported ones; docs/L2SP.md); every weight from 0.03 to 1 did about as well there.
  const anchor = num('l2sp', a.l2sp as string, 0.1, 0, 1e6, false);
  const d = dataOptions(a);
  const validFraction = d.validFraction;
  const foundation = await loadRanker(from);
  const isNew = !foundation.manifest.config.domains.includes(domain);
  const withDomain = addDomain(foundation.params, foundation.manifest.config, domain);
  // --resume: go on from the last epoch's checkpoint of this same fine-tune (the foundation is still
  // what is scored first, what the pull aims at, and where the frozen rows come from).
  const resume = a.resume ? await readCheckpoint(out, { command: 'finetune', from, domain, freeze }) : undefined;
  const params = resume?.params ?? foundation.params;
  const fresh = newRowsOnly(params, isNew ? withDomain.domains.indexOf(domain) : undefined, foundation.manifest.training.idBucketsSeen as string | undefined);
  const data = readDataSet(dataDir);
  const split = holdOutValidation(splitData(data, { ...d, onlyDomains: [domain] }), validFraction);
  // The fine-tune learns the IDs its training split clicks; the foundation as it was knows only its own.
  const config = withKnownIds(withDomain, firstSeen(split.train).keys());
  const encoder = await loadNodeEncoder(dataDir, undefined, a['text-vectors'] as string | undefined);
  const p = await prepareSamples(data, split, config, encoder, { trainFraction: d.trainFraction, negatives: d.negatives, seed: d.seed, excludeDomains: d.exclude });
  console.error(`fine-tuning ${from} on ${p.train.n} samples of ${domain} (frozen: ${freeze}), testing on ${p.test.n}${resume ? `; resuming after epoch ${resume.epoch + 1}` : ''}`);
  // The foundation on the same test events first (the new domain's row is still the generic one):
  // what fine-tuning has to beat.
  const baselines = baselineScores(p, config); // the same test events for both reports
  const asItWas = buildSamples(p.testEvents, { ...p.context, config: withDomain });
  const before = evaluate(asItWas, predictRanker(foundation.params, withDomain, asItWas, p.textTable).ctr, baselines);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'foundation-eval.json'), JSON.stringify(before, null, 1) + '\n');
  const training = { command: 'finetune', from, data: dataDir, domain, freeze, seed: d.seed, epochs, batchSize, learningRate, l2sp: anchor, validFraction, trainSamples: p.train.n, newRowsTrained: fresh.names };
  const fitOptions = { out, epochs, batchSize, learningRate, seed: d.seed, trainable: FREEZE[freeze], training, extraTrainable: fresh.names, afterStep: fresh.afterStep, anchor, anchorTo: foundation.params, valid: p.valid, scoreStart: true };
  const result = await fit(params, config, p.train, p.textTable, fitOptions, resume);
  await saveRanker(out, params, config, { ...training, seconds: Math.round(result.seconds), loss: result.epochs.map((e) => +e.loss.toFixed(5)), ...validationRecord(result) });
  const report = evaluate(p.test, predictRanker(params, config, p.test, p.textTable).ctr, baselines);
  writeFileSync(join(out, 'eval.json'), JSON.stringify(report, null, 1) + '\n');
  console.log(reportTable(report));
  const gain = report.overall.auc - before.overall.auc;
  console.log(`${domain} test AUC: foundation as it was ${before.overall.auc.toFixed(4)}, fine-tuned ${report.overall.auc.toFixed(4)} (${gain >= 0 ? '+' : ''}${gain.toFixed(4)}; foundation-eval.json)`);
  fresh.dispose();
  if (params !== foundation.params) disposeParams(params);
  disposeParams(foundation.params);
  p.textTable.dispose();
  await encoder.dispose();
}
