import { ConfigError } from '../errors.ts';

/** What train, finetune and evaluate share: which events, how they are split and sampled. */
export interface DataOptions {
  /** A folder in the data contract (docs/DATA.md). */
  data: string;
  /** Earliest share of events that trains, when events carry no `split` (default 0.8). */
  trainFraction?: number;
  /** Negatives sampled per click from the same domain (default 0: the data's own negatives only). */
  negatives?: number;
  /** Seeds the sampling and the model's initial values (default 1). */
  seed?: number;
  /** Holds out the latest share of the training period to pick the epoch kept (train, finetune). */
  validFraction?: number;
  /**
   * With validFraction, what picks the epoch: 'auc' (the highest click AUC; the default) or
   * 'logloss' (the lowest click logloss, which stops earlier: it punishes confident scores that
   * still rank better).
   */
  validMetric?: ValidMetric;
  /**
   * With validFraction: train again on the whole training period for the epochs validation picked,
   * so the choice costs no events (src/train/refit.ts; train, finetune).
   */
  refit?: boolean;
  /** Only these domains' events are samples. */
  domains?: string[];
  /** These domains do not exist for the run: neither samples nor anyone's history. */
  excludeDomains?: string[];
  /** Text vectors computed offline (scripts/encode-use-lite.ts) instead of the shipped encoder. */
  textVectors?: string;
  /**
   * A models folder whose encoder/ holds the encoder to read the texts with (one built by
   * `npm run build:encoder -- --out DIR/encoder`), instead of the shipped models/.
   */
  models?: string;
}

/** What validation picks the epoch on (DataOptions.validMetric). */
export type ValidMetric = 'auc' | 'logloss';
export const VALID_METRICS: readonly ValidMetric[] = ['auc', 'logloss'];

export const DATA_DEFAULTS = { trainFraction: 0.8, negatives: 0, seed: 1 } as const;

/** `o` with `defaults` where it leaves a field out (undefined counts as left out). */
export function withDefaults<O extends object, D extends object>(defaults: D, o: O) {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Omit<O, keyof D> & { [K in keyof D]: K extends keyof O ? NonNullable<O[K]> : D[K] };
}

/**
 * Checks the numeric options a library caller gives (the CLI checks its flags the same way, by flag):
 * each [name, value, min, max, integer]; a bad one is a ConfigError naming the option.
 */
export function checkNumbers(rules: [string, number | undefined, number, number, boolean][]) {
  for (const [name, v, min, max, integer] of rules) {
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new ConfigError(name, `got ${String(v)}; expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
  }
}

/** checkNumbers for DataOptions, and its one choice. */
export function checkDataOptions(o: DataOptions) {
  checkNumbers([
    ['trainFraction', o.trainFraction, 0.01, 0.99, false],
    ['negatives', o.negatives, 0, 100, true],
    ['seed', o.seed, 0, 2 ** 31, true],
    ['validFraction', o.validFraction, 0.01, 0.5, false],
  ]);
  if (o.validMetric !== undefined && !VALID_METRICS.includes(o.validMetric)) throw new ConfigError('validMetric', `got ${JSON.stringify(o.validMetric)}; allowed: ${VALID_METRICS.join(', ')}`);
  if (o.validMetric !== undefined && o.validFraction === undefined) throw new ConfigError('validMetric', 'picks the epoch kept on the validation split: give validFraction (--valid) too');
  if (o.refit !== undefined && typeof o.refit !== 'boolean') throw new ConfigError('refit', `got ${JSON.stringify(o.refit)}; expected true or false`);
  if (o.refit && o.validFraction === undefined) throw new ConfigError('refit', 'trains again for the epochs picked on the validation split: give validFraction (--valid) too');
}

/** The domains whose events are samples: `domains`, else every domain of the events but `excludeDomains`. */
export const sampleDomains = (events: { domain: string }[], o: DataOptions): string[] =>
  o.domains ?? [...new Set(events.map((e) => e.domain))].filter((x) => !o.excludeDomains?.includes(x));

/** The data options with their defaults filled in. */
export const withDataDefaults = <T extends DataOptions>(o: T) => withDefaults(DATA_DEFAULTS, o);
