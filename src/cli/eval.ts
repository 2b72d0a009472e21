/** kindling eval: a saved model on a data folder's test split, beside the baselines (src/train/evaluate.ts). */
import { writeFileSync } from 'node:fs';
import { reportTable } from '../eval/report.ts';
import { evaluateModel } from '../train/evaluate.ts';
import { DATA_FLAGS, DATA_USAGE, dataOptions, flags, required, type Command } from './args.ts';

export const evalCommand: Command = {
  usage: `eval     --data DIR --model DIR [--json FILE] ${DATA_USAGE}`,
  options: { ...DATA_FLAGS, ...flags(['data', 'model', 'json']) },
  usesTf: true,
  async run(a) {
    const report = await evaluateModel({ ...dataOptions(a, required('data', a.data)), model: required('model', a.model) });
    console.log(reportTable(report));
    if (typeof a.json === 'string') writeFileSync(a.json, JSON.stringify(report, null, 1) + '\n');
    return report;
  },
};
