/**
 * Hostile text and a strict Content-Security-Policy (issue 6): the embed widget, as a site uses
 * it from the production build, on a page served with `script-src 'self'` (no eval, no inline
 * script, no WebAssembly compilation), with candidate text full of HTML and script. The widget
 * ranks and renders every candidate as inert text; nothing runs, nothing is blocked.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { foreignRequests, launch, track } from './chromium.ts';
import { reportCase } from './report.ts';

const dist = inject('distURL');
const CSP = "script-src 'self'; style-src 'self'";

const HOSTILE = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '"><svg onload="window.__pwned=3">',
  "<a href=\"javascript:window.__pwned=4\">click</a>",
  '<iframe srcdoc="<script>parent.__pwned=5</script>"></iframe>',
  '{{constructor.constructor("window.__pwned=6")()}}',
  '<style>*{display:none}</style>',
  '\u202Egnp.exe',
  '</ul><li onclick="window.__pwned=7">',
  '&lt;b&gt;escaped&lt;/b&gt; &amp; <b>bold</b>',
];
const CATALOGUE = [
  { id: 'coffee', text: 'order latte cappuccino' },
  { id: 'bill', text: 'pay electricity invoice' },
  { id: 'trip', text: 'book flight itinerary' },
  ...HOSTILE.map((h, i) => ({ id: `hostile-${i}`, text: `${h} coffee deal ${i}` })),
];

const page = (body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>csp</title></head><body>${body}</body></html>`;

describe("the embed widget under Content-Security-Policy: script-src 'self', with hostile candidate text", () => {
  let browser: Browser;
  afterAll(async () => browser?.close());

  it.each([
    ['WebGPU', true],
    ['no GPU', false],
  ])('ranks and renders inert text (%s)', async (name, webgpu) => {
    await browser?.close();
    browser = await launch({ webgpu });
    const { page: p, requests, errors } = track(await browser.newPage());
    await p.addInitScript(() => {
      const w = window as unknown as { __violations: string[] };
      w.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await p.route(`${dist}/csp/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        headers: { 'Content-Security-Policy': CSP },
        body: page(`<input id="search" value="coffee"><div id="suggestions"></div>
          <script type="application/json" id="catalogue">${JSON.stringify(CATALOGUE).replace(/</g, '\\u003c')}</script>
          <script src="/kindling.embed.js" data-target="#suggestions" data-domain="suggest" data-candidates="#catalogue" data-query-input="#search" data-limit="20"></script>`),
      }),
    );
    await p.goto(`${dist}/csp/widget.html`);
    await p.waitForSelector('#suggestions .kindling-item', { timeout: 120_000 }); // Playwright's CSS reaches into the widget's shadow root
    const items = await p.$$eval('#suggestions .kindling-item', (els) => els.map((e) => ({ id: (e as HTMLElement).dataset.id!, text: e.textContent, children: e.children.length })));
    const state = await p.evaluate(() => {
      const w = window as unknown as { __pwned?: number; __violations: string[] };
      const shadow = document.querySelector('#suggestions kindling-widget')!.shadowRoot!;
      const hostile = 'img, script, svg, iframe, a, style';
      return { pwned: w.__pwned, violations: w.__violations, injected: document.querySelectorAll('#suggestions img, #suggestions script, #suggestions svg, #suggestions iframe, #suggestions a, #suggestions style').length + shadow.querySelectorAll(hostile).length };
    });
    const backend = await p.evaluate(async () => (await window.Kindling!.createRecommender()).backend);
    expect(items).toHaveLength(CATALOGUE.length);
    for (const it of items) expect(it.text).toBe(CATALOGUE.find((c) => c.id === it.id)!.text);
    expect(items.every((i) => i.children === 0)).toBe(true);
    expect(state).toEqual({ pwned: undefined, violations: [], injected: 0 });
    expect(errors).toEqual([]);
    expect(foreignRequests(requests, dist)).toEqual([]);
    reportCase(`csp-${webgpu ? 'webgpu' : 'cpu'}`, {
      group: 'Hostile text',
      case: `the embed widget on a page served with Content-Security-Policy: ${CSP} (${name}; ranking backend ${backend})`,
      tried: `${CATALOGUE.length} candidates, ${HOSTILE.length} of them carrying HTML, script, event handlers, template and bidi tricks`,
      happened: `all ${items.length} rendered as text nodes (0 child elements, 0 injected img/script/svg/iframe/a/style), none ran (window.__pwned undefined), ${state.violations.length} CSP violations, ${errors.length} page errors`,
      lost: 'nothing',
    });
  });
});
