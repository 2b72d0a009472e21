/**
 * Refit (DataOptions.refit, `--refit`): `--valid F` picks the epoch on the latest share F of the
 * training period, and so trains without those events, the most recent ones, which on real data are
 * worth about 0.01 AUC (docs/RESULTS-REAL.md). With refit the run is made twice: once with the
 * validation split, into <out>/refit-validation (kept: its manifest holds the validation curve),
 * then again on the whole training period for the number of epochs validation picked, into <out>.
 * The second run's training record says what picked its epochs (`refit`). It is what scikit-learn's
 * `refit=True` does after a search, for the one choice validation makes here.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { DataOptions } from './data-options.ts';
import type { FitProgress } from './fit.ts';

/** The options a refit reads and rewrites (TrainOptions and FinetuneOptions have them all). */
export interface RefitFields extends DataOptions {
  out: string;
  epochs?: number;
  resume?: boolean;
  progress?: FitProgress;
}

/** Where the validation run of a refit is written, inside the run's own folder. */
export const REFIT_VALIDATION = 'refit-validation';

/** The files a run writes that make the model: what is copied when validation keeps the starting point. */
const MODEL_FILES = ['model.json', 'weights.bin', 'eval.json', 'foundation-eval.json'];

/**
 * Runs `run` once, or with `o.refit` twice as above. `run(options, record)` is the command itself
 * (train or finetune); `record` is added to the training record of the model it saves.
 */
export async function withRefit<O extends RefitFields, R>(o: O, run: (o: O, record?: Record<string, unknown>) => Promise<R>): Promise<R> {
  if (!o.refit) return run(o);
  // checkDataOptions has checked that refit comes with validFraction.
  if (o.resume) throw new ConfigError('refit', 'cannot resume a refit (it is two runs); leave out resume, or refit, and run again');
  const pickDir = join(o.out, REFIT_VALIDATION);
  o.progress?.note?.(`refit: picking the epoch on validation first (into ${pickDir})`);
  const picked = await run({ ...o, refit: undefined, out: pickDir });
  const t = JSON.parse(readFileSync(join(pickDir, 'model.json'), 'utf8')).kindling.training as Record<string, unknown>;
  const record = {
    refit: {
      validFraction: t.validFraction, validMetric: t.validMetric, bestEpoch: t.bestEpoch, validAuc: t.validAuc, validLoss: t.validLoss,
      ...(t.startValidAuc === undefined ? {} : { startValidAuc: t.startValidAuc, startValidLoss: t.startValidLoss }),
    },
  };
  const epochs = t.bestEpoch as number;
  if (epochs === 0) {
    // Validation kept the starting point (a fine-tune that did not help): there is nothing to train again.
    o.progress?.note?.('refit: validation kept the starting point, so the model is the validation run\'s (no epoch to train again)');
    for (const f of MODEL_FILES) if (existsSync(join(pickDir, f))) cpSync(join(pickDir, f), join(o.out, f), { force: true });
    const manifest = JSON.parse(readFileSync(join(o.out, 'model.json'), 'utf8'));
    Object.assign(manifest.kindling.training, record);
    writeFileSync(join(o.out, 'model.json'), JSON.stringify(manifest));
    return picked;
  }
  o.progress?.note?.(`refit: training again for ${epochs} epoch${epochs > 1 ? 's' : ''} on the whole training period`);
  return run({ ...o, refit: undefined, validFraction: undefined, validMetric: undefined, epochs }, record);
}
