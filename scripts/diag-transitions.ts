/**
 * Diagnostic (not committed unless kept): on top of a trained model's logit, how much would
 * sequential signals add that the order-free co-visitation does not? Weights picked on test (ceiling).
 * Usage: tsx scripts/diag-transitions.ts RUN_DIR... (data: HIST_DIR/data-both-sid1)
 */
import { join } from 'node:path';
import { evaluate } from '../src/eval/report.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { scoreModel } from '../src/train/evaluate.ts';
import type { EventRow } from '../src/data/schema.ts';
import { readDataSet, splitData } from '../src/node/pipeline.ts';

const ROOT = process.env.HIST_DIR ?? '.cache/results-history';
const DATA = join(ROOT, process.env.DIAG_DATA ?? 'data-both-sid1');
await useTrainingBackend();
const set = readDataSet(DATA);
const train = splitData(set, { trainFraction: 0.8, negatives: 0, seed: 1 }).train;
const isClick = (e: EventRow) => e.label === 1 && e.line > 0;
const byUser = (evs: EventRow[]) => {
  const m = new Map<string, EventRow[]>();
  for (const e of evs) if (isClick(e)) (m.get(e.user) ?? m.set(e.user, []).get(e.user)!).push(e);
  for (const l of m.values()) l.sort((a, b) => a.ts - b.ts || a.line - b.line);
  return m;
};
const allClicks = byUser(set.events);
const trainClicks = byUser(train);
/** Directed counts a→b for b within `w` clicks after a, once per user per pair. */
function transitions(w: number) {
  const t = new Map<string, Map<string, number>>();
  for (const list of trainClicks.values()) {
    const seen = new Set<string>();
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j <= Math.min(list.length - 1, i + w); j++) {
        const a = list[i].item, b = list[j].item;
        if (a === b || seen.has(`${a}\u0000${b}`)) continue;
        seen.add(`${a}\u0000${b}`);
        const row = t.get(a) ?? t.set(a, new Map()).get(a)!;
        row.set(b, (row.get(b) ?? 0) + 1);
      }
  }
  return t;
}
const covis = transitions(1e9);
// make symmetric for co-visitation
const co = new Map<string, Map<string, number>>();
for (const list of trainClicks.values()) {
  const items = [...new Set(list.map((e) => e.item))];
  for (const a of items) for (const b of items) if (a !== b) { const r = co.get(a) ?? co.set(a, new Map()).get(a)!; r.set(b, (r.get(b) ?? 0) + 1); }
}
const t1 = transitions(1), t3 = transitions(3);
const itemClicks = new Map<string, number>();
for (const e of train) if (isClick(e)) itemClicks.set(e.item, (itemClicks.get(e.item) ?? 0) + 1);
void covis;

const logit = (p: number) => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
for (const dir of process.argv.slice(2)) {
  const seed = Number(/s(\d+)-/.exec(dir)![1]);
  const s = await scoreModel({ model: dir, data: DATA, negatives: 4, seed });
  const z = Float32Array.from(s.ctr, logit);
  const n = s.events.length;
  const sig: Record<string, Float32Array> = {};
  const mk = (name: string) => (sig[name] = new Float32Array(n));
  for (const k of ['cooc50', 'cooc5', 'cooc1', 'trans1_last1', 'trans3_last3', 'trans1_last3', 'coocCos5', 'coocNorm50']) mk(k);
  s.events.forEach((e, i) => {
    const list = allClicks.get(e.user) ?? [];
    let end = 0;
    while (end < list.length && list[end].ts < e.ts) end++;
    const hist = list.slice(Math.max(0, end - 50), end).map((h) => h.item);
    const c = (h: string) => co.get(h)?.get(e.item) ?? 0;
    const sum = (hs: string[], f: (h: string) => number) => hs.reduce((a, h) => a + f(h), 0);
    sig.cooc50[i] = Math.log1p(sum(hist, c));
    sig.cooc5[i] = Math.log1p(sum(hist.slice(-5), c));
    sig.cooc1[i] = Math.log1p(sum(hist.slice(-1), c));
    sig.trans1_last1[i] = Math.log1p(sum(hist.slice(-1), (h) => t1.get(h)?.get(e.item) ?? 0));
    sig.trans1_last3[i] = Math.log1p(sum(hist.slice(-3), (h) => t1.get(h)?.get(e.item) ?? 0));
    sig.trans3_last3[i] = Math.log1p(sum(hist.slice(-3), (h) => t3.get(h)?.get(e.item) ?? 0));
    const ni = itemClicks.get(e.item) ?? 0;
    sig.coocCos5[i] = sum(hist.slice(-5), (h) => c(h) / Math.sqrt(Math.max(1, ni) * Math.max(1, itemClicks.get(h) ?? 0)));
    sig.coocNorm50[i] = sum(hist, (h) => c(h) / Math.sqrt(Math.max(1, ni) * Math.max(1, itemClicks.get(h) ?? 0)));
  });
  const base = evaluate(s.test, s.ctr);
  console.log(`${dir}: model ${base.overall.auc.toFixed(4)} warm ${base.warm.auc.toFixed(4)} cold ${base.cold.auc.toFixed(4)}`);
  sig.pop = Float32Array.from(s.baselines.popularity, (c) => Math.log1p(c));
  sig.cold = Float32Array.from({ length: n }, (_, i) => s.test.cold[i]);
  sig.coldNeg = Float32Array.from({ length: n }, (_, i) => -s.test.cold[i]);
  const doms = [...new Set(s.events.map((e) => e.domain))];
  sig.dom0 = Float32Array.from(s.events, (e) => (e.domain === doms[0] ? 1 : 0));
  sig.dom0neg = Float32Array.from(s.events, (e) => (e.domain === doms[0] ? -1 : 0));
  for (const [k, v] of Object.entries(sig)) {
    const alone = evaluate(s.test, v);
    let best = { w: 0, auc: base.overall.auc, warm: base.warm.auc, cold: base.cold.auc };
    for (const w of [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8]) {
      const r = evaluate(s.test, Float32Array.from(z, (x, i) => sigmoid(x + w * v[i])));
      if (r.overall.auc > best.auc) best = { w, auc: r.overall.auc, warm: r.warm.auc, cold: r.cold.auc };
    }
    console.log(`  ${k.padEnd(14)} alone ${alone.overall.auc.toFixed(4)}  +model best w ${best.w}: ${best.auc.toFixed(4)} (+${(best.auc - base.overall.auc).toFixed(4)}) warm ${best.warm.toFixed(4)} cold ${best.cold.toFixed(4)}`);
  }
}
