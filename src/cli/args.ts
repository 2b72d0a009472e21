/** Argument helpers shared by the CLI commands: every bad value names its flag. */
import { ConfigError } from '../errors.ts';

export class UsageError extends ConfigError {}

export function num(flag: string, v: string | undefined, dflt: number, min: number, max: number, integer = true): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag}`, `got ${JSON.stringify(v)}; expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

export function choice<T extends string>(flag: string, v: string | undefined, dflt: T, allowed: readonly T[]): T {
  if (v === undefined) return dflt;
  if (!allowed.includes(v as T)) throw new UsageError(`--${flag}`, `got ${JSON.stringify(v)}; allowed: ${allowed.join(', ')}`);
  return v as T;
}

export function required(flag: string, v: string | undefined): string {
  if (!v) throw new UsageError(`--${flag}`, 'is required');
  return v;
}

/** `time:0.8` (earliest 80% train). Events that carry "split" override it. */
export function splitSpec(v: string | undefined): number {
  if (v === undefined) return 0.8;
  const m = /^time:(0?\.\d+|1(\.0*)?|0)$/.exec(v);
  const f = m ? Number(m[1]) : NaN;
  if (!(f > 0 && f < 1)) throw new UsageError('--split', `got ${JSON.stringify(v)}; expected time:F with 0 < F < 1, e.g. time:0.8`);
  return f;
}

export const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
