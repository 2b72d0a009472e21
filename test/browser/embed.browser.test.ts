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
  { id: 's4', text: 'find puppy grooming', features: { brand: 'groomco' } },
  { id: 'evil', text: '<img src=x onerror="window.__pwned=1"> free <b>coffee</b>' },
];

function plainPage(body: string, head = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>plain</title>${head}</head><body>${body}</body></html>`;
}

/** The widget renders in a shadow root (<kindling-widget> in the target): its first item's id. */
const firstItem = () => document.querySelector('#suggestions kindling-widget')?.shadowRoot?.querySelector('.kindling-item')?.getAttribute('data-id');
const shownOrder = () => [...(document.querySelector('#suggestions kindling-widget')?.shadowRoot?.querySelectorAll('.kindling-item') ?? [])].map((e) => e.getAttribute('data-id'));

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
    await page.waitForFunction(`(${firstItem})() === 's3'`, null, { timeout: 60_000 });
    await page.fill('#search', '');
    await page.waitForFunction(`(${firstItem})() !== 's3'`, null, { timeout: 60_000 });
    await page.waitForSelector('#suggestions[aria-busy="false"]', { timeout: 60_000 });
    // With no history and no query, s4 is not first; three clicks on it must move it up: the widget
    // records each click in the store and reranks with it. (Which item comes first then is the
    // shipped model's call: the SIF-weighted encoder's ranker puts s4 third, the one before first.)
    const before = (await page.evaluate(`(${shownOrder})()`)) as string[];
    expect(before.indexOf('s4')).toBeGreaterThan(0);
    // The widget marks its target aria-busy="true" until the new order is shown: each click waits
    // for it, so none lands on an item that is being replaced.
    for (let i = 0; i < 3; i++) {
      await page.waitForSelector('#suggestions[aria-busy="false"]', { timeout: 60_000 });
      await page.click('#suggestions .kindling-item[data-id="s4"]');
    }
    await page.waitForSelector('#suggestions[aria-busy="false"]', { timeout: 60_000 });
    await page.waitForFunction(`(${shownOrder})().indexOf('s4') < ${before.indexOf('s4')}`, null, { timeout: 60_000 });
    // Each click is recorded with the card's own features (what a model trained with --history-features reads).
    const history = await page.evaluate(async () => (await (await window.Kindling!.createRecommender()).history()).map((e) => [e.item, e.features]));
    expect(history).toEqual(Array(3).fill(['s4', { brand: 'groomco' }]));
  });

  it("stays readable and clickable under a host page's hostile CSS, styled only through its parts", async () => {
    const hostile = `<style>* { all: unset } button { display: none !important } li { font-size: 0 !important; visibility: hidden }
      div { color: transparent } kindling-widget::part(item) { color: rgb(200, 0, 0) }</style>`;
    await page.route(`${dist}/hostile/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: plainPage(
          `<div id="cards"></div><ul id="suggestions"><li>the page's own list item</li></ul><div id="list"></div>
           <script type="application/json" id="catalogue">${JSON.stringify(CATALOGUE.slice(0, 4))}</script>
           <script src="/kindling.embed.js" data-target="#cards" data-domain="cards" data-layout="cards" data-candidates="#catalogue"></script>
           <script src="/kindling.embed.js" data-target="#list" data-domain="suggest" data-candidates="#catalogue"></script>`,
          hostile,
        ),
      }),
    );
    await page.goto(`${dist}/hostile/page.html`);
    for (const target of ['#cards', '#list']) {
      await page.waitForSelector(`${target} .kindling-item`, { timeout: 120_000 });
      const look = await page.$$eval(`${target} .kindling-item`, (els) =>
        els.map((e) => {
          const s = getComputedStyle(e);
          const r = e.getBoundingClientRect();
          return { display: s.display, visibility: s.visibility, fontSize: parseFloat(s.fontSize), color: s.color, width: r.width, height: r.height, text: e.textContent };
        }),
      );
      expect(look).toHaveLength(4);
      for (const l of look) {
        expect(l.display, target).not.toBe('none');
        expect(l.visibility, target).toBe('visible');
        expect(l.fontSize, target).toBeGreaterThanOrEqual(12);
        expect(l.width * l.height, target).toBeGreaterThan(100);
        expect(l.color, target).toBe('rgb(200, 0, 0)'); // the page's ::part(item) rule, the one way in
      }
    }
    // A real click (at the card's coordinates) picks the card: the widget records it and says so.
    const clicked = page.evaluate(() => new Promise<string>((done) => document.querySelector('#cards')!.addEventListener('kindling:click', (e) => done((e as CustomEvent).detail.id), { once: true })));
    await page.waitForSelector('#cards[aria-busy="false"]', { timeout: 60_000 });
    await page.click('#cards .kindling-item[data-id="s2"]');
    expect(await clicked).toBe('s2');
  }, 180_000);

  it("keeps a page's own window.Kindling, says so, and goes on the global data-global names", async () => {
    const messages: string[] = [];
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    await page.route(`${dist}/taken/**`, (route) => {
      const named = route.request().url().endsWith('named.html');
      return route.fulfill({
        contentType: 'text/html',
        body: plainPage(
          `<script src="/own-kindling.js"></script>
           <div id="suggestions"></div><script type="application/json" id="catalogue">${JSON.stringify(CATALOGUE.slice(0, 4))}</script>
           <script src="/kindling.embed.js" data-target="#suggestions" data-domain="suggest" data-candidates="#catalogue"${named ? ' data-global="KindlingAPI"' : ''}></script>`,
        ),
      });
    });
    await page.route(`${dist}/own-kindling.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: 'window.Kindling = { mine: true };' }));
    await page.goto(`${dist}/taken/default.html`);
    await page.waitForSelector('#suggestions .kindling-item', { timeout: 120_000 }); // the widget still works
    expect(await page.evaluate(() => JSON.stringify(window.Kindling))).toBe('{"mine":true}');
    expect(messages.some((m) => m.startsWith('warning: Kindling: the page already defines window.Kindling'))).toBe(true);

    messages.length = 0;
    await page.goto(`${dist}/taken/named.html`);
    await page.waitForSelector('#suggestions .kindling-item', { timeout: 120_000 });
    const r = await page.evaluate(async () => {
      const api = (window as unknown as { KindlingAPI: NonNullable<Window['Kindling']> }).KindlingAPI;
      const ranked = await api.rerank([{ id: 'x', text: 'espresso bar' }, { id: 'y', text: 'tax office' }], { domain: 'cards', query: 'coffee' });
      return { mine: JSON.stringify(window.Kindling), first: ranked[0].id };
    });
    expect(r).toEqual({ mine: '{"mine":true}', first: 'x' });
    expect(messages.filter((m) => m.startsWith('warning') || m.startsWith('error'))).toEqual([]);
  }, 180_000);

  it("runs the widget's recommender in Kindling's worker, and on the main thread with a warning where the CSP allows no worker", async () => {
    // A page of its own: the browser reports the blocked worker as a console error, which is the point here.
    const page = await browser.newPage();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    await page.route(`${dist}/csp-worker/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        headers: { 'Content-Security-Policy': route.request().url().endsWith('none.html') ? "script-src 'self'; worker-src 'none'" : "script-src 'self'; worker-src 'self'" },
        body: plainPage(
          `<div id="suggestions"></div><script type="application/json" id="catalogue">${JSON.stringify(CATALOGUE.slice(0, 4))}</script>
           <script src="/ranked-listener.js"></script>
           <script src="/kindling.embed.js" data-target="#suggestions" data-domain="suggest" data-candidates="#catalogue"></script>`,
        ),
      }),
    );
    await page.route(`${dist}/ranked-listener.js`, (route) =>
      route.fulfill({ contentType: 'text/javascript', body: "document.addEventListener('kindling:ranked', (e) => { window.__ranked = e.detail; });" }),
    );
    const ranked = async (file: string) => {
      messages.length = 0;
      await page.goto(`${dist}/csp-worker/${file}`);
      await page.waitForFunction(() => (window as unknown as { __ranked?: unknown }).__ranked, null, { timeout: 120_000 });
      return page.evaluate(() => (window as unknown as { __ranked: { ids: string[]; runsIn: string } }).__ranked);
    };
    const inWorker = await ranked('self.html');
    expect(inWorker.runsIn).toBe('worker');
    expect(inWorker.ids).toHaveLength(4);
    expect(messages.filter((m) => m.startsWith('warning') || m.startsWith('error'))).toEqual([]);
    const inPage = await ranked('none.html');
    expect(inPage.runsIn).toBe('main');
    expect(inPage.ids).toHaveLength(4);
    expect(messages.some((m) => m.startsWith("warning: Kindling: Kindling runs on the page's main thread"))).toBe(true);
    await page.close();
  }, 240_000);

  it('made requests to its own origin only', () => {
    expect(foreignRequests(requests, dist)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
