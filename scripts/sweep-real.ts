/**
 * npm run sweep:real -- prepare [--pack]   |   npm run sweep:real -- report [RESULTS.jsonl ...]
 *
 * A sweep of the ranker's width, learning rate, batch, experts and epochs on the real data, and of
 * the cold-start protocol's fine-tune and scratch settings, trained by kindling_torch.sweep (many runs
 * side by side, on a GPU if there is one). Not part of CI; reads ../shared/data like results:real.
 *
 * prepare: the imports and Office foundations results:real uses (the same commands; found in
 *   REAL_DIR, default .cache/results-real, or made in SWEEP_DIR), a validation copy of each
 *   training period (each domain's latest 12.5% of it as the test: 70% / 10% of the whole), the
 *   exports of every seed, the wider networks' manifests (paramSpecs over the same samples) and
 *   SWEEP_DIR/jobs.json. With --pack, SWEEP_DIR/pack.tar.xz: the exports with their text tables
 *   written once (canon.f32 + each export's row indices; kindling_torch.sweep writes them back
 *   before it trains) and the foundations, small enough to carry to another machine.
 *   Then: python3 -m kindling_torch.sweep --jobs SWEEP_DIR/jobs.json --root SWEEP_DIR --device cuda
 *   --procs 15 --out docs/sweep-real.jsonl
 * report: docs/SWEEP-REAL.md from the results (default docs/sweep-real.jsonl).
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { paramSpecs } from '../src/model/params.ts';
import type { RankerConfig } from '../src/model/config.ts';
import { FT } from './cold-start-settings.ts';
import { runOnce } from './cached-runs.ts';
import { packFolder } from './sweep-pack.ts';

const DATA = resolve(process.env.REAL_DATA ?? '../shared/data/amazon18-industrial-office');
const REAL = process.env.REAL_DIR ?? '.cache/results-real';
const ROOT = process.env.SWEEP_DIR ?? '.cache/sweep-real';
const COLD = 'Industrial_and_Scientific';
const WARM = 'Office_Products';
const SEEDS = [1, 2, 3, 4, 5];
const COLD_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const ENGINE_SEEDS = [6, 7, 8, 9, 10];
/** The validation copy: of each domain's training period, the earliest 87.5% train and the rest is the test. */
const VALID_TRAIN = 0.875;

/** Network shapes over the same samples: [name, config values]. */
const SHAPES: [string, Partial<RankerConfig>][] = [
  ['h64', { hidden: 64, expertDim: 64, towerDim: 32, daDim: 128 }],
  ['h128', { hidden: 128, expertDim: 128, towerDim: 64, daDim: 256 }],
  ['x8', { experts: 8 }],
];

interface Job {
  name: string;
  data: string;
  seed: number;
  export: string;
  epochs: number;
  lr?: number;
  batch?: number;
  manifest?: string;
  from?: string;
}

/** The grid, in the order the runs start (what matters most first: a budget cuts the end). */
function jobs(): Job[] {
  const J: Job[] = [];
  const add = (name: string, data: string, seeds: number[], exp: (s: number) => string, o: Partial<Job> & { epochs: number }, from?: (s: number) => string) => {
    for (const seed of seeds) J.push({ name, data, seed, export: exp(seed), ...o, ...(from ? { from: from(seed) } : {}) });
  };
  // The cold-start protocol on items with the semantic ID: fine-tune from the Office foundation, and scratch.
  for (const [lr, batch] of [[FT.lr, 512], [0.001, 512], [0.005, 512], [FT.lr, 256]]) add(`ft-lr${lr}-b${batch}`, 'ind2000-sid1', COLD_SEEDS, (s) => `exft-s${s}`, { epochs: 12, lr, batch }, (s) => `foundation-s${s}`);
  for (const [lr, batch] of [[0.003, FT.scratchBatch], [0.001, 256], [0.002, 128], [0.005, 256]]) add(`scratch-lr${lr}-b${batch}`, 'ind2000-sid1', COLD_SEEDS, (s) => `exsc-s${s}`, { epochs: 12, lr, batch });
  // Both domains: the validation copy and the real test, each variant on both.
  const both: [string, (s: number) => string][] = [['both-valid', (s) => `exv-s${s}`], ['both', (s) => `ex-s${s}`]];
  const sid: [string, (s: number) => string][] = [['sid1-valid', (s) => `exsidv-s${s}`], ['sid1', (s) => `exsid-s${s}`]];
  const grid: [typeof both, string, Partial<Job> & { epochs: number }][] = [
    [both, 'base', { epochs: 5 }],
    [both, 'h64', { epochs: 5, manifest: 'manifest.h64.json' }],
    [sid, 'base', { epochs: 5 }],
    [sid, 'h64', { epochs: 5, manifest: 'manifest.h64.json' }],
    [both, 'lr0.001', { epochs: 8, lr: 0.001 }],
    [both, 'x8', { epochs: 6, manifest: 'manifest.x8.json' }],
    [both, 'h64-lr0.001', { epochs: 8, lr: 0.001, manifest: 'manifest.h64.json' }],
    [both, 'h128', { epochs: 6, manifest: 'manifest.h128.json' }],
    [both, 'b128', { epochs: 5, batch: 128 }],
  ];
  for (const [sets, name, o] of grid) for (const [data, exp] of sets) add(name, data, SEEDS, exp, o);
  // The two engines on five more seeds: results:real's close call trained the full model on them with TF.js.
  add('engine', 'both', ENGINE_SEEDS, (s) => `ex-s${s}`, { epochs: 3 });
  return J;
}

const kindling = (args: string[], done: string) => runOnce('bin/kindling.mjs', args, done, false);

/** A copy of a data folder whose test is each domain's latest share of the training period. */
function validationCopy(from: string, to: string) {
  if (existsSync(join(to, 'events.jsonl'))) return;
  mkdirSync(to, { recursive: true });
  const rows = readFileSync(join(from, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const train = rows.filter((e) => e.split === 'train');
  const byDomain = new Map<string, number[]>();
  train.forEach((e, i) => {
    if (!byDomain.has(e.domain)) byDomain.set(e.domain, []);
    byDomain.get(e.domain)!.push(i);
  });
  for (const idx of byDomain.values()) {
    idx.sort((a, b) => train[a].ts - train[b].ts || a - b);
    const cut = Math.floor(idx.length * VALID_TRAIN);
    idx.forEach((i, k) => (train[i].split = k < cut ? 'train' : 'test'));
  }
  writeFileSync(join(to, 'events.jsonl'), train.map((e) => JSON.stringify(e)).join('\n') + '\n');
  copyFileSync(join(from, 'items.jsonl'), join(to, 'items.jsonl'));
  writeFileSync(join(to, 'import.json'), JSON.stringify({ validationOf: from, trainShare: VALID_TRAIN }, null, 1));
}

/** manifest.<name>.json beside an export's own: the same samples, another network shape. */
function shapeManifests(exp: string) {
  const m = JSON.parse(readFileSync(join(exp, 'manifest.json'), 'utf8'));
  for (const [name, set] of SHAPES) {
    const config = { ...m.config, ...set };
    writeFileSync(join(exp, `manifest.${name}.json`), JSON.stringify({ ...m, config, params: paramSpecs(config) }));
  }
}

async function prepare(pack: boolean) {
  if (!existsSync(join(DATA, 'SOURCE.md'))) {
    console.error(`sweep:real: the real data is not at ${DATA}; set REAL_DATA=DIR. Nothing was run.`);
    process.exit(2);
  }
  mkdirSync(ROOT, { recursive: true });
  const data = (name: string, flags: string[]) => {
    const dir = join(REAL, name);
    return kindling(['import', 'amazon', '--from', DATA, '--out', dir, ...flags], join(dir, 'import.json')).then(() => dir);
  };
  const both = await data('data-both', []);
  const bothSid = await data('data-both-sid1', ['--semantic-ids', '1']);
  const officeSid = await data('data-office-sid1', ['--domains', WARM, '--semantic-ids', '1']);
  const industrialSid = await data('data-industrial-2000-sid1', ['--domains', COLD, '--max-train', '2000', '--semantic-ids', '1']);
  validationCopy(both, join(ROOT, 'data-both-valid'));
  validationCopy(bothSid, join(ROOT, 'data-both-sid1-valid'));
  const common = (s: number) => ['--negatives', '4', '--seed', String(s)];
  const exp = (name: string, args: string[]) => kindling(['export', '--out', join(ROOT, name), '--shards', '1', ...args], join(ROOT, name, 'manifest.json'));
  for (const s of COLD_SEEDS) {
    // results:real's foundation when it has one for this seed; else the same command here.
    const made = join(REAL, `s${s}-foundation-office-sid1`);
    const foundation = join(ROOT, `foundation-s${s}`);
    if (!existsSync(join(foundation, 'weights.bin'))) {
      if (existsSync(join(made, 'eval.json'))) cpSync(made, foundation, { recursive: true });
      else await kindling(['train', '--data', officeSid, '--out', foundation, '--epochs', '3', ...common(s)], join(foundation, 'eval.json'));
      rmSync(join(foundation, 'checkpoint'), { recursive: true, force: true });
    }
    await exp(`exft-s${s}`, ['--data', industrialSid, '--from', foundation, '--domain', COLD, ...common(s)]);
    await exp(`exsc-s${s}`, ['--data', industrialSid, ...common(s)]);
  }
  for (const s of SEEDS) {
    for (const [name, dir] of [[`ex-s${s}`, both], [`exv-s${s}`, join(ROOT, 'data-both-valid')], [`exsid-s${s}`, bothSid], [`exsidv-s${s}`, join(ROOT, 'data-both-sid1-valid')]]) {
      await exp(name, ['--data', dir, ...common(s)]);
      shapeManifests(join(ROOT, name));
    }
  }
  for (const s of ENGINE_SEEDS) await exp(`ex-s${s}`, ['--data', both, ...common(s)]);
  writeFileSync(join(ROOT, 'jobs.json'), JSON.stringify(jobs(), null, 1));
  console.log(`${ROOT}/jobs.json: ${jobs().length} runs`);
  if (pack) packFolder(ROOT, (n) => /^(ex|foundation-)/.test(n), join(ROOT, 'pack.tar.xz'));
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'prepare') await prepare(rest.includes('--pack'));
else if (command === 'report') (await import('./sweep-real-report.ts')).writeReport(rest.length ? rest : ['docs/sweep-real.jsonl'], jobs());
else {
  console.error('usage: npm run sweep:real -- prepare [--pack] | report [RESULTS.jsonl ...]');
  process.exit(2);
}
