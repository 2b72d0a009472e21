/**
 * trainWithTorch(options): `kindling train` on PyTorch (python/kindling_torch), on this machine:
 * exports the samples (exportSamples: the same split, negatives, histories and config as train()),
 * then starts `procs` ranks of kindling_torch.train with the torch.distributed environment that
 * torchrun would give them (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
 * MASTER_PORT). `batchSize` is the global batch, split evenly over the ranks. A rank that fails stops
 * the others and ends with a TrainerError naming it; the model is written only by a run that finishes.
 * A cluster starts the ranks with torchrun instead (README, "Training on a cluster").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, KindlingError, TrainerError } from '../errors.ts';
import { checkNumbers, DATA_DEFAULTS, withDefaults } from './data-options.ts';
import { exportSamples, type ExportManifest, type ShardProgress } from './export.ts';
import { TRAIN_DEFAULTS, type TrainOptions } from './train.ts';

export interface TorchTrainOptions extends Omit<TrainOptions, 'progress' | 'validFraction' | 'validMetric' | 'refit'> {
  /** Ranks on this machine (default 1; one per GPU with device 'cuda'). */
  procs?: number;
  device?: 'cpu' | 'cuda';
  /** The export's folder (default <out>/export). */
  exportDir?: string;
  /** A Python with torch and numpy: KINDLING_PYTHON, else /usr/bin/python3 (Debian's python3-torch), else python3. */
  python?: string;
  /** Export progress, and every line rank 0 writes (its epochs, its digest, its saved model). */
  onShard?: (p: ShardProgress) => void;
  onLine?: (line: string) => void;
}

export interface TorchTrainResult {
  out: string;
  manifest: ExportManifest;
  /** kindling_torch's eval.json: AUC and logloss on the export's test split. */
  eval: { samples: number; auc: number; logloss: number };
  seconds: number;
  /** Each rank's SHA-256 of its weights after training (they must agree). */
  digests: string[];
}

/** python/, beside src/ in the package. */
export const PYTHON_PACKAGE_DIR = fileURLToPath(new URL('../../python', import.meta.url));

export function findPython(explicit?: string): string {
  const py = explicit ?? process.env.KINDLING_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const r = spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new ConfigError('python', `${py} cannot import torch and numpy (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); install Debian's PyTorch with \`apt-get install --no-install-recommends python3-torch\`, or set KINDLING_PYTHON to a Python that has it`);
  }
  return py;
}

/** A TCP port free now on this machine (for MASTER_PORT). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

export async function trainWithTorch(options: TorchTrainOptions): Promise<TorchTrainResult> {
  checkNumbers([['epochs', options.epochs, 1, 1000, true], ['batchSize', options.batchSize, 8, 65536, true], ['learningRate', options.learningRate, 1e-6, 1, false], ['procs', options.procs, 1, 256, true]]);
  for (const k of ['validFraction', 'validMetric', 'refit'] as const) {
    if ((options as TrainOptions)[k] !== undefined) throw new ConfigError(k, 'the PyTorch engine keeps the last epoch; it has no validation split');
  }
  for (const k of ['teachers', 'distill', 'distillWeight'] as const) {
    if ((options as TrainOptions)[k] !== undefined) throw new ConfigError(k, 'distillation runs on the Node engine only (kindling train without --engine torch)');
  }
  const o = withDefaults({ ...DATA_DEFAULTS, ...TRAIN_DEFAULTS, procs: 1, device: 'cpu' as const }, options);
  if (o.batchSize % o.procs) throw new ConfigError('batchSize', `${o.batchSize} samples per step do not split evenly over ${o.procs} ranks`);
  const python = findPython(o.python);
  const t0 = performance.now();
  // Absolute: the ranks run in python/, where a path relative to the caller's folder means nothing.
  const out = resolve(o.out);
  const exportDir = resolve(o.exportDir ?? join(out, 'export'));
  // At least one training shard per rank, so that every rank has samples of its own.
  const manifest = await exportSamples({ ...o, out: exportDir, shards: Math.max(4, o.procs), onShard: o.onShard });
  const port = await freePort();
  const args = ['-m', 'kindling_torch.train', '--export', exportDir, '--out', out, '--epochs', String(o.epochs), '--batch', String(o.batchSize / o.procs), '--lr', String(o.learningRate), '--seed', String(o.seed), '--device', o.device, ...(o.resume ? ['--resume'] : [])];
  const ranks: ChildProcess[] = [];
  const outputs: string[] = [];
  const digests: string[] = [];
  let failed: TrainerError | undefined;
  await new Promise<void>((done) => {
    let running = o.procs;
    for (let rank = 0; rank < o.procs; rank++) {
      const env = { ...process.env, PYTHONUNBUFFERED: '1', RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(o.procs), LOCAL_WORLD_SIZE: String(o.procs), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) };
      const child = spawn(python, args, { cwd: PYTHON_PACKAGE_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
      ranks.push(child);
      outputs[rank] = '';
      let partial = '';
      const take = (d: Buffer) => {
        outputs[rank] = (outputs[rank] + d).slice(-20_000);
        const lines = (partial + d).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          const m = /weights sha256 ([0-9a-f]{64})/.exec(line);
          if (m) digests[rank] = m[1];
          if (rank === 0) o.onLine?.(line);
        }
      };
      child.stdout!.on('data', take);
      child.stderr!.on('data', take);
      child.on('error', (err) => (outputs[rank] += `\n${err.message}`));
      child.on('close', (code, signal) => {
        if ((code !== 0 || signal) && !failed) {
          failed = new TrainerError(rank, code, outputs[rank]);
          // The others would wait for it until their timeout: stop them now.
          for (const r of ranks) if (r !== child && r.exitCode === null) r.kill('SIGTERM');
        }
        if (--running === 0) done();
      });
    }
  });
  if (failed) throw failed;
  if (digests.filter(Boolean).length !== o.procs || new Set(digests).size !== 1) throw new KindlingError(`the ${o.procs} PyTorch ranks did not end with the same weights (sha256 ${digests.map((d) => d?.slice(0, 12) ?? 'none').join(', ')})`);
  const evalPath = join(out, 'eval.json');
  return { out, manifest, eval: JSON.parse(readFileSync(evalPath, 'utf8')), seconds: (performance.now() - t0) / 1000, digests };
}
