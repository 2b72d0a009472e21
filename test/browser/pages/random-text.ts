// Seeded random phrases for the browser tests that compare two backends on generated candidates.
import { mulberry32 } from '../../../src/util/random.ts';

/** A seeded generator: rand() in [0, 1), pick(xs), and phrase(): 1–4 words from `words`. */
export function randomText(seed: number, words: readonly string[]) {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const phrase = () => Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(words)).join(' ');
  return { rand, pick, phrase };
}
