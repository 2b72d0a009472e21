/**
 * Distillation (TrainOptions.teachers, `--teachers DIR,...`; `--distill K` trains the teachers too):
 * the network trains on soft click labels, each training sample's label mixed with what a set of
 * teacher models (the same network trained with other seeds) say of it:
 *
 *   target = (1 − w) · label + w · σ(mean over teachers of logit(p_teacher))
 *
 * On the real data one run of this network depends on its seed by ±0.004 AUC, and averaging several
 * runs' logits ranks much better than any of them (docs/RESULTS-DISTILL.md); the student learns that
 * average into one network of the same size, so the page still loads and runs one model. It is Hinton
 * et al.'s "Distilling the Knowledge in a Neural Network" (2015) with the ensemble as teacher, at
 * temperature 1 (the CTR head is one logit, so there is no softmax to soften).
 *
 * A teacher must have been trained on the same samples: the same training split (its known IDs and,
 * with history match, its co-visitation table equal the student's), the same features, encoder, history
 * length and tables, and no validation events the student holds out. The network behind them (widths,
 * aspects, gating, dropout) may differ. Anything else is a ConfigError naming `teachers`: a teacher
 * that saw the student's test or validation events would leak them into its labels.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Samples } from '../data/dataset.ts';
import { ConfigError } from '../errors.ts';
import type { RankerConfig } from '../model/config.ts';
import { disposeParams } from '../model/params.ts';
import { loadRanker } from '../node/ranker-files.ts';
import { predictRanker } from './trainer.ts';

/** The teachers' share of the target when `distillWeight` is left out. */
export const DISTILL_WEIGHT = 0.5;

/**
 * The config fields that decide what a sample is (its inputs, its known IDs, its history-match
 * columns): a teacher must agree on all of them to score the student's samples.
 */
export const SAMPLE_FIELDS = [
  'encoderId', 'textDim', 'idBuckets', 'sparseBuckets', 'historyLength', 'itemFeatures', 'contextFeatures', 'userFeatures',
  'domains', 'actions', 'unknownIds', 'knownIds', 'historyFeatures', 'historyMatch', 'matchFeatures', 'covisits', 'covisitMin',
] as const satisfies readonly (keyof RankerConfig)[];

/** The training-record fields that decide which events were training events. */
const SPLIT_FIELDS = ['trainFraction', 'validFraction'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Why `teacher` cannot label the samples of `student` (manifests), or undefined when it can. */
export function teacherMismatch(teacher: { config: RankerConfig; training: Record<string, unknown> }, student: { config: RankerConfig; training: Record<string, unknown> }): string | undefined {
  const split = SPLIT_FIELDS.filter((f) => !same(teacher.training[f], student.training[f]));
  if (split.length) return `it was trained with ${split.map((f) => `${f} ${JSON.stringify(teacher.training[f] ?? null)}, not ${JSON.stringify(student.training[f] ?? null)}`).join('; ')}: it saw other events than this run's training events`;
  const fields = SAMPLE_FIELDS.filter((f) => !same(teacher.config[f], student.config[f]));
  if (fields.length) {
    const why = fields.includes('knownIds') || fields.includes('covisits') ? ' (another training split or data)' : '';
    return `its ${fields.join(', ')} differ${fields.length === 1 ? 's' : ''} from this model's${why}: a teacher must be trained on the same data, split and features`;
  }
  return undefined;
}

export interface SoftLabels {
  /** The targets, one per sample of `train`. */
  labels: Float32Array;
  /** For the model's training record: each teacher's folder and seed, and the weight. */
  record: { teachers: { dir: string; seed: unknown }[]; distillWeight: number };
}

/**
 * The distillation targets for `train` (prepared for `student.config`): each teacher in `dirs` is
 * loaded, checked (teacherMismatch) and run on the samples; their logits are averaged and mixed with
 * the click labels at `weight`. Throws ConfigError naming `teachers` for a teacher that does not fit,
 * and ModelLoadError for one that cannot be read.
 */
export async function softLabels(train: Samples, textTable: tf.Tensor2D, dirs: string[], weight: number, student: { config: RankerConfig; training: Record<string, unknown> }): Promise<SoftLabels> {
  if (!dirs.length) throw new ConfigError('teachers', 'is empty: give at least one model folder');
  const sum = new Float64Array(train.n);
  const teachers: SoftLabels['record']['teachers'] = [];
  for (const dir of dirs) {
    const { params, manifest } = await loadRanker(dir);
    try {
      const why = teacherMismatch(manifest, student);
      if (why) throw new ConfigError('teachers', `${dir}: ${why}`);
      const p = predictRanker(params, manifest.config, train, textTable).ctr;
      for (let i = 0; i < train.n; i++) sum[i] += logit(p[i]);
      teachers.push({ dir, seed: manifest.training.seed });
    } finally {
      disposeParams(params);
    }
  }
  const labels = new Float32Array(train.n);
  for (let i = 0; i < train.n; i++) labels[i] = (1 - weight) * train.label[i] + weight / (1 + Math.exp(-sum[i] / dirs.length));
  return { labels, record: { teachers, distillWeight: weight } };
}

/** logit(p), with p kept 1e-7 away from 0 and 1 (a saturated teacher must not dominate the mean). */
export function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return Math.log(q / (1 - q));
}
