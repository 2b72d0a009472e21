/**
 * npm run train:ranker — the shipped foundation model, models/ranker/: generates the synthetic
 * world (seed 1), pretrains on its three warm domains (the cold-start domain stays new, as a
 * brand-new scenario would be), on the shipped encoder's vectors. About 3 minutes on one of
 * our 2-core machines; the model card records the speed.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { main } from '../src/cli/main.ts';
import { COLD_DOMAIN } from '../src/world/generate.ts';

const data = '.cache/world-1';
const out = 'models/ranker';
const epochs = process.env.RANKER_EPOCHS ?? '8';
for (const args of [
  ['generate', '--out', data, '--seed', '1'],
  ['train', '--data', data, '--out', out, '--exclude-domains', COLD_DOMAIN, '--epochs', epochs, '--seed', '1'],
]) {
  const code = await main(args);
  if (code !== 0) process.exit(code);
}
// The per-epoch checkpoint is for resuming runs, not part of the shipped model.
rmSync(`${out}/checkpoint`, { recursive: true, force: true });
const manifest = JSON.parse(readFileSync(`${out}/model.json`, 'utf8')).kindling;
const ev = JSON.parse(readFileSync(`${out}/eval.json`, 'utf8'));
const t = manifest.training;
const c = manifest.config;
writeFileSync(
  `${out}/MODEL_CARD.md`,
  `# Kindling foundation ranker

Written by \`npm run train:ranker\` (scripts/train-ranker.ts); do not edit by hand.

- Trained on the synthetic world (\`kindling generate --seed 1\`), domains ${c.domains.slice(1).join(', ')};
  ${COLD_DOMAIN} is held out as the cold-start scenario (it ranks through the generic domain row until fine-tuned).
- Encoder: \`${manifest.encoderId}\` (text dimension ${c.textDim}); the ranker must be used with it.
- Shape: H=${c.hidden}, gating ${c.gating}, aspects ${c.aspects.join('/')}, domain-adaptive layer ${c.domainAdaptive ? `${c.daDim}-d` : 'off'} with ${c.reg} (lambda ${c.regWeight}),
  MMoE ${c.experts} experts of ${c.expertDim}, towers of ${c.towerDim}; behaviour sequence of ${c.historyLength} events; ${c.idBuckets} ID buckets.
- Training: ${t.epochs} epochs, batch ${t.batchSize}, Adam lr ${t.learningRate}, ${t.trainSamples} samples, ${t.seconds} s,
  ${t.samplesPerSecond} samples/s (TF.js wasm backend in Node; ${process.platform}, ${(await import('node:os')).cpus().length} cores).
- Test split (last 20% by time of the three domains): AUC ${ev.overall.auc.toFixed(4)}, GAUC ${ev.overall.gauc.toFixed(4)},
  NDCG@10 ${ev.overall.ndcg10.toFixed(4)}; warm items ${ev.warm.auc.toFixed(4)}, cold items ${ev.cold.auc.toFixed(4)}.
- Files: model.json (TF.js weights manifest + Kindling manifest with the config and the SHA-256 of weights.bin), weights.bin.
`,
);
