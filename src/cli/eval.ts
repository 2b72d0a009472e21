/** kindling eval --data DIR --model DIR [--json FILE] [--split time:0.8] [--negatives K] [--domains a,b] */
import { writeFileSync } from 'node:fs';
import { evaluate, reportTable } from '../eval/report.ts';
import { baselineScores, loadNodeEncoder, prepareSamples, readDataSet, splitData } from '../node/pipeline.ts';
import { loadRanker } from '../node/ranker-files.ts';
import { predictRanker } from '../train/trainer.ts';
import { required } from './args.ts';
import { disposeParams } from '../model/params.ts';
import { dataOptions } from './train.ts';

export async function evalCommand(a: Record<string, string | boolean | undefined>) {
  const dataDir = required('data', a.data as string);
  const { params, manifest } = await loadRanker(required('model', a.model as string));
  const d = dataOptions(a);
  const data = readDataSet(dataDir);
  const domains = d.only ?? [...new Set(data.events.map((e) => e.domain))].filter((x) => !d.exclude?.includes(x));
  const split = splitData(data, { ...d, onlyDomains: domains });
  const encoder = await loadNodeEncoder(dataDir, undefined, a['text-vectors'] as string | undefined);
  const p = await prepareSamples(data, split, manifest.config, encoder, { trainFraction: d.trainFraction, negatives: d.negatives, seed: d.seed, excludeDomains: d.exclude });
  const report = evaluate(p.test, predictRanker(params, manifest.config, p.test, p.textTable).ctr, baselineScores(p, manifest.config));
  console.log(reportTable(report));
  disposeParams(params);
  p.textTable.dispose();
  await encoder.dispose();
  if (a.json) writeFileSync(a.json as string, JSON.stringify(report, null, 1) + '\n');
  return report;
}
