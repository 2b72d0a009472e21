/** kindling export: the model's input arrays as binary shards for the PyTorch trainer (src/train/export.ts). */
import { exportSamples } from '../train/export.ts';
import { exportProgress } from './progress.ts';
import { DATA_FLAGS, DATA_USAGE, dataOptions, flags, optNum, required, type Command } from './args.ts';
import { MODEL_FLAGS, MODEL_USAGE, modelOverrides } from './train.ts';

export const exportCommand: Command = {
  usage: `export   --data DIR --out DIR [--shards N] [--max-shard-samples N] [--from MODEL --domain NAME] ${DATA_USAGE}
           ${MODEL_USAGE}
  --shards N: shards per split, or a multiple of N when --max-shard-samples asks for more (default 4; give
  the trainer's world size or a multiple of it, so every rank gets as many samples).
  --max-shard-samples N: samples per shard, at most (default 50,000): the export holds one shard in memory.
  --from MODEL --domain NAME: samples of that domain for fine-tuning MODEL elsewhere (kindling_torch.train --from).`,
  options: { ...DATA_FLAGS, ...MODEL_FLAGS, ...flags(['data', 'out', 'shards', 'max-shard-samples', 'from', 'domain']) },
  usesTf: true,
  async run(a) {
    const out = required('out', a.out);
    const m = await exportSamples({ ...dataOptions(a, required('data', a.data)), out, shards: optNum('shards', a.shards, 1, 100_000), maxShardSamples: optNum('max-shard-samples', a['max-shard-samples'], 100, 1e8), model: modelOverrides(a), from: a.from as string | undefined, domain: a.domain as string | undefined,
      onShard: exportProgress(),
    });
    const shards = m.shards.length;
    console.log(`wrote ${m.counts.train} training and ${m.counts.test} test samples in ${shards} shards, and a text table of ${m.textTable.rows} rows, to ${out}`);
    return m;
  },
};
