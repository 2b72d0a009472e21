// The encoder demo: ranks a fixed list of phrases by similarity to what the visitor types.
import { cosine, createEncoder } from '../index.ts';
import fixtures from '../../test/fixtures/encoder-pairs.json';

const status = document.querySelector<HTMLElement>('#status')!;
const query = document.querySelector<HTMLInputElement>('#query')!;
const results = document.querySelector<HTMLOListElement>('#results')!;
const phrases = [...new Set(fixtures.triples.flat())];

async function main() {
  const files = new Map<string, number>();
  const enc = await createEncoder({
    onProgress: (e) => {
      if (e.file && e.progress !== undefined) files.set(e.file, e.progress);
      status.textContent = `loading ${[...files].map(([f, p]) => `${f} ${Math.round(p)}%`).join(', ')}`;
    },
  });
  const vectors = await enc.encode(phrases);
  status.textContent = `encoder ${enc.id}, ${enc.dim} dimensions, running on ${enc.device}`;
  async function update() {
    const [q] = await enc.encode([query.value]);
    const ranked = phrases.map((p, i) => ({ p, s: cosine(q, vectors[i]) })).sort((a, b) => b.s - a.s);
    results.replaceChildren(
      ...ranked.slice(0, 15).map(({ p, s }) => {
        const li = document.createElement('li');
        const score = document.createElement('span');
        score.className = 'score';
        score.textContent = s.toFixed(3);
        const bar = document.createElement('span');
        bar.className = 'bar';
        bar.style.width = `${Math.max(0, s) * 8}rem`;
        li.append(score, bar, document.createTextNode(p));
        return li;
      }),
    );
  }
  query.addEventListener('input', () => void update());
  await update();
}

main().catch((err) => {
  status.textContent = `${err.name}: ${err.message}`;
});
