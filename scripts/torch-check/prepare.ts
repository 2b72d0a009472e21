/**
 * npx tsx scripts/torch-check/prepare.ts [DIR] — what scripts/torch-check/run.sh needs, on a machine
 * with Node: two exports of synthetic worlds (a small one for parity, a larger one for training
 * speed), a model with seeded random weights, and TF.js's probabilities for the small export's test
 * split. Then `bash scripts/torch-check/run.sh DIR` on the machine with PyTorch (and a GPU, if any).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initParams } from '../../src/model/params.ts';
import { saveRanker } from '../../src/node/ranker-files.ts';
import { useTrainingBackend } from '../../src/node/tf-backend.ts';
import { writeWorld } from '../../src/node/world-files.ts';
import { exportSamples, readExport, readShard } from '../../src/train/export.ts';
import { predictRanker } from '../../src/train/trainer.ts';

const dir = process.argv[2] ?? '.torch-check';
await useTrainingBackend();
writeWorld(join(dir, 'world-small'), { seed: 3, users: 40, scale: 0.2 });
writeWorld(join(dir, 'world-train'), { seed: 3, users: 150, scale: 0.5 });
const small = join(dir, 'exp');
await exportSamples({ data: join(dir, 'world-small'), out: small, negatives: 2, seed: 5, shards: 4, excludeDomains: ['miniapps'] });
await exportSamples({ data: join(dir, 'world-train'), out: join(dir, 'exp-train'), negatives: 2, seed: 5, shards: 4, excludeDomains: ['miniapps'] });
const { manifest, textTable } = readExport(small);
const params = initParams(manifest.config, 7);
await saveRanker(join(dir, 'model'), params, manifest.config, { command: 'torch-check' });
const table = tf.tensor2d(textTable, [manifest.textTable.rows, manifest.textTable.dim]);
const ctr: number[] = [];
const rel: number[] = [];
for (const e of manifest.shards.filter((s) => s.split === 'test')) {
  const p = predictRanker(params, manifest.config, readShard(small, manifest, e), table);
  ctr.push(...p.ctr);
  rel.push(...p.rel);
}
writeFileSync(join(dir, 'tfjs.json'), JSON.stringify({ ctr, rel }));
console.log(`wrote ${dir}: exports, model, TF.js's ${ctr.length} test probabilities`);
