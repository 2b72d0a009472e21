/** kindling export: the model's input arrays as binary shards for the PyTorch trainer (src/train/export.ts). */
import { exportSamples } from '../train/export.ts';
import { DATA_FLAGS, DATA_USAGE, dataOptions, flags, optNum, required, type Command } from './args.ts';
import { MODEL_FLAGS, MODEL_USAGE, modelOverrides } from './train.ts';

export const exportCommand: Command = {
  usage: `export   --data DIR --out DIR [--shards N] [--from MODEL --domain NAME] ${DATA_USAGE}
           ${MODEL_USAGE}
  --from MODEL --domain NAME: samples of that domain for fine-tuning MODEL elsewhere (kindling_torch.train --from).`,
  options: { ...DATA_FLAGS, ...MODEL_FLAGS, ...flags(['data', 'out', 'shards', 'from', 'domain']) },
  usesTf: true,
  async run(a) {
    const out = required('out', a.out);
    const m = await exportSamples({ ...dataOptions(a, required('data', a.data)), out, shards: optNum('shards', a.shards, 1, 100_000), model: modelOverrides(a), from: a.from as string | undefined, domain: a.domain as string | undefined });
    const shards = m.shards.length;
    console.log(`wrote ${m.counts.train} training and ${m.counts.test} test samples in ${shards} shards, and a text table of ${m.textTable.rows} rows, to ${out}`);
    return m;
  },
};
