/**
 * The embed script's ready-made widget: a list of query suggestions or a row of service cards,
 * reranked for this user. Candidate text goes into text nodes only (never HTML), and clicks are
 * recorded into the user's behaviour store.
 *
 * It renders inside a shadow root on a <kindling-widget> element in the target, with its own minimal
 * style, so the host page's CSS cannot hide or garble it by accident (`* { all: unset }`, `button
 * { display: none }`, `li { font-size: 0 }` stop at the shadow boundary, and the host element resets
 * what it would inherit). The page styles it on purpose through parts:
 *   kindling-widget::part(list)   the <ul> (list layout) or <div> (cards layout)
 *   kindling-widget::part(item)   each suggestion (<li>) or card (<button>)
 */
import type * as KindlingModule from '../index.ts';
import type { Candidate, Ranked, Recommender } from '../index.ts';

type Module = typeof KindlingModule;

async function readCandidates(spec: string): Promise<Candidate[]> {
  if (spec.startsWith('#')) {
    const el = document.querySelector(spec);
    if (!el) throw new Error(`data-candidates: no element ${spec}`);
    return JSON.parse(el.textContent ?? '[]');
  }
  const res = await fetch(new URL(spec, document.baseURI));
  if (!res.ok) throw new Error(`data-candidates: HTTP ${res.status} for ${spec}`);
  return res.json();
}

/** The widget's own style: readable and clickable whatever the page's CSS; `!important` only on the host. */
const STYLE = `
:host { all: initial !important; display: block !important; visibility: visible !important; }
.kindling-widget { display: flex; flex-direction: column; gap: 4px; margin: 0; padding: 0; list-style: none;
  font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; }
.kindling-cards { flex-direction: row; flex-wrap: wrap; gap: 8px; }
.kindling-item { display: block; margin: 0; padding: 6px 10px; font: inherit; color: inherit; text-align: start;
  cursor: pointer; border-radius: 6px; visibility: visible; opacity: 1; }
li.kindling-item:hover, li.kindling-item:focus-visible { background: #eef1f5; }
button.kindling-item { border: 1px solid #d0d7de; background: #fff; padding: 10px 14px; }
button.kindling-item:hover { background: #f6f8fa; }
.kindling-item:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
`;

/** The widget's shadow root in `target`, made once. */
function widgetRoot(target: Element): ShadowRoot {
  let host = Array.from(target.children).find((c) => c.localName === 'kindling-widget');
  if (!host?.shadowRoot) {
    host = document.createElement('kindling-widget');
    const root = host.attachShadow({ mode: 'open' });
    // A constructed style sheet, not a <style> element: a page whose CSP has style-src 'self' allows it.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    target.replaceChildren(host);
  }
  return host.shadowRoot!;
}

function render(target: Element, layout: string, ranked: Ranked[], byId: Map<string, Candidate>, onPick: (c: Candidate) => void) {
  const root = widgetRoot(target);
  const list = document.createElement(layout === 'cards' ? 'div' : 'ul');
  list.className = `kindling-widget kindling-${layout === 'cards' ? 'cards' : 'list'}`;
  list.setAttribute('part', 'list');
  for (const r of ranked) {
    const c = byId.get(r.id)!;
    const item = document.createElement(layout === 'cards' ? 'button' : 'li');
    item.className = 'kindling-item';
    item.setAttribute('part', 'item');
    item.dataset.id = r.id;
    item.textContent = c.text; // text node: candidate text is never parsed as HTML
    if (layout !== 'cards') {
      item.tabIndex = 0;
      item.setAttribute('role', 'button');
      item.addEventListener('keydown', (e) => {
        const key = (e as KeyboardEvent).key;
        if (key !== 'Enter' && key !== ' ') return;
        e.preventDefault();
        onPick(c);
      });
    }
    item.addEventListener('click', () => onPick(c));
    list.append(item);
  }
  root.querySelector('.kindling-widget')?.remove();
  root.append(list);
}

export async function mountWidget(script: HTMLScriptElement, load: () => Promise<Module>) {
  const d = script.dataset;
  const target = document.querySelector(d.target!);
  if (!target) throw new Error(`data-target: no element ${d.target}`);
  const domain = d.domain ?? 'suggest';
  const layout = d.layout ?? 'list';
  const limit = Number(d.limit ?? 8);
  const candidates = await readCandidates(d.candidates ?? '[]');
  const byId = new Map(candidates.map((c) => [c.id, { ...c, domain: c.domain ?? domain }]));
  const input = d.queryInput ? document.querySelector<HTMLInputElement>(d.queryInput) : null;
  const k = await load();
  // Off the main thread where the page allows a worker (data-worker="false" keeps it in the page). The
  // first ranking does not wait for the fused kernel's shaders: it runs on TF.js CPU until they are in
  // (data-kernel-in-background="false" waits for them).
  const rec: Recommender = await k.createRecommender({
    worker: d.worker !== 'false',
    kernelInBackground: d.kernelInBackground !== 'false',
    onWarning: (w) => console.warn(`Kindling: ${w.message}`),
  });
  let generation = 0;
  // aria-busy="true" on the target from a query change or a click until the new order is shown.
  const busy = (b: boolean) => target.setAttribute('aria-busy', String(b));
  const refresh = async () => {
    const mine = ++generation;
    busy(true);
    const query = input?.value.trim() || undefined;
    const ranked = await rec.rerank([...byId.values()], { domain, query });
    if (mine !== generation) return; // a newer refresh is on its way
    render(target, layout, ranked.slice(0, limit), byId, async (c) => {
      busy(true);
      await rec.record({ item: c.id, domain, action: 'click', text: c.text, ...(c.features ? { features: c.features } : {}) });
      target.dispatchEvent(new CustomEvent('kindling:click', { detail: { id: c.id }, bubbles: true }));
      await refresh();
    });
    busy(false);
    target.dispatchEvent(new CustomEvent('kindling:ranked', { detail: { ids: ranked.map((r) => r.id), backend: rec.backend, runsIn: rec.runsIn, loadTimings: rec.loadTimings }, bubbles: true }));
  };
  input?.addEventListener('input', () => void refresh());
  await refresh();
}
