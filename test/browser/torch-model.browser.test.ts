/**
 * A model PyTorch trained (python/kindling_torch) in the page: the fused kernel on WebGPU loads it
 * unchanged and scores a call as PyTorch's own forward does on the same inputs, within 1e-4.
 * Needs /usr/bin/python3 with PyTorch (Debian's python3-torch; .ci/run installs it).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { validateEvent } from '../../src/features/behaviour-event.ts';
import { buildInputArrays, callTexts, inputTensors } from '../../src/features/inputs.ts';
import { textTable } from '../../src/features/text-table.ts';
import type { RankerConfig } from '../../src/model/config.ts';
import { createEncoder } from '../../src/node/index.ts';
import { writeWorld } from '../../src/node/world-files.ts';
import { exportSamples } from '../../src/train/export.ts';
import { hasTorch, runPython } from '../helpers/torch.ts';
import { launch, openPage, type OpenPage } from './chromium.ts';

const base = inject('baseURL');
const dir = mkdtempSync(join(tmpdir(), 'kindling-torch-page-'));
const modelBase = join(dir, 'models');
const CANDIDATES = [
  { id: 'cards-1', text: 'electricity billing portal' },
  { id: 'cards-2', text: 'fresh espresso lounge' },
  { id: 'cards-3', text: 'puppy grooming club' },
  { id: 'cards-4', text: 'airport shuttle booking' },
];
const CONTEXT = { domain: 'cards', query: 'coffee', userFeatures: { segment: 'food', age: 30 } };
const HISTORY = [
  { item: 'cards-9', domain: 'cards', action: 'click' as const, text: 'latte art class', ts: 1 },
  { item: 'q', domain: 'search', action: 'search' as const, query: 'espresso beans', ts: 2 },
];
const torch = hasTorch();

describe.skipIf(!torch && !process.env.CI)('a model PyTorch trained, in the page', () => {
  let browser: Browser;
  let p: OpenPage;
  let want: { ctr: number[]; rel: number[] };
  beforeAll(async () => {
    if (!torch) throw new Error('PyTorch is missing: install python3-torch');
    writeWorld(join(dir, 'world'), { seed: 5, users: 150, scale: 0.12, userFeatures: true });
    const exp = join(dir, 'export');
    const m = await exportSamples({ data: join(dir, 'world'), out: exp, shards: 2, excludeDomains: ['miniapps'], model: { historyLength: 10 } });
    const r = runPython('train', ['--export', exp, '--out', join(modelBase, 'ranker'), '--epochs', '1', '--batch', '256']);
    expect(r.code, r.err).toBe(0);
    cpSync('models/encoder', join(modelBase, 'encoder'), { recursive: true });
    // PyTorch's forward on this call's inputs, built in Node the way the page builds them.
    const config: RankerConfig = JSON.parse(readFileSync(join(modelBase, 'ranker/model.json'), 'utf8')).kindling.config;
    expect(config.domains).toEqual(m.config.domains);
    const history = HISTORY.map((e) => validateEvent(e));
    const texts = callTexts(CANDIDATES, CONTEXT, history);
    const encoder = await createEncoder();
    const arrays = buildInputArrays(config, CANDIDATES, CONTEXT, history, textTable(texts, await encoder.encode(texts), config.textDim));
    await encoder.dispose();
    const tensors = inputTensors(config, arrays);
    const json = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.dataSync()) }]));
    tf.dispose(Object.values(tensors));
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify(json));
    const f = runPython('forward', ['--model', join(modelBase, 'ranker'), '--inputs', join(dir, 'inputs.json'), '--out', join(dir, 'torch.json')]);
    expect(f.code, f.err).toBe(0);
    want = JSON.parse(readFileSync(join(dir, 'torch.json'), 'utf8'));
    browser = await launch({ webgpu: true });
    p = await openPage(browser, `${base}/test/browser/pages/api.html`);
    await p.page.route(`${base}/torch-model/**`, (route) => {
      const file = new URL(route.request().url()).pathname.replace('/torch-model/', '');
      return route.fulfill({ body: readFileSync(join(modelBase, file)) });
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scores a call on the fused kernel as PyTorch does, within 1e-4', async () => {
    const page = await p.page.evaluate(
      async ({ C, context, history }) => {
        const r = await window.kindling.createRecommender({ backend: 'webgpu-fused', modelBase: '/torch-model/', memoryOnly: true });
        for (const e of history) await r.record(e);
        const ranked = await r.rerank(C, context);
        const backend = r.backend;
        await r.dispose();
        return { backend, ranked };
      },
      { C: CANDIDATES, context: CONTEXT, history: HISTORY },
    );
    expect(page.backend).toBe('webgpu-fused');
    const byId = new Map(page.ranked.map((x) => [x.id, x]));
    CANDIDATES.forEach((c, i) => {
      expect(Math.abs(byId.get(c.id)!.ctr - want.ctr[i]), c.id).toBeLessThan(1e-4);
      expect(Math.abs(byId.get(c.id)!.relevance - want.rel[i]), c.id).toBeLessThan(1e-4);
    });
    expect(Math.max(...want.ctr) - Math.min(...want.ctr)).toBeGreaterThan(1e-4); // the candidates differ
  });
});
