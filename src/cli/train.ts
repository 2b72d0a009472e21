/** kindling train: a new model from a data folder (src/train/train.ts). */
import { reportTable } from '../eval/report.ts';
import { ASPECTS, type RankerConfig } from '../model/config.ts';
import { train } from '../train/train.ts';
import { trainWithTorch } from '../train/torch-engine.ts';
import { DATA_FLAGS, DATA_USAGE, dataOptions, flags, optChoice, optNum, required, UsageError, type Command, type Values } from './args.ts';
import { consoleProgress, exportProgress } from './progress.ts';

/** The network's flags: only those given override DEFAULT_RANKER. */
export function modelOverrides(a: Values): Partial<RankerConfig> {
  const o: Partial<RankerConfig> = {};
  const set = <K extends keyof RankerConfig>(k: K, v: RankerConfig[K] | undefined) => v !== undefined && (o[k] = v);
  const dropped = ASPECTS.filter((x) => a[`no-${x}`]);
  if (dropped.length) {
    o.aspects = ASPECTS.filter((x) => !dropped.includes(x));
    if (!o.aspects.length) throw new UsageError('--no-id, --no-text, --no-sparse', 'together leave no aspect to rank with');
  }
  if (a['no-da']) o.domainAdaptive = false;
  set('gating', optChoice('gating', a.gating, ['mean', 'cls', 'domain'] as const));
  set('reg', optChoice('reg', a.reg, ['js', 'mmd', 'none'] as const));
  if (a.lambda !== undefined && a['reg-weight'] !== undefined) throw new UsageError('--lambda', 'is another name for --reg-weight: give one of them');
  set('regWeight', optNum(a.lambda !== undefined ? 'lambda' : 'reg-weight', a.lambda ?? a['reg-weight'], 0, 100, false));
  set('experts', optNum('experts', a.experts, 1, 64));
  set('historyLength', optNum('history', a.history, 1, 500));
  set('unknownIds', optChoice('unknown-ids', a['unknown-ids'], ['mask', 'hash'] as const));
  set('idDropout', optNum('id-dropout', a['id-dropout'], 0, 0.9, false));
  set('histIdDropout', optNum('hist-id-dropout', a['hist-id-dropout'], 0, 0.9, false));
  set('embDecay', optNum('emb-decay', a['emb-decay'], 0, 100, false));
  if (a['history-features'] && a['no-history-features']) throw new UsageError('--history-features', 'and --no-history-features contradict each other: give one of them');
  if (a['history-features']) o.historyFeatures = true;
  if (a['no-history-features']) o.historyFeatures = false;
  if (a['history-match']) o.historyMatch = true;
  set('covisitMin', optNum('covisit-min', a['covisit-min'], 1, 1e6));
  if (o.covisitMin !== undefined && !o.historyMatch) throw new UsageError('--covisit-min', 'only with --history-match');
  if (a['match-features']) {
    if (!o.historyMatch) throw new UsageError('--match-features', 'only with --history-match');
    o.matchFeatures = true;
  }
  return o;
}

/** The network's flags (train and export). */
export const MODEL_FLAGS = flags(['gating', 'reg', 'reg-weight', 'lambda', 'experts', 'history', 'unknown-ids', 'id-dropout', 'hist-id-dropout', 'emb-decay', 'covisit-min'], ['no-text', 'no-id', 'no-sparse', 'no-da', 'history-features', 'no-history-features', 'history-match', 'match-features']);
export const MODEL_USAGE = `[--gating mean|cls|domain] [--no-text] [--no-id] [--no-sparse] [--no-da] [--reg js|mmd|none]
           [--reg-weight L (alias --lambda)] [--experts N] [--history N] [--unknown-ids mask|hash] [--id-dropout P]
           [--hist-id-dropout P] [--history-features | --no-history-features] [--emb-decay L] [--history-match [--covisit-min N] [--match-features]]`;

export const trainCommand: Command = {
  usage: `train    --data DIR --out DIR [--epochs N] [--batch B] [--lr R] [--resume] [--valid F [--valid-metric auc|logloss] [--refit]] ${DATA_USAGE}
           ${MODEL_USAGE}
           [--distill K | --teachers DIR,DIR...] [--distill-weight W]
           [--engine node|torch] [--procs N] [--device cpu|cuda] [--export DIR]
  --distill K: train K teachers first (seeds S+1..S+K, the same flags, into OUT/teachers/seed-N), then
  this model on click labels mixed with their averaged predictions (weight W, default 0.5): K + 1 runs
  of training, one network to ship. --teachers: models already trained on the same data, split and
  features (docs/RESULTS-DISTILL.md).
  --engine torch: export the samples (to --export, default OUT/export) and train them on PyTorch
  (python/kindling_torch, DistributedDataParallel) with --procs ranks on this machine; --batch is the
  global batch. The Python: KINDLING_PYTHON, else /usr/bin/python3. A cluster uses torchrun (README).`,
  options: { ...DATA_FLAGS, ...MODEL_FLAGS, ...flags(['valid', 'valid-metric', 'data', 'out', 'epochs', 'batch', 'lr', 'engine', 'procs', 'device', 'export', 'teachers', 'distill', 'distill-weight'], ['resume', 'refit']) },
  usesTf: true,
  async run(a) {
    const out = required('out', a.out);
    const engine = optChoice('engine', a.engine, ['node', 'torch'] as const) ?? 'node';
    if (engine === 'node') {
      for (const f of ['procs', 'device', 'export']) if (a[f] !== undefined) throw new UsageError(`--${f}`, 'only with --engine torch');
    } else return trainOnTorch(a, out);
    const r = await train({ ...trainOptions(a, out), ...distillOptions(a), progress: consoleProgress() });
    console.log(reportTable(r.report));
    console.log(`saved ${out}/model.json (${Math.round(r.seconds)}s, ${Math.round(r.samplesPerSecond)} samples/s)`);
    return r;
  },
};

/** --distill, --teachers, --distill-weight (the Node engine's). */
function distillOptions(a: Values) {
  if (a.distill !== undefined && a.teachers !== undefined) throw new UsageError('--distill', 'trains its own teachers: give --distill K or --teachers DIRS, not both');
  if (a['distill-weight'] !== undefined && a.distill === undefined && a.teachers === undefined) throw new UsageError('--distill-weight', "is the teachers' share of the label: give --distill K or --teachers DIRS too");
  if (a.refit && (a.distill !== undefined || a.teachers !== undefined)) throw new UsageError('--refit', 'is not available with distillation: use --valid F alone (the teachers are then trained without the validation events too)');
  const teachers = typeof a.teachers === 'string' ? a.teachers.split(',').filter(Boolean) : undefined;
  if (a.teachers !== undefined && !teachers?.length) throw new UsageError('--teachers', 'expected model folders, comma-separated');
  return { teachers, distill: optNum('distill', a.distill, 1, 32), distillWeight: optNum('distill-weight', a['distill-weight'], 0, 1, false) };
}

/** What both engines take from the flags. */
function trainOptions(a: Values, out: string) {
  return {
    ...dataOptions(a, required('data', a.data)),
    out,
    epochs: optNum('epochs', a.epochs, 1, 1000),
    batchSize: optNum('batch', a.batch, 8, 65536),
    learningRate: optNum('lr', a.lr, 1e-6, 1, false),
    model: modelOverrides(a),
    resume: !!a.resume,
  };
}

async function trainOnTorch(a: Values, out: string) {
  for (const f of ['valid', 'valid-metric', 'refit']) if (a[f] !== undefined) throw new UsageError(`--${f}`, 'not with --engine torch (it keeps the last epoch)');
  for (const f of ['distill', 'teachers', 'distill-weight']) if (a[f] !== undefined) throw new UsageError(`--${f}`, 'not with --engine torch (distillation runs on the Node engine)');
  const r = await trainWithTorch({
    ...trainOptions(a, out),
    procs: optNum('procs', a.procs, 1, 256),
    device: optChoice('device', a.device, ['cpu', 'cuda'] as const),
    exportDir: a.export as string | undefined,
    onShard: exportProgress(),
    onLine: (line) => console.error(line),
  });
  console.log(`saved ${out}/model.json: PyTorch, ${r.digests.length} rank(s) with the same weights; test AUC ${r.eval.auc.toFixed(4)}, logloss ${r.eval.logloss.toFixed(4)} on ${r.eval.samples} samples (${Math.round(r.seconds)}s)`);
  console.log(`the full report, beside the baselines: kindling eval --data ${a.data} --model ${out}`);
  return r;
}
