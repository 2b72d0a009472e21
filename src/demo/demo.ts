// The demo page: the synthetic world's catalogue ranked in the page by the shipped models.
import { createRecommender, type Candidate, type Ranked, type Recommender } from '../index.ts';
import { DEFAULT_WORLD, generateWorld } from '../world/generate.ts';

const $ = <T extends HTMLElement>(s: string) => document.querySelector<T>(s)!;
const el = (tag: string, cls?: string, text?: string) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text; // candidate text only ever goes into text nodes
  return e;
};

/** The world's catalogue (no events needed): 40 query suggestions and 24 service cards. */
function catalogue(): { suggestions: Candidate[]; cards: Candidate[] } {
  const { items } = generateWorld({ ...DEFAULT_WORLD, requests: {} });
  const pick = (d: string, n: number) => items.filter((i) => i.domain === d).slice(0, n).map(({ id, text, domain, features }) => ({ id, text, domain, features }));
  return { suggestions: pick('suggest', 40), cards: pick('cards', 24) };
}

function weightBar(r: Ranked): HTMLElement {
  const bar = el('div', 'weights');
  bar.title = `aspect weights — id ${r.weights.id.toFixed(2)}, text ${r.weights.text.toFixed(2)}, sparse ${r.weights.sparse.toFixed(2)}`;
  for (const a of ['id', 'text', 'sparse'] as const) {
    const s = el('span', `w-${a}`);
    s.style.width = `${(r.weights[a] * 100).toFixed(1)}%`;
    bar.append(s);
  }
  return bar;
}

async function adapterName(): Promise<string> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const a = (gpu ? await gpu.requestAdapter() : null) as { info?: Record<string, string> } | null;
  return a?.info ? [a.info.vendor, a.info.architecture, a.info.description].filter(Boolean).join(' ') || 'unnamed adapter' : 'no WebGPU adapter';
}

async function main() {
  const { suggestions, cards } = catalogue();
  const added: Candidate[] = [];
  const rec: Recommender = await createRecommender({
    onProgress: (e) => ($('#status').textContent = `loading ${e.stage}${'file' in e && e.file ? ` ${e.file}` : ''}…`),
    onWarning: (w) => console.warn(w.message),
  });
  $('#status').textContent = `ranking network on ${rec.backend} (${await adapterName()}); text encoder on ${rec.encoder.device}; domains the model knows: ${rec.domains.join(', ')}`;

  const noText = $<HTMLInputElement>('#no-text');
  const query = $<HTMLInputElement>('#query');
  const options = () => (noText.checked ? { withoutAspects: ['text' as const] } : undefined);
  let generation = 0;
  // <main aria-busy> is "true" from a change until the page shows its result (for assistive tech,
  // and for tests: a click on a list that is being redrawn can land on a replaced element).
  const busy = (b: boolean) => $('main').setAttribute('aria-busy', String(b));

  async function click(c: Candidate) {
    busy(true);
    // The card's own features go with the click: a model trained with --history-features reads them.
    await rec.record({ item: c.id, domain: c.domain ?? 'cards', action: 'click', text: c.text, ...(c.features ? { features: c.features } : {}) });
    await refresh();
  }

  async function refresh() {
    const mine = ++generation;
    busy(true);
    const q = query.value.trim() || undefined;
    const [s, c, h] = await Promise.all([
      rec.rerank(suggestions, { domain: 'suggest', query: q }, options()),
      rec.rerank([...added, ...cards], { domain: 'cards', query: q }, options()),
      rec.history(),
    ]);
    if (mine !== generation) return;
    const byId = new Map([...suggestions, ...cards, ...added].map((x) => [x.id, x]));
    $('#suggestions').replaceChildren(
      ...s.slice(0, 10).map((r) => {
        const li = el('li');
        li.append(el('span', '', byId.get(r.id)!.text), el('span', 'score', `  ${r.score.toFixed(3)}`), weightBar(r));
        li.addEventListener('click', () => void click(byId.get(r.id)!));
        return li;
      }),
    );
    $('#cards').replaceChildren(
      ...c.slice(0, 12).map((r, rank) => {
        const isNew = r.id.startsWith('new-');
        const card = el('div', `card${isNew ? ' new' : ''}`);
        if (isNew) card.append(el('div', 'badge', 'NEW · NO CLICKS'));
        card.append(el('div', 'title', byId.get(r.id)!.text), el('div', 'score', `#${rank + 1} · score ${r.score.toFixed(3)} · ctr ${r.ctr.toFixed(3)}`), weightBar(r));
        card.addEventListener('click', () => void click(byId.get(r.id)!));
        return card;
      }),
    );
    const legend = el('div', 'legend', 'aspect weights:');
    for (const a of ['id', 'text', 'sparse']) legend.append(Object.assign(el('i', `w-${a}`)), document.createTextNode(a));
    $('#cards').append(legend);
    $('#history').replaceChildren(...h.slice(-15).reverse().map((e) => el('li', '', `${e.action} · ${e.domain} · ${e.text ?? e.item}`)));
    busy(false);
  }

  $('#add-card').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $<HTMLInputElement>('#new-card');
    const text = input.value.trim();
    if (!text) return;
    added.unshift({ id: `new-${added.length + 1}`, text, domain: 'cards' });
    input.value = '';
    void refresh();
  });
  $('#reset').addEventListener('click', async () => {
    await rec.clearHistory();
    await refresh();
  });
  query.addEventListener('input', () => void refresh());
  noText.addEventListener('change', () => void refresh());
  await refresh();
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  $('#status').textContent = `${err.name}: ${err.message}`;
  document.body.dataset.ready = 'error';
});
