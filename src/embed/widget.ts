/**
 * The embed script's ready-made widget: a list of query suggestions or a row of service cards,
 * reranked for this user. Candidate text goes into text nodes only (never HTML), and clicks are
 * recorded into the user's behaviour store.
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

function render(target: Element, layout: string, ranked: Ranked[], byId: Map<string, Candidate>, onPick: (c: Candidate) => void) {
  const list = document.createElement(layout === 'cards' ? 'div' : 'ul');
  list.className = `kindling-widget kindling-${layout === 'cards' ? 'cards' : 'list'}`;
  for (const r of ranked) {
    const c = byId.get(r.id)!;
    const item = document.createElement(layout === 'cards' ? 'button' : 'li');
    item.className = 'kindling-item';
    item.dataset.id = r.id;
    item.textContent = c.text; // text node: candidate text is never parsed as HTML
    if (layout !== 'cards') item.tabIndex = 0;
    item.addEventListener('click', () => onPick(c));
    list.append(item);
  }
  target.replaceChildren(list);
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
  const rec: Recommender = await k.createRecommender();
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
      await rec.record({ item: c.id, domain, action: 'click', text: c.text });
      target.dispatchEvent(new CustomEvent('kindling:click', { detail: { id: c.id }, bubbles: true }));
      await refresh();
    });
    busy(false);
    target.dispatchEvent(new CustomEvent('kindling:ranked', { detail: { ids: ranked.map((r) => r.id), backend: rec.backend }, bubbles: true }));
  };
  input?.addEventListener('input', () => void refresh());
  await refresh();
}
