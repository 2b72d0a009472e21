/**
 * Decoupled weight decay (config.embDecay) leaves a row that no sample reaches at exactly its
 * starting value × (1 − lr·λ)^steps: Adam moves a row with no gradient by nothing.
 */
import { expect } from 'vitest';

/** Rows of `after` [rows × width] equal to `start` × factor, each value within a relative 1e-4. */
export function rowsScaledBy(after: Float32Array, start: Float32Array, width: number, factor: number): number {
  let n = 0;
  for (let r = 0; r < after.length / width; r++) {
    let same = true;
    for (let j = r * width; j < (r + 1) * width && same; j++) same = Math.abs(after[j] - start[j] * factor) <= 1e-4 * Math.abs(start[j] * factor) + 1e-12;
    if (same) n++;
  }
  return n;
}

/**
 * The ID table after `steps` steps at learning rate `lr` with embDecay `lambda`: most rows (those
 * no sample reaches) are their start × (1 − lr·λ)^steps, none is one step more or less decayed,
 * and the rows samples reach learnt something else.
 */
export function expectDecayed(after: Float32Array, start: Float32Array, width: number, lr: number, lambda: number, steps: number) {
  const rows = after.length / width;
  const at = (k: number) => rowsScaledBy(after, start, width, (1 - lr * lambda) ** k);
  const untouched = at(steps);
  expect(untouched, `rows at start × (1 − lr·λ)^${steps}`).toBeGreaterThan(0.5 * rows);
  expect(untouched).toBeLessThan(rows);
  if (steps > 1) expect(at(steps - 1)).toBe(0);
  expect(at(steps + 1)).toBe(0);
}
