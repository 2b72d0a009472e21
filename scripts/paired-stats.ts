/**
 * The statistics the results scripts report: a mean with its standard error over seeds, and a
 * difference paired per seed (mean, standard error, seeds ahead, every seed's value).
 */
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Standard error of the mean (NaN for fewer than 2 values). */
export const se = (xs: number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length) : NaN);
export const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

export interface Paired {
  mean: number;
  se: number;
  /** Seeds where a is ahead of b. */
  ahead: number;
  n: number;
  all: number[];
}

/** a − b per seed, over the seeds both have (a seed missing from b is an error: nothing is paired silently). */
export function pairedBySeed(a: Map<number, number>, b: Map<number, number>): Paired {
  const d = [...a].map(([seed, x]) => {
    const y = b.get(seed);
    if (y === undefined) throw new Error(`paired: seed ${seed} is missing from the other side`);
    return x - y;
  });
  return { mean: mean(d), se: se(d), ahead: d.filter((x) => x > 0).length, n: d.length, all: d };
}

/** A paired difference as table cells: mean | standard error | seeds ahead | per seed. */
export const pairedCells = (p: Paired) => `${sign(p.mean)} | ${p.se.toFixed(4)} | ${p.ahead} of ${p.n} | ${p.all.map(sign).join(', ')}`;
