/**
 * npm run bench:clicks [-- MODELS_DIR ...] — how a ranker answers clicks: BENCH_DRAWS (default 200)
 * draws of 10 candidates from a domain of the synthetic world (seed 1, the shipped ranker's world),
 * one of them clicked 1, 2 and 3 times in a row by a user with no other history and no query; how
 * often it then comes first, and its mean rank before and after. The candidates' IDs are new to
 * the model (text only), as a brand-new item's would be. Each models folder (default: the shipped
 * models/) holds encoder/ and ranker/. Node, CPU backend (the same order as the page's, by the
 * browser tests). Writes bench/clicks.json and bench/CLICKS.md. A measurement, not a test: one
 * trained ranker's answer, which moves with its training seed.
 *
 * The committed table compares the shipped models with three folders under .cache/bench-clicks/, made so:
 * - unweighted-seed1-as-shipped-at-dde5cf1: `git archive dde5cf1 models | tar -x` (the encoder before the
 *   SIF weighting and the ranker trained on it);
 * - unweighted-seed2 and sif-seed2: `kindling train --data .cache/world-1 --exclude-domains miniapps
 *   --epochs 8 --seed 2 --out DIR/ranker` with `--models` the unweighted folder above, or the shipped
 *   models/ (float32 tables: not quantised), and the matching encoder/ copied beside it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createRecommender } from '../src/node/index.ts';
import { writeWorld } from '../src/node/world-files.ts';
import { mulberry32 } from '../src/util/random.ts';

const DRAWS = Number(process.env.BENCH_DRAWS ?? 200);
const CANDIDATES = 10;
const CLICKS = [1, 2, 3];
const DOMAINS = ['suggest', 'cards'];
const folders = process.argv.slice(2).length ? process.argv.slice(2) : ['models'];
const world = '.cache/world-1';
if (!existsSync(join(world, 'items.jsonl'))) writeWorld(world, { seed: 1 });
const items = readFileSync(join(world, 'items.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; text: string; domain: string });

interface Row { models: string; encoder: string; domain: string; clicks: number; first: number; draws: number; rankBefore: number; rankAfter: number }
const rows: Row[] = [];
for (const folder of folders) {
  const encoder = JSON.parse(readFileSync(join(folder, 'ranker', 'model.json'), 'utf8')).kindling.encoderId as string;
  for (const domain of DOMAINS) {
    const pool = items.filter((i) => i.domain === domain);
    const rnd = mulberry32(7); // the same draws for every models folder
    const tally = CLICKS.map((clicks) => ({ clicks, first: 0, before: 0, after: 0 }));
    for (let d = 0; d < DRAWS; d++) {
      const candidates = Array.from({ length: CANDIDATES }, (_, k) => pool[Math.floor(rnd() * pool.length)]).map((i, k) => ({ id: `${i.id}#new${k}`, text: i.text }));
      const target = candidates[Math.floor(rnd() * CANDIDATES)];
      const rec = await createRecommender({ modelBase: resolve(folder), memoryOnly: true, backend: 'cpu' });
      try {
        const rank = async () => (await rec.rerank(candidates, { domain })).findIndex((r) => r.id === target.id) + 1;
        const before = await rank();
        for (const t of tally) {
          while ((await rec.history()).length < t.clicks) await rec.record({ item: target.id, domain, action: 'click', text: target.text });
          const after = await rank();
          t.before += before;
          t.after += after;
          if (after === 1) t.first++;
        }
      } finally {
        await rec.dispose();
      }
    }
    for (const t of tally) rows.push({ models: folder, encoder, domain, clicks: t.clicks, first: t.first, draws: DRAWS, rankBefore: t.before / DRAWS, rankAfter: t.after / DRAWS });
  }
}

const machine = `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, TF.js CPU backend`;
const md = `# Clicks: does a clicked new item come first?

Written by \`npm run bench:clicks\` (scripts/bench-clicks.ts) on ${new Date().toISOString().slice(0, 10)}; ${machine}.
${DRAWS} draws of ${CANDIDATES} candidates from a domain of the synthetic world (seed 1), IDs new to the model (text only); one
candidate clicked 1, 2, then 3 times by a user with no other history, no query. Ranks count from 1. One trained ranker per
models folder: the answer moves with its training seed, so compare folders on many draws and more than one seed, not on one
catalogue. The folders under .cache/bench-clicks/ are made as the script's header says.

| models | encoder | domain | clicks | comes first | mean rank before | mean rank after |
|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.models} | \`${r.encoder}\` | ${r.domain} | ${r.clicks} | ${r.first}/${r.draws} (${((100 * r.first) / r.draws).toFixed(0)}%) | ${r.rankBefore.toFixed(2)} | ${r.rankAfter.toFixed(2)} |`).join('\n')}
`;
mkdirSync('bench', { recursive: true });
writeFileSync('bench/clicks.json', JSON.stringify({ machine, draws: DRAWS, candidates: CANDIDATES, rows }, null, 1) + '\n');
writeFileSync('bench/CLICKS.md', md);
console.log(md);
