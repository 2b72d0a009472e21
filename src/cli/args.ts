/**
 * What every command of the CLI shares: its shape (flags, usage, what it runs), and argument
 * helpers whose every bad value names its flag (UsageError, exit code 2).
 */
import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from '../errors.ts';
import { VALID_METRICS, type DataOptions } from '../train/data-options.ts';

export class UsageError extends ConfigError {}

export type Values = Record<string, string | boolean | undefined>;

export interface Command {
  /** Its lines of the usage text. */
  usage: string;
  /** Its flags: any other is an error. */
  options: NonNullable<ParseArgsConfig['options']>;
  /** Whether it takes positional arguments (import's source). */
  positionals?: boolean;
  /** Whether it runs TF.js (main sets up the training backend first). */
  usesTf?: boolean;
  run(values: Values, positionals: string[]): Promise<unknown>;
}

const string = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
/** Flags as parseArgs options: the names of string flags, then of boolean ones. */
export const flags = (strings: string[], booleans: string[] = []) => Object.fromEntries([...strings.map((s) => [s, string] as const), ...booleans.map((b) => [b, flag] as const)]);

/** The flags of DataOptions, shared by train, finetune and eval (train and finetune add --valid). */
export const DATA_FLAGS = flags(['split', 'negatives', 'seed', 'domains', 'exclude-domains', 'text-vectors', 'models']);
export const DATA_USAGE = '[--split time:0.8] [--negatives K] [--seed S] [--domains a,b] [--exclude-domains c] [--text-vectors FILE] [--models DIR]';

/** A number flag, or undefined when absent (the library's default then applies). */
export function optNum(flag: string, v: string | boolean | undefined, min: number, max: number, integer = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag}`, `got ${JSON.stringify(v)}; expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

export function num(flag: string, v: string | undefined, dflt: number, min: number, max: number, integer = true): number {
  return optNum(flag, v, min, max, integer) ?? dflt;
}

/** A choice flag, or undefined when absent. */
export function optChoice<T extends string>(flag: string, v: string | boolean | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${flag}`, `got ${JSON.stringify(v)}; allowed: ${allowed.join(', ')}`);
  return v as T;
}

export function required(flag: string, v: string | boolean | undefined): string {
  if (!v || typeof v !== 'string') throw new UsageError(`--${flag}`, 'is required');
  return v;
}

/** `time:0.8` (earliest 80% train). Events that carry "split" override it. */
export function splitSpec(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^time:(0?\.\d+|1(\.0*)?|0)$/.exec(v);
  const f = m ? Number(m[1]) : NaN;
  if (!(f > 0 && f < 1)) throw new UsageError('--split', `got ${JSON.stringify(v)}; expected time:F with 0 < F < 1, e.g. time:0.8`);
  return f;
}

export const list = (v: string | boolean | undefined) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/** DATA_FLAGS as DataOptions (absent flags stay undefined). */
export function dataOptions(a: Values, data: string): DataOptions {
  if (a['valid-metric'] !== undefined && a.valid === undefined) throw new UsageError('--valid-metric', 'picks the epoch kept on the validation split: give --valid F too');
  if (a.refit && a.valid === undefined) throw new UsageError('--refit', 'trains again for the epochs picked on the validation split: give --valid F too');
  if (a.refit && a.resume) throw new UsageError('--refit', 'cannot resume a refit (it is two runs); leave out --resume or --refit');
  return {
    data,
    trainFraction: splitSpec(a.split as string | undefined),
    negatives: optNum('negatives', a.negatives, 0, 100),
    seed: optNum('seed', a.seed, 0, 2 ** 31),
    validFraction: optNum('valid', a.valid, 0.01, 0.5, false),
    validMetric: optChoice('valid-metric', a['valid-metric'], VALID_METRICS),
    refit: a.refit ? true : undefined,
    domains: list(a.domains),
    excludeDomains: list(a['exclude-domains']),
    textVectors: a['text-vectors'] as string | undefined,
    models: a.models as string | undefined,
  };
}
