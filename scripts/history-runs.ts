/**
 * results:history's runs on real data, which results:decay reads and adds to: the development period
 * imported plain and with the source's semantic ID (level 1) into one cache folder (HIST_DIR, default
 * .cache/results-history), and the commands every run is made with. A run is skipped while its
 * eval.json exists, unless `fresh`.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalReport, SliceReport } from '../src/eval/report.ts';
import { runOnce } from './cached-runs.ts';
import { FT } from './cold-start-settings.ts';
import { PROTOCOL, realDataDir } from './real-data.ts';

const { epochs: EPOCHS, negatives: NEG, cold: COLD, warm: WARM, coldEvents: COLD_EVENTS } = PROTOCOL;

/** The two baselines' row names, read from a run's eval.json. */
export const POP = 'popularity (clicks in the training split)';
export const COS = 'text cosine with the mean of the last 10 clicked items (shipped encoder, no parameters)';
type Add = (name: string, seed: number, r: SliceReport) => void;

/** Runs of the script `script` (its name in the message when the data is absent). */
export async function historyRuns(script: string, fresh: boolean) {
  const DATA = realDataDir(script);
  const root = process.env.HIST_DIR ?? '.cache/results-history';
  const kindling = (args: string[], done: string) => runOnce('bin/kindling.mjs', args, done, fresh);
  const data = {
    plain: join(root, 'data-both'),
    all: join(root, 'data-both-sid1'),
    office: join(root, 'data-office-sid1'),
    industrial: join(root, `data-industrial-${COLD_EVENTS}-sid1`),
  };
  mkdirSync(root, { recursive: true });
  const sid = ['--semantic-ids', '1'];
  await kindling(['import', 'amazon', '--from', DATA, '--out', data.plain], join(data.plain, 'import.json'));
  await kindling(['import', 'amazon', '--from', DATA, '--out', data.all, ...sid], join(data.all, 'import.json'));
  await kindling(['import', 'amazon', '--from', DATA, '--out', data.office, '--domains', WARM, ...sid], join(data.office, 'import.json'));
  await kindling(['import', 'amazon', '--from', DATA, '--out', data.industrial, '--domains', COLD, '--max-train', COLD_EVENTS, ...sid], join(data.industrial, 'import.json'));

  const common = (seed: number) => ['--negatives', NEG, '--seed', String(seed)];
  const dir = (seed: number, name: string) => join(root, `s${seed}-${name}`);
  const readEval = (d: string, file = 'eval.json'): EvalReport => JSON.parse(readFileSync(join(d, file), 'utf8'));
  const training = (d: string) => JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')).kindling.training;
  /**
   * Seed `seed`'s runs on both domains (row name -> [folder slug, ...]) into `add`, and the baselines (POP,
   * COS) from the row `baselinesOf`; returns each row's training record (seconds, samples/s).
   */
  function readBoth(seed: number, rows: Record<string, [string, ...unknown[]]>, add: Add, baselinesOf: string) {
    const records: Record<string, { seconds: number; samplesPerSecond: number }> = {};
    for (const [name, [slug]] of Object.entries(rows)) {
      const r = readEval(dir(seed, slug));
      add(name, seed, r);
      records[name] = training(dir(seed, slug));
      if (name === baselinesOf) {
        add(POP, seed, r.baselines!.popularity!);
        add(COS, seed, r.baselines!.text_cosine!);
      }
    }
    return records;
  }
  /**
   * Seed `seed`'s cold-start runs with folder suffix `suffix` into `add` under `names` (the foundation as
   * it was, read from the fine-tune's foundation-eval.json; the fine-tune; scratch); returns the
   * fine-tune's report and the three runs' training seconds.
   */
  function readColdStart(seed: number, suffix: string, add: Add, names: { zero: string; ft: string; scratch: string }) {
    const ft = readEval(dir(seed, `ft-l0-l2sp0${suffix}`));
    add(names.zero, seed, readEval(dir(seed, `ft-l0-l2sp0${suffix}`), 'foundation-eval.json'));
    add(names.ft, seed, ft);
    add(names.scratch, seed, readEval(dir(seed, `scratch${suffix}`)));
    const seconds = [`foundation-office${suffix}`, `ft-l0-l2sp0${suffix}`, `scratch${suffix}`].reduce((n, d) => n + (training(dir(seed, d)).seconds ?? 0), 0);
    return { ft, seconds };
  }
  return {
    data,
    dir,
    readEval,
    training,
    readBoth,
    readColdStart,
    /**
     * Every seed's rows on both domains (readBoth) and cold-start runs (readColdStart: [folder suffix, names]
     * each) into `add`; returns each row's samples/s per seed and the training seconds of the runs whose
     * folder slug or suffix ends with `fresh` (the script's own runs).
     */
    readSeeds(seeds: number[], rows: Record<string, [string, ...unknown[]]>, add: Add, baselinesOf: string, cold: [string, { zero: string; ft: string; scratch: string }][], fresh: string) {
      const speeds: Record<string, number[]> = {};
      let seconds = 0;
      for (const seed of seeds) {
        for (const [name, t] of Object.entries(readBoth(seed, rows, add, baselinesOf))) {
          (speeds[name] ??= []).push(t.samplesPerSecond);
          if (rows[name][0].endsWith(fresh)) seconds += t.seconds;
        }
        for (const [suffix, names] of cold) {
          const cs = readColdStart(seed, suffix, add, names);
          if (suffix.endsWith(fresh)) seconds += cs.seconds;
        }
      }
      return { speeds, seconds };
    },
    /** A run on both domains: `kindling train` on `on` into s<seed>-<slug>. */
    both: (seed: number, slug: string, on: string, flags: string[]) => () =>
      kindling(['train', '--data', on, '--out', dir(seed, slug), '--epochs', EPOCHS, ...common(seed), ...flags], join(dir(seed, slug), 'eval.json')),
    /**
     * The cold-start domain as one task: an Office foundation (s<seed>-foundation-office<suffix>), its
     * fine-tune on Industrial's first events (ft-l0-l2sp0<suffix>: it keeps its foundation's network and
     * config) and the same model from scratch (scratch<suffix>).
     */
    coldStart: (seed: number, suffix: string, flags: string[]) => async () => {
      const foundation = dir(seed, `foundation-office${suffix}`);
      await kindling(['train', '--data', data.office, '--out', foundation, '--epochs', EPOCHS, ...common(seed), ...flags], join(foundation, 'eval.json'));
      const ft = dir(seed, `ft-l0-l2sp0${suffix}`);
      await kindling(['finetune', '--from', foundation, '--data', data.industrial, '--domain', COLD, '--epochs', String(FT.epochs), '--lr', String(FT.lr), '--out', ft, '--freeze', 'l0', '--l2sp', '0', ...common(seed)], join(ft, 'eval.json'));
      const scratch = dir(seed, `scratch${suffix}`);
      await kindling(['train', '--data', data.industrial, '--out', scratch, '--epochs', String(FT.epochs), '--batch', String(FT.scratchBatch), ...common(seed), ...flags], join(scratch, 'eval.json'));
    },
  };
}

/** Runs `tasks` in order, `jobs` at a time. */
export async function runTasks(tasks: (() => Promise<void>)[], jobs: number) {
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
    while (tasks.length) await tasks.shift()!();
  }));
}
