/**
 * The export's live JS heap: runs exportSamples in this process and, after every shard it writes
 * (while that shard's events and samples are still held), collects garbage and reads the heap in
 * use. Prints {"baselineMb", "peakMb", "shards"} as JSON; peakMb - baselineMb is what the export holds
 * at its fullest (the encoder, the text table, the per-user and per-item state, one shard).
 * `tsx --expose-gc scripts/export-heap.ts --data DIR --out DIR [--max-shard-samples N]`; used by
 * scripts/bench-train.ts.
 */
import { parseArgs } from 'node:util';
import { COLD_DOMAIN } from '../src/world/generate.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { exportSamples } from '../src/train/export.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' }, 'max-shard-samples': { type: 'string' } } });
await useTrainingBackend();
const baselineMb = heapMb();
let peakMb = baselineMb;
let shards = 0;
await exportSamples({
  data: values.data!,
  out: values.out!,
  seed: 1,
  excludeDomains: [COLD_DOMAIN],
  maxShardSamples: values['max-shard-samples'] ? Number(values['max-shard-samples']) : undefined,
  onShard: () => {
    peakMb = Math.max(peakMb, heapMb());
    shards++;
  },
});
console.log(JSON.stringify({ baselineMb, peakMb, shards }));
