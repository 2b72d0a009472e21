import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/eval/report.ts';
import { disposeParams } from '../src/model/params.ts';
import { createEncoder, type Encoder } from '../src/node/index.ts';
import { prepareSamples, splitData } from '../src/node/pipeline.ts';
import { loadRanker } from '../src/node/ranker-files.ts';
import { predictRanker } from '../src/train/trainer.ts';
import { DEFAULT_WORLD, generateWorld } from '../src/world/generate.ts';

let encoder: Encoder;
beforeAll(async () => {
  await tf.setBackend('cpu');
  encoder = await createEncoder();
});
afterAll(() => encoder.dispose());

describe('the shipped foundation ranker (models/ranker)', () => {
  it('loads, checks out, and was trained on the shipped encoder', async () => {
    const { params, manifest } = await loadRanker('models/ranker');
    expect(manifest.encoderId).toBe(encoder.id);
    expect(manifest.config.textDim).toBe(encoder.dim);
    expect(manifest.config.domains).toEqual(['(generic)', 'cards', 'search', 'suggest']);
    expect(manifest.training.seconds as number).toBeLessThan(15 * 60);
    const card = readFileSync('models/ranker/MODEL_CARD.md', 'utf8');
    expect(card).toContain(`${manifest.training.samplesPerSecond} samples/s`);
    // What finetune needs to keep trained rows and let new ones learn: the ID buckets and the sparse rows training touched.
    for (const key of ['idBucketsSeen', 'sparseBucketsSeen']) {
      const bits = Buffer.from(manifest.training[key] as string, 'base64');
      expect(bits.some((b) => b > 0), key).toBe(true);
    }
    expect(Buffer.from(manifest.training.sparseBucketsSeen as string, 'base64').length).toBe(manifest.config.sparseBuckets / 8);
    disposeParams(params);
  });

  it('ranks a freshly generated world (another seed) well above chance, cold items included', async () => {
    const { params, manifest } = await loadRanker('models/ranker');
    const w = generateWorld({ ...DEFAULT_WORLD, seed: 11, users: 300, requests: { search: 200, suggest: 200, cards: 200, miniapps: 0 } });
    const data = { items: new Map(w.items.map((i) => [i.id, i])), events: w.events };
    const o = { trainFraction: 0.8, negatives: 0, seed: 1 };
    const p = await prepareSamples(data, splitData(data, o), manifest.config, encoder, o);
    const r = evaluate(p.test, predictRanker(params, manifest.config, p.test, p.textTable).ctr);
    // Another seed: other titles, other hidden item qualities, other users and histories.
    expect(r.overall.auc).toBeGreaterThan(0.7);
    expect(r.cold.auc).toBeGreaterThan(0.7);
    disposeParams(params);
    p.textTable.dispose();
  });
});
