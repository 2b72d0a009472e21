/**
 * The Python with PyTorch that the trainer's tests run (python/kindling_torch): Debian's
 * python3-torch under /usr/bin/python3 (CI installs it in .ci/run), or KINDLING_PYTHON.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = process.env.KINDLING_PYTHON ?? '/usr/bin/python3';

/** Whether PyTorch can be imported; in CI it must be (the tests fail rather than skip there). */
export function hasTorch(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Runs `python3 -m kindling_torch.<module> ...args` from python/; returns its exit code and output. */
export function runPython(module: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(PYTHON, ['-m', `kindling_torch.${module}`, ...args], { cwd: 'python', encoding: 'utf8', env: { ...process.env, PYTHONUNBUFFERED: '1', ...env }, timeout: 600_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
