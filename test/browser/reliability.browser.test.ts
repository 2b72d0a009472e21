/**
 * Reliability (issue 6): corrupt or missing model files make createRecommender() reject with a
 * typed error naming the file, before any ranking; no WebGPU, no adapter and a device destroyed
 * mid-session still rank in the same order; four tabs appending to the behaviour store at once
 * lose nothing. (Bad input, storage, memory, CSP and privacy have files of their own.)
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Route } from 'playwright-core';
import { launch } from './chromium.ts';
import { reportCase } from './report.ts';

const base = inject('baseURL');
const url = `${base}/test/browser/pages/api.html`;

const modelJson = JSON.parse(readFileSync('models/ranker/model.json', 'utf8'));
const weights = readFileSync('models/ranker/weights.bin');

type Corruption = { name: string; file: RegExp; body: (route: Route) => Promise<void>; expect: RegExp };

const json = (v: unknown) => async (route: Route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(v) });
const CASES: Corruption[] = [
  { name: 'a truncated weights file', file: /\/models\/ranker\/weights\.bin$/, body: (r) => r.fulfill({ body: weights.subarray(0, weights.length - 1000) }), expect: /^ModelLoadError: .*\/models\/ranker\/weights\.bin: checksum mismatch/ },
  {
    name: 'a tensor of the wrong shape',
    file: /\/models\/ranker\/model\.json$/,
    body: json({ ...modelJson, kindling: { ...modelJson.kindling, config: { ...modelJson.kindling.config, towerDim: 17 } } }),
    expect: /^ModelLoadError: .*\/models\/ranker\/model\.json: tensor "tower\.ctr\.1\.w" has shape \[32,16\], the config needs \[32,17\]/,
  },
  { name: 'a manifest of another schema version', file: /\/models\/ranker\/model\.json$/, body: json({ ...modelJson, kindling: { ...modelJson.kindling, schemaVersion: 2 } }), expect: /^ModelLoadError: .*\/models\/ranker\/model\.json: schema version 2/ },
  { name: 'a checksum mismatch', file: /\/models\/ranker\/model\.json$/, body: json({ ...modelJson, kindling: { ...modelJson.kindling, checksums: { 'weights.bin': '0'.repeat(64) } } }), expect: /^ModelLoadError: .*weights\.bin: checksum mismatch/ },
  { name: 'a missing encoder file', file: /\/models\/encoder\/kindling-glove-100d\/tokenizer\.json$/, body: (r) => r.fulfill({ status: 404, body: 'not found' }), expect: /^ModelLoadError: .*tokenizer\.json/ },
  { name: 'a missing ranker', file: /\/models\/ranker\/model\.json$/, body: (r) => r.fulfill({ status: 404, body: 'not found' }), expect: /^ModelLoadError: .*\/models\/ranker\/model\.json: HTTP 404/ },
  { name: 'a model.json that is not JSON', file: /\/models\/ranker\/model\.json$/, body: (r) => r.fulfill({ body: '{"format": "kindling-ranker", ' }), expect: /^ModelLoadError: .*\/models\/ranker\/model\.json: is not valid JSON/ },
];

describe('reliability in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch({ webgpu: true });
  });
  afterAll(async () => browser?.close());

  it.each(CASES)('rejects $name with a typed error naming the file', async (c) => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.route(c.file, c.body);
      await page.goto(url);
      await page.waitForFunction(() => window.kindlingReady === true);
      const r = await page.evaluate(async () => {
        try {
          await window.kindling.createRecommender({ backend: 'cpu' });
          return 'resolved';
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message} ${e instanceof window.kindling.ModelLoadError}`;
        }
      });
      reportCase(`model-${c.name}`, { group: 'Corrupt models', case: c.name, tried: 'createRecommender() with that file served', happened: `rejected before any ranking: ${r.replace(/ true$/, '')}`, lost: 'nothing' });
      expect(r).toMatch(c.expect);
      expect(r.endsWith(' true')).toBe(true);
    } finally {
      await context.close();
    }
  });

  it.each([
    ['no navigator.gpu', 'Object.defineProperty(Navigator.prototype, "gpu", { get: () => undefined })'],
    ['requestAdapter() returning null', 'if (navigator.gpu) navigator.gpu.requestAdapter = async () => null'],
  ])('ranks on the CPU, in the same order, with %s', async (_name, script) => {
    const rank = async (init?: string) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        if (init) await page.addInitScript(init);
        await page.goto(url);
        await page.waitForFunction(() => window.kindlingReady === true);
        return await page.evaluate(async () => {
          const r = await window.kindling.createRecommender({ memoryOnly: true });
          const C = [
            { id: 'a', text: 'electricity billing portal' },
            { id: 'b', text: 'fresh espresso lounge' },
            { id: 'c', text: 'puppy grooming club' },
          ];
          return { backend: r.backend, device: r.encoder.device, ids: (await r.rerank(C, { domain: 'search', query: 'coffee' })).map((x) => x.id) };
        });
      } finally {
        await context.close();
      }
    };
    const withGpu = await rank();
    const without = await rank(script);
    reportCase(`gpu-${_name}`, { group: 'GPU failures', case: _name, tried: 'createRecommender() and a rerank of 3 candidates, against the same page with WebGPU', happened: `ranked on backend ${without.backend} (encoder ${without.device}) in the order ${without.ids.join(', ')}; with WebGPU: ${withGpu.backend}, ${withGpu.ids.join(', ')}`, lost: 'nothing' });
    expect(withGpu.backend).toBe('webgpu-fused');
    expect(without).toEqual({ backend: 'cpu', device: 'js', ids: withGpu.ids });
  });

  it('keeps all 1,000 events when four tabs append 250 each at once (cap raised), and the newest 200 by default', async () => {
    const context: BrowserContext = await browser.newContext();
    try {
      const pages = await Promise.all([0, 1, 2, 3].map(() => context.newPage()));
      await Promise.all(pages.map((p) => p.goto(url)));
      await Promise.all(pages.map((p) => p.waitForFunction(() => window.kindlingReady === true)));
      await pages[0].evaluate(async () => (await window.kindling.createRecommender({ backend: 'cpu', historyLimit: 5000 })).clearHistory());
      await Promise.all(
        pages.map((p, tab) =>
          p.evaluate(async (tab) => {
            const r = await window.kindling.createRecommender({ backend: 'cpu', historyLimit: 5000 });
            for (let i = 0; i < 250; i++) await r.record({ item: `t${tab}-${i}`, domain: 'cards', action: 'click', ts: i * 4 + tab });
          }, tab),
        ),
      );
      const all = await pages[1].evaluate(async () => (await (await window.kindling.createRecommender({ backend: 'cpu', historyLimit: 5000 })).history()).map((e) => e.ts));
      expect(all).toHaveLength(1000);
      expect(all).toEqual([...all].sort((a, b) => a - b));
      const capped = await pages[2].evaluate(async () => {
        const r = await window.kindling.createRecommender({ backend: 'cpu' });
        await r.record({ item: 'last', domain: 'cards', action: 'click', ts: 5000 });
        return (await r.history()).map((e) => e.ts);
      });
      expect(capped).toHaveLength(200);
      expect(capped[199]).toBe(5000);
      expect(capped[0]).toBe(801); // the newest 200 of ts 0..999 and 5000
      reportCase('tabs', { group: 'Many tabs', case: 'four pages of one browser context append 250 events each, at once', tried: '1,000 record() calls (cap raised to 5,000), then one more with the default cap of 200', happened: `${all.length} events in the history, in timestamp order; with the default cap ${capped.length} remain, the newest`, lost: 'nothing (beyond the cap, by design)' });
    } finally {
      await context.close();
    }
  });

  it('answers with the same order after the fused kernel\'s device is destroyed mid-session', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(() => window.kindlingReady === true);
      const r = await page.evaluate(async () => {
        const rec = await window.kindling.createRecommender({ memoryOnly: true });
        const C = Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, text: ['electricity billing portal', 'fresh espresso lounge', 'puppy grooming club', 'airport taxi', 'pizza delivery'][i % 5] + ` ${i}` }));
        const rank = async () => (await rec.rerank(C, { domain: 'search', query: 'coffee' })).map((x) => `${x.id}:${x.score.toFixed(5)}`);
        const before = await rank();
        const ours = window.gpuLog.devices.filter((d) => d.label === 'kindling');
        const device = ours[ours.length - 1];
        device.destroy();
        await device.lost;
        const after = await rank();
        const now = window.gpuLog.devices.filter((d) => d.label === 'kindling');
        const again = await rank();
        const backend = rec.backend;
        await rec.dispose();
        return { before, after, again, backend, recreated: now.length === ours.length + 1 && now[now.length - 1] !== device };
      });
      reportCase('gpu-device-lost', { group: 'GPU failures', case: 'the fused kernel\'s device destroyed mid-session', tried: 'a rerank of 20 candidates before, right after, and once more after device.destroy()', happened: `backend ${r.backend}; the next rerank ${r.recreated ? 'recreated the device and' : ''} answered with the same order and scores (to 1e-5)`, lost: 'nothing' });
      expect(r.backend).toBe('webgpu-fused');
      expect(r.after).toEqual(r.before);
      expect(r.again).toEqual(r.before);
      expect(r.recreated).toBe(true);
    } finally {
      await context.close();
    }
  });
});
