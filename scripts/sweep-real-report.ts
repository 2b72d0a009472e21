/**
 * docs/SWEEP-REAL.md from kindling_torch.sweep's results (scripts/sweep-real.ts report): the epoch
 * curves of every setting, the settings picked on the validation copy and what they score on the
 * test, and the cold-start protocol's fine-tune against scratch at its own settings and at each
 * side's best.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { FT } from './cold-start-settings.ts';
import { mean, se, sign } from './paired-stats.ts';

export interface SweepRow {
  name: string;
  data: string;
  seed: number;
  epoch: number;
  auc: number;
  warm: number;
  cold: number;
  seconds: number;
  device: string;
  error?: string;
}
interface JobLike {
  name: string;
  data: string;
  seed: number;
  epochs: number;
}

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '–');
type Slice = 'auc' | 'warm' | 'cold';

/** The runs that finished every epoch they were given, by setting and data: seed -> epoch rows. */
export function finished(rows: SweepRow[], jobs: JobLike[]) {
  const want = new Map(jobs.map((j) => [`${j.name}|${j.data}|${j.seed}`, j.epochs]));
  const runs = new Map<string, Map<number, SweepRow[]>>();
  for (const r of rows) {
    if (r.error) continue;
    const key = `${r.name}|${r.data}`;
    if (!runs.has(key)) runs.set(key, new Map());
    const bySeed = runs.get(key)!;
    bySeed.set(r.seed, [...(bySeed.get(r.seed) ?? []), r]);
  }
  for (const [key, bySeed] of runs) {
    for (const [seed, rs] of bySeed) {
      rs.sort((a, b) => a.epoch - b.epoch);
      if (rs.length !== (want.get(`${key}|${seed}`) ?? rs.length)) bySeed.delete(seed);
    }
  }
  return runs;
}

/** Mean over seeds of one slice at one epoch (1-based). */
const at = (bySeed: Map<number, SweepRow[]>, epoch: number, k: Slice) => [...bySeed.values()].map((rs) => rs[epoch - 1][k]);

/** The epoch with the best mean AUC. */
function bestEpoch(bySeed: Map<number, SweepRow[]>) {
  const epochs = Math.min(...[...bySeed.values()].map((rs) => rs.length));
  let best = 1;
  for (let e = 2; e <= epochs; e++) if (mean(at(bySeed, e, 'auc')) > mean(at(bySeed, best, 'auc'))) best = e;
  return best;
}

/** a − b per seed (each at its own epoch), on the seeds both have. */
function paired(a: Map<number, SweepRow[]>, ea: number, b: Map<number, SweepRow[]>, eb: number, k: Slice) {
  const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  const d = seeds.map((s) => a.get(s)![ea - 1][k] - b.get(s)![eb - 1][k]);
  return `${sign(mean(d))} ± ${f4(se(d))} (${d.filter((x) => x > 0).length} of ${d.length})`;
}

function curves(runs: Map<string, Map<number, SweepRow[]>>, names: string[], data: string, k: Slice = 'auc') {
  const present = names.filter((n) => runs.get(`${n}|${data}`)?.size);
  const epochs = Math.max(...present.map((n) => Math.min(...[...runs.get(`${n}|${data}`)!.values()].map((rs) => rs.length))));
  const head = `| setting | seeds | ${Array.from({ length: epochs }, (_, i) => `epoch ${i + 1}`).join(' | ')} |`;
  const lines = present.map((n) => {
    const bySeed = runs.get(`${n}|${data}`)!;
    const have = Math.min(...[...bySeed.values()].map((rs) => rs.length));
    const best = bestEpoch(bySeed);
    const cells = Array.from({ length: epochs }, (_, i) => (i < have ? (i + 1 === best ? `**${f4(mean(at(bySeed, i + 1, k)))}**` : f4(mean(at(bySeed, i + 1, k)))) : ''));
    return `| ${n} | ${bySeed.size} | ${cells.join(' | ')} |`;
  });
  return [head, `|---|---|${'---|'.repeat(epochs)}`, ...lines].join('\n');
}

/** The rows results:real trained with `kindling train` (TF.js), per seed, from docs/results-real.json. */
const TFJS: [string, string, number, string][] = [
  ['both', 'base', 3, 'full model'],
  ['both', 'engine', 3, 'full model [10 seeds]'],
  ['sid1', 'base', 3, "full, items with the source's semantic ID (level 1) as a feature (import --semantic-ids 1)"],
  ['ind2000-sid1', `ft-lr${FT.lr}-b512`, FT.epochs, 'Industrial_and_Scientific: items with the semantic ID: foundation + fine-tune, freeze l0, --l2sp 0'],
  ['ind2000-sid1', `scratch-lr0.003-b${FT.scratchBatch}`, FT.epochs, 'Industrial_and_Scientific: items with the semantic ID: the same model from scratch'],
];

/** The two engines on the same samples: this sweep's PyTorch runs against results:real's TF.js runs of the same setting and seed. */
function engines(runs: Map<string, Map<number, SweepRow[]>>, file = 'docs/results-real.json'): string[] {
  if (!existsSync(file)) return [];
  const tfjs = JSON.parse(readFileSync(file, 'utf8')).rows as Record<string, { seed: number; auc: number }[]>;
  const lines = ['## The two engines on the same samples', '', `PyTorch here against \`kindling train\` (TF.js) in ${file}, the same setting, epoch and seed (different batch orders and`, 'random draws, so the runs differ as two seeds would):', '', '| data | setting | epoch | seeds | PyTorch AUC | TF.js AUC | PyTorch − TF.js |', '|---|---|---|---|---|---|---|'];
  for (const [data, name, epoch, row] of TFJS) {
    const mine = runs.get(`${name}|${data}`);
    const theirs = new Map((tfjs[row] ?? []).map((r) => [r.seed, r.auc]));
    const seeds = [...(mine?.keys() ?? [])].filter((s) => theirs.has(s) && mine!.get(s)!.length >= epoch).sort((a, b) => a - b);
    if (!seeds.length) continue;
    const a = seeds.map((s) => mine!.get(s)![epoch - 1].auc);
    const b = seeds.map((s) => theirs.get(s)!);
    const d = a.map((x, i) => x - b[i]);
    lines.push(`| ${data} | ${name === 'engine' ? 'base' : name} | ${epoch} | ${seeds.join(', ')} | ${f4(mean(a))} | ${f4(mean(b))} | ${sign(mean(d))} ± ${f4(se(d))} (${d.filter((x) => x > 0).length} of ${d.length}) |`);
  }
  return lines.length > 7 ? lines : [];
}

export function writeReport(files: string[], jobs: JobLike[], out = 'docs/SWEEP-REAL.md') {
  const rows: SweepRow[] = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  const runs = finished(rows, jobs);
  const ran = new Set([...runs].flatMap(([key, bySeed]) => [...bySeed.keys()].map((s) => `${key}|${s}`)));
  const missing = jobs.filter((j) => !ran.has(`${j.name}|${j.data}|${j.seed}`));
  const failed = rows.filter((r) => r.error);
  const devices = [...new Set(rows.filter((r) => r.device).map((r) => r.device))];
  const main = ['base', 'h64', 'lr0.001', 'x8', 'h64-lr0.001', 'h128', 'b128'];
  const ft = [...new Set(jobs.map((j) => j.name).filter((n) => n.startsWith('ft-')))];
  const sc = [...new Set(jobs.map((j) => j.name).filter((n) => n.startsWith('scratch-')))];
  const L: string[] = [];
  L.push('# A sweep of the ranker\'s settings on the real data (PyTorch)', '');
  L.push(`Written by \`npm run sweep:real -- report\` (scripts/sweep-real.ts, scripts/sweep-real-report.ts) from ${files.join(', ')};`);
  L.push(`the runs: \`python3 -m kindling_torch.sweep\` on ${devices.join('; ') || 'no device recorded'}, on the exports that \`npm run sweep:real -- prepare\``);
  L.push('makes (the same imports, negatives, histories and Office foundations as docs/RESULTS-REAL.md, read by the');
  L.push('PyTorch twin of the network, which test/torch.test.ts holds to TF.js within 1e-4). Each run scores the test');
  L.push('after every epoch: overall AUC, warm items, cold items (no click in the training split), as `kindling eval`.');
  L.push(`${ran.size} of ${jobs.length} runs finished${missing.length ? `; not run, or not on every seed (the GPU's time ran out; this machine's CPUs ran some of the rest): ${[...new Set(missing.map((j) => `${j.name} on ${j.data}`))].join(', ')}` : ''}${failed.length ? `; ${failed.length} failed` : ''}.`);
  L.push('', '**The validation copy** (`both-valid`, `sid1-valid`): each domain\'s training period alone, its earliest 87.5%');
  L.push('training and its latest 12.5% the test (70% and 10% of the whole period); no event of the real test period is in');
  L.push('it. Settings and epochs are picked there; the test period (`both`, `sid1`) only reports them. Bold: the');
  L.push('setting\'s best epoch on that data. Cells: mean over seeds.', '');
  L.push('## Both domains: width, learning rate, batch, experts, epochs', '');
  L.push('Settings: `base` is `kindling train`\'s network (hidden 32, 4 experts of 32, towers of 16, domain-adaptive layer 64;');
  L.push('Adam at 0.003, batch 512); `h64` and `h128` double and quadruple every width; `x8` has 8 experts; `lr0.001` a third');
  L.push('of the rate; `b128` a quarter of the batch. `sid1`: items with the source\'s semantic ID (`import amazon --semantic-ids 1`).', '');
  for (const [title, data, names] of [['Validation copy, overall AUC', 'both-valid', main], ['Test period, overall AUC', 'both', main], ['Validation copy with the semantic ID, overall AUC', 'sid1-valid', main], ['Test period with the semantic ID, overall AUC', 'sid1', main]] as const) {
    if (!names.some((n) => runs.get(`${n}|${data}`)?.size)) continue;
    L.push(`### ${title}`, '', curves(runs, [...names], data), '');
  }
  L.push('### Picked on validation, scored on the test', '');
  L.push('| data | setting | epoch picked on validation | test AUC | warm items | cold items | test AUC − base at its own picked epoch |', '|---|---|---|---|---|---|---|');
  for (const [valid, test] of [['both-valid', 'both'], ['sid1-valid', 'sid1']]) {
    const base = runs.get(`base|${test}`);
    const baseValid = runs.get(`base|${valid}`);
    for (const n of main) {
      const v = runs.get(`${n}|${valid}`);
      const t = runs.get(`${n}|${test}`);
      if (!v?.size || !t?.size) continue;
      const e = bestEpoch(v);
      const cell = (k: Slice) => `${f4(mean(at(t, e, k)))} ± ${f4(se(at(t, e, k)))}`;
      const diff = base?.size && baseValid?.size && n !== 'base' ? paired(t, e, base, bestEpoch(baseValid), 'auc') : '';
      L.push(`| ${test} | ${n} | ${e} | ${cell('auc')} | ${cell('warm')} | ${cell('cold')} | ${diff} |`);
    }
  }
  L.push('', '## The cold-start protocol: fine-tune against scratch, on items with the semantic ID', '');
  L.push(`Industrial_and_Scientific with its first 2,000 events (\`import amazon --max-train 2000 --semantic-ids 1\`), ${Math.max(...[...runs.values()].map((b) => b.size))} seeds;`);
  L.push('fine-tune: `--freeze l0 --l2sp 0` from the Office foundation of the same seed (trained by `kindling train`, 3 epochs,');
  L.push(`as in docs/RESULTS-REAL.md); scratch: the same network on the 2,000 events alone. The protocol\'s settings: fine-tune lr ${FT.lr},`);
  L.push(`batch 512, scratch lr 0.003, batch ${FT.scratchBatch}, ${FT.epochs} epochs each. There is no validation copy here: the "best" rows below pick the`);
  L.push('setting and epoch on the test period itself, for each side alike. They bound what tuning either side could give;');
  L.push('they are not results.', '');
  L.push('### Test AUC by epoch', '', curves(runs, [...ft, ...sc], 'ind2000-sid1'), '');
  L.push('### Differences, paired per seed', '', '| difference | overall | warm items | cold items |', '|---|---|---|---|');
  const get = (n: string) => runs.get(`${n}|ind2000-sid1`);
  const proto = [get(`ft-lr${FT.lr}-b512`), get(`scratch-lr0.003-b${FT.scratchBatch}`)];
  const pick = (names: string[]) => {
    let best: [string, number] | undefined;
    for (const n of names) {
      const b = get(n);
      if (!b?.size) continue;
      const e = bestEpoch(b);
      if (!best || mean(at(b, e, 'auc')) > mean(at(get(best[0])!, best[1], 'auc'))) best = [n, e];
    }
    return best;
  };
  if (proto[0]?.size && proto[1]?.size) {
    const E = FT.epochs;
    L.push(`| fine-tune − scratch, the protocol's settings, epoch ${E} | ${(['auc', 'warm', 'cold'] as const).map((k) => paired(proto[0]!, E, proto[1]!, E, k)).join(' | ')} |`);
  }
  const bf = pick(ft);
  const bs = pick(sc);
  if (bf && bs) {
    L.push(`| fine-tune − scratch, each at its best setting and epoch on the test (${bf[0]} epoch ${bf[1]}; ${bs[0]} epoch ${bs[1]}) | ${(['auc', 'warm', 'cold'] as const).map((k) => paired(get(bf[0])!, bf[1], get(bs[0])!, bs[1], k)).join(' | ')} |`);
    if (proto[1]?.size) L.push(`| scratch at its best − scratch at the protocol's settings | ${(['auc', 'warm', 'cold'] as const).map((k) => paired(get(bs[0])!, bs[1], proto[1]!, FT.epochs, k)).join(' | ')} |`);
    if (proto[0]?.size) L.push(`| fine-tune at its best − fine-tune at the protocol's settings | ${(['auc', 'warm', 'cold'] as const).map((k) => paired(get(bf[0])!, bf[1], proto[0]!, FT.epochs, k)).join(' | ')} |`);
  }
  L.push('', ...engines(runs), '');
  writeFileSync(out, L.join('\n'));
  console.log(`wrote ${out}: ${ran.size} runs`);
}
