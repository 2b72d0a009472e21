/**
 * Several trained runs as one ranker, for the real-data results scripts: their click logits averaged
 * on one seed's test samples (what shipping all of them would rank; distillation's teachers). Checks
 * that the samples are the ones that seed's own run reports.
 */
import { evaluate, type SliceReport } from '../src/eval/report.ts';
import { logit } from '../src/train/distill.ts';
import { scoreModel } from '../src/train/evaluate.ts';
import { PROTOCOL } from './real-data.ts';

/**
 * The runs in `models` scored on `data`'s test samples for `seed` (PROTOCOL's negatives), their logits
 * averaged; `samples` is how many test samples seed's own run reported (an Error when they differ).
 */
export async function averagedRuns(models: string[], data: string, seed: number, samples: number): Promise<SliceReport> {
  let test: Parameters<typeof evaluate>[0] | undefined;
  let z: Float64Array | undefined;
  for (const model of models) {
    const r = await scoreModel({ model, data, negatives: Number(PROTOCOL.negatives), seed });
    test ??= r.test;
    z ??= new Float64Array(r.ctr.length);
    r.ctr.forEach((p, i) => (z![i] += logit(p) / models.length));
  }
  if (!test || !z) throw new Error('averagedRuns: no model to average');
  if (test.n !== samples) throw new Error(`seed ${seed}: the averaged runs were scored on ${test.n} samples, the seed's own run on ${samples}`);
  return evaluate(test, Float32Array.from(z, (x) => 1 / (1 + Math.exp(-x))));
}
