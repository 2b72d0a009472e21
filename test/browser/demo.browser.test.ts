/**
 * The demo page as a visitor sees it (the production build): it ranks the catalogue, ranks a
 * brand-new card at once, shows the text-aspect toggle, and keeps a history with a reset. A
 * screenshot for the README is written to docs/demo.png.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { foreignRequests, launch, track } from './chromium.ts';

const dist = inject('distURL');

describe('the demo page', () => {
  let browser: Browser;
  let page: Page;
  let requests: string[] = [];
  let errors: string[] = [];
  beforeAll(async () => {
    browser = await launch({ webgpu: true });
    ({ page, requests, errors } = track(await browser.newPage({ viewport: { width: 1280, height: 900 } })));
    await page.goto(`${dist}/`);
    await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 120_000 });
  });
  afterAll(async () => browser?.close());

  it('says what it runs on and ranks suggestions and cards', async () => {
    expect(await page.evaluate(() => document.body.dataset.ready)).toBe('true');
    expect(await page.textContent('#status')).toMatch(/ranking network on webgpu-fused \(google swiftshader/);
    expect(await page.$$('#suggestions li')).toHaveLength(10);
    expect((await page.$$('#cards .card')).length).toBe(12);
  });

  it('ranks a brand-new card matching the query at the top, and explains it with weights', async () => {
    await page.fill('#query', 'coffee caffeine');
    await page.fill('#new-card', 'organic espresso roaster');
    await page.click('#add-card button');
    await page.waitForSelector('#cards .card.new');
    await page.waitForFunction(() => document.querySelector('#cards .card')?.classList.contains('new'), null, { timeout: 60_000 });
    expect(await page.textContent('#cards .card.new .title')).toBe('organic espresso roaster');
    const widths = await page.$$eval('#cards .card.new .weights span', (s) => s.map((x) => parseFloat((x as HTMLElement).style.width)));
    expect(widths.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    await page.screenshot({ path: 'docs/demo.png' });
  });

  it('without the text aspect, the same new card loses its place', async () => {
    await page.check('#no-text');
    await page.waitForFunction(() => !document.querySelector('#cards .card')?.classList.contains('new'), null, { timeout: 60_000 });
    const rank = await page.$$eval('#cards .card', (cards) => cards.findIndex((c) => c.classList.contains('new')));
    expect(rank === -1 || rank > 0).toBe(true);
    await page.uncheck('#no-text');
  });

  it('records clicks into the history panel and resets it', async () => {
    // <main aria-busy="false">: the redraw after the toggle is done, so the click lands on a live item.
    await page.waitForSelector('main[aria-busy="false"]', { timeout: 60_000 });
    await page.click('#suggestions li');
    await page.waitForSelector('#history li');
    expect(await page.textContent('#history li')).toMatch(/^click · suggest · /);
    await page.click('#reset');
    await page.waitForFunction(() => document.querySelectorAll('#history li').length === 0);
  });

  it('requested nothing from any other origin', () => {
    expect(foreignRequests(requests, dist)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
