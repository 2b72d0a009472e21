/**
 * Privacy (issue 6): the demo page and a page with the embed widget, from the production build,
 * through a full session of typing, clicking and ranking. Every request goes to the page's own
 * origin, every request is a GET without a body, no URL carries what the user typed or clicked,
 * and nothing opens a WebSocket, sends a beacon or registers a service worker.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Request } from 'playwright-core';
import { launch } from './chromium.ts';
import { reportCase } from './report.ts';

const dist = inject('distURL');
// Marker strings the user "types"; none may leave the page.
const SECRET_QUERY = 'zebracorn espresso';
const SECRET_CARD = 'quokka espresso roastery';

interface Seen {
  url: string;
  method: string;
  body: string | null;
  type: string;
}

describe('privacy: nothing leaves the page', () => {
  let browser: Browser;
  let context: BrowserContext;
  const seen: Seen[] = [];
  beforeAll(async () => {
    browser = await launch({ webgpu: true });
    context = await browser.newContext();
    context.on('request', (r: Request) => seen.push({ url: r.url(), method: r.method(), body: r.postData(), type: r.resourceType() }));
    await context.addInitScript(() => {
      const w = window as unknown as { __leaks: string[] };
      w.__leaks = [];
      const note = (what: string) => w.__leaks.push(what);
      const beacon = navigator.sendBeacon?.bind(navigator);
      if (beacon) navigator.sendBeacon = (url, data) => (note(`sendBeacon ${String(url)}`), beacon(url, data));
      const WS = window.WebSocket;
      window.WebSocket = function (url: string | URL, p?: string | string[]) {
        note(`WebSocket ${String(url)}`);
        return new WS(url, p);
      } as unknown as typeof WebSocket;
      if (navigator.serviceWorker) {
        const reg = navigator.serviceWorker.register.bind(navigator.serviceWorker);
        navigator.serviceWorker.register = (url, o) => (note(`serviceWorker ${String(url)}`), reg(url, o));
      }
    });
  });
  afterAll(async () => browser?.close());

  it('the demo: a session of queries, clicks, a new card, the text toggle and a reset', async () => {
    const page = await context.newPage();
    await page.goto(`${dist}/`);
    await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 120_000 });
    // The demo marks <main aria-busy="true"> from a change until it has redrawn. Like a user, wait
    // for the redraw before the next click: a click whose target is replaced between mousedown and
    // mouseup is no click at all.
    const settled = () => page.waitForSelector('main[aria-busy="false"]', { timeout: 60_000 });
    const act = async (step: () => Promise<unknown>) => {
      await step();
      await settled();
    };
    await act(() => page.fill('#query', SECRET_QUERY));
    for (let i = 0; i < 3; i++) {
      await act(() => page.click('#suggestions li'));
      await act(() => page.click('#cards .card'));
    }
    await page.fill('#new-card', SECRET_CARD);
    await act(() => page.click('#add-card button'));
    await act(() => page.click('#cards .card.new'));
    await act(() => page.check('#no-text'));
    await act(() => page.uncheck('#no-text'));
    // Seven clicks: three suggestions, three cards and the new card.
    expect(await page.$$eval('#history li', (l) => l.length)).toBe(7);
    await page.click('#reset');
    await page.waitForFunction(() => document.querySelectorAll('#history li').length === 0);
    expect(await page.evaluate(() => (window as unknown as { __leaks: string[] }).__leaks)).toEqual([]);
    await page.close();
  });

  it('the embed widget: typing, clicking and reranking on a plain page', async () => {
    const page = await context.newPage();
    const catalogue = [
      { id: 'coffee', text: 'order latte cappuccino' },
      { id: 'bill', text: 'pay electricity invoice' },
      { id: 'trip', text: 'book flight itinerary' },
      { id: 'quokka', text: SECRET_CARD },
    ];
    await page.route(`${dist}/plain/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
          <input id="search"><div id="suggestions"></div>
          <script type="application/json" id="catalogue">${JSON.stringify(catalogue)}</script>
          <script src="/kindling.embed.js" data-target="#suggestions" data-domain="suggest" data-candidates="#catalogue" data-query-input="#search"></script></body></html>`,
      }),
    );
    await page.goto(`${dist}/plain/widget.html`);
    await page.waitForSelector('#suggestions .kindling-item', { timeout: 120_000 });
    await page.fill('#search', SECRET_QUERY);
    for (let i = 0; i < 4; i++) {
      await page.waitForSelector('#suggestions[aria-busy="false"]', { timeout: 60_000 });
      await page.click('#suggestions .kindling-item[data-id="quokka"]');
    }
    await page.waitForSelector('#suggestions[aria-busy="false"]', { timeout: 60_000 });
    const history = await page.evaluate(async () => (await (await window.Kindling!.createRecommender()).history()).map((e) => e.item));
    expect(history.slice(-4)).toEqual(['quokka', 'quokka', 'quokka', 'quokka']);
    expect(await page.evaluate(() => (window as unknown as { __leaks: string[] }).__leaks)).toEqual([]);
    await page.close();
  });

  it('sent only bodiless GETs to its own origin, none carrying what the user typed or clicked', () => {
    const foreign = seen.filter((r) => !r.url.startsWith(`${dist}/`) && !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
    const withBody = seen.filter((r) => r.method !== 'GET' || r.body);
    const markers = [SECRET_QUERY, SECRET_CARD, 'zebracorn', 'quokka', encodeURIComponent(SECRET_QUERY)];
    const carrying = seen.filter((r) => markers.some((m) => r.url.includes(m) || r.body?.includes(m)));
    const types = [...new Set(seen.map((r) => r.type))].sort();
    reportCase('privacy', {
      group: 'Privacy',
      case: 'the demo page and an embed-widget page (production build) through a full session: typed queries, 11 clicks, a new card, the text toggle, a history reset',
      tried: `${seen.length} requests logged (${types.join(', ')})`,
      happened: `${foreign.length} to another origin, ${withBody.length} not a bodiless GET, ${carrying.length} carrying a typed query, a clicked item or a new card's text; no WebSocket, sendBeacon or service worker`,
      lost: 'nothing left the device; the history stayed in IndexedDB',
    });
    expect(seen.length).toBeGreaterThan(10);
    expect(foreign).toEqual([]);
    expect(withBody).toEqual([]);
    expect(carrying).toEqual([]);
  });
});
