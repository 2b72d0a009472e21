/** evaluateModel(options): a saved model's metrics on a data folder's test split, beside the baselines; scoreModel: its scores. */
import type { Baseline } from '../eval/baselines.ts';
import { evaluate, type EvalReport } from '../eval/report.ts';
import type { Samples } from '../data/dataset.ts';
import type { EventRow } from '../data/schema.ts';
import { disposeParams } from '../model/params.ts';
import { baselineScores, loadNodeEncoder, prepareSamples, readDataSet, splitData } from '../node/pipeline.ts';
import { loadRanker } from '../node/ranker-files.ts';
import { checkDataOptions, sampleDomains, withDataDefaults, type DataOptions } from './data-options.ts';
import { predictRanker } from './trainer.ts';

export interface EvaluateOptions extends DataOptions {
  /** The model's folder (model.json, weights.bin). */
  model: string;
}

/** A saved model's scores on a data folder's test samples, with the baselines' scores on the same samples. */
export interface ModelScores {
  test: Samples;
  /** The events the test samples were built from, one a sample, in the same order (negatives included). */
  events: EventRow[];
  /** The model's click probability for each test sample. */
  ctr: Float32Array;
  baselines: Record<Baseline, Float32Array>;
  /** The text table the samples' text rows point into ([rows, dim], row-major; a copy). */
  text: { table: Float32Array; dim: number };
}

export async function evaluateModel(options: EvaluateOptions): Promise<EvalReport> {
  const { test, ctr, baselines } = await scoreModel(options);
  return evaluate(test, ctr, baselines);
}

/** What evaluateModel measures, as scores per test sample (for analyses beyond the report's metrics). */
export async function scoreModel(options: EvaluateOptions): Promise<ModelScores> {
  checkDataOptions(options);
  const o = withDataDefaults(options);
  const { params, manifest } = await loadRanker(o.model);
  try {
    const data = readDataSet(o.data);
    const domains = sampleDomains(data.events, o);
    const split = splitData(data, { ...o, onlyDomains: domains });
    const encoder = await loadNodeEncoder(o);
    try {
      const p = await prepareSamples(data, split, manifest.config, encoder, o);
      try {
        const text = { table: (p.textTable.dataSync() as Float32Array).slice(), dim: p.textTable.shape[1] };
        return { test: p.test, events: p.testEvents, ctr: predictRanker(params, manifest.config, p.test, p.textTable).ctr, baselines: baselineScores(p, manifest.config), text };
      } finally {
        p.textTable.dispose();
      }
    } finally {
      await encoder.dispose();
    }
  } finally {
    disposeParams(params);
  }
}
