/** Seeded sample phrases for measuring the encoder's quantisation error. */
import { mulberry32, randInt } from '../../src/util/random.ts';

/** `n` phrases of 1 to 6 words drawn from `words`, favouring frequent words (rank^-0.5-ish). */
export function samplePhrases(words: string[], n: number, seed: number): string[] {
  const rand = mulberry32(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 1 + randInt(rand, 6);
    const phrase: string[] = [];
    for (let k = 0; k < len; k++) {
      // Squaring a uniform draw skews towards the head of the frequency list, as real text does.
      const r = rand();
      phrase.push(words[Math.floor(r * r * words.length)]);
    }
    out.push(phrase.join(' '));
  }
  return out;
}
