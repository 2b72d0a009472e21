/** evaluateModel(options): a saved model's scores on a data folder's test split, beside the baselines. */
import { evaluate, type EvalReport } from '../eval/report.ts';
import { disposeParams } from '../model/params.ts';
import { baselineScores, loadNodeEncoder, prepareSamples, readDataSet, splitData } from '../node/pipeline.ts';
import { loadRanker } from '../node/ranker-files.ts';
import { checkDataOptions, sampleDomains, withDataDefaults, type DataOptions } from './data-options.ts';
import { predictRanker } from './trainer.ts';

export interface EvaluateOptions extends DataOptions {
  /** The model's folder (model.json, weights.bin). */
  model: string;
}

export async function evaluateModel(options: EvaluateOptions): Promise<EvalReport> {
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
        return evaluate(p.test, predictRanker(params, manifest.config, p.test, p.textTable).ctr, baselineScores(p, manifest.config));
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
