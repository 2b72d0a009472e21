/**
 * The embed script as a site uses it: one classic <script> tag on a plain page (no bundler),
 * served with the production build.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { foreignRequests, launch, track } from './chromium.ts';

const dist = inject('distURL');

const CATALOGUE = [
  { id: 's1', text: 'order latte cappuccino' },
  { id: 's2', text: 'pay electricity invoice' },
  { id: 's3', text: 'book flight itinerary' },
  { id: 's4', text: 'find puppy grooming' },
  { id: 'evil', text: '<img src=x onerror="window.__pwned=1"> free <b>coffee</b>' },
];

function plainPage(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>plain</title></head><body>${body}</body></html>`;
}

describe('kindling.embed.js on a plain page', () => {
  let browser: Browser;
  let page: Page;
  let requests: string[] = [];
  let errors: string[] = [];
  beforeAll(async () => {
    browser = await launch({ webgpu: true });
    ({ page, requests, errors } = track(await browser.newPage()));
    await page.route(`${dist}/plain/**`, (route) => {
      const body = route.request().url().endsWith('widget.html')
        ? `<input id="search" value=""><div id="suggestions"></div>
           <script type="application/json" id="catalogue">${JSON.stringify(CATALOGUE).replace(/</g, '\\u003c')}</script>
           <script src="/kindling.embed.js" data-target="#suggestions" data-domain="suggest" data-candidates="#catalogue" data-query-input="#search"></script>`
        : `<script src="/kindling.embed.js"></script>`;
      return route.fulfill({ contentType: 'text/html', body: plainPage(body) });
    });
  });
  afterAll(async () => browser?.close());

  it('exposes window.Kindling, whose rerank puts a cold candidate matching the query first', async () => {
    await page.goto(`${dist}/plain/api.html`);
    const ranked = await page.evaluate(async () => {
      const K = window.Kindling!;
      const r = await K.rerank(
        [
          { id: 'a', text: 'electricity billing portal' },
          { id: 'b', text: 'fresh espresso lounge' },
          { id: 'c', text: 'railway commute pass' },
        ],
        { domain: 'cards', query: 'coffee macchiato' },
      );
      return { ids: r.map((x) => x.id), hasErrors: typeof K.InputError === 'function' };
    });
    expect(ranked.ids[0]).toBe('b');
    expect(ranked.hasErrors).toBe(true);
  });

  it('renders the widget with text nodes only, records clicks, and reorders', async () => {
    await page.goto(`${dist}/plain/widget.html`);
    await page.waitForSelector('#suggestions .kindling-item', { timeout: 120_000 });
    const items = await page.$$eval('#suggestions .kindling-item', (els) => els.map((e) => ({ id: (e as HTMLElement).dataset.id, text: e.textContent, html: e.innerHTML })));
    expect(items).toHaveLength(CATALOGUE.length);
    const evil = items.find((i) => i.id === 'evil')!;
    expect(evil.text).toBe(CATALOGUE[4].text);
    expect(evil.html).not.toContain('<img');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('#suggestions img')).toHaveLength(0);

    await page.fill('#search', 'airport vacation');
    await page.waitForFunction(() => document.querySelector('#suggestions .kindling-item')?.getAttribute('data-id') === 's3', null, { timeout: 60_000 });
    await page.fill('#search', '');
    // The widget marks its target aria-busy="true" until the new order is shown: each click waits
    // for it, so none lands on an item that is being replaced.
    for (let i = 0; i < 3; i++) {
      await page.waitForSelector('#suggestions[aria-busy="false"]', { timeout: 60_000 });
      await page.click('#suggestions .kindling-item[data-id="s4"]');
    }
    await page.waitForSelector('#suggestions[aria-busy="false"]', { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('#suggestions .kindling-item')?.getAttribute('data-id') === 's4', null, { timeout: 60_000 });
    const history = await page.evaluate(async () => (await (await window.Kindling!.createRecommender()).history()).map((e) => e.item));
    expect(history).toEqual(['s4', 's4', 's4']);
  });

  it('made requests to its own origin only', () => {
    expect(foreignRequests(requests, dist)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
