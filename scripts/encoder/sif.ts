/**
 * Smooth inverse frequency weights (Arora, Liang and Ma, "A simple but tough-to-beat baseline for
 * sentence embeddings", ICLR 2017): a word of probability p weighs a / (a + p), so that the words
 * every text has ("the", "with", "for") stop drowning out the words that say what the text is about.
 * The source lists its words most frequent first without counts, so p is read from the rank by
 * Zipf's law: p(rank r, from 1) = 1 / (r · H_N), H_N the N-th harmonic number.
 *
 * Baked into the table: a weighted row pooled by the encoder's plain mean is the SIF-weighted sum
 * divided by the token count, so neither the graph, nor the tokenizer, nor the fused kernel changes.
 */
export function sifWeights(rankOf: (word: string) => number, words: string[], sourceSize: number, a: number): Float32Array {
  if (!(a > 0)) throw new Error(`--sif: expected a positive weight a, got ${a}`);
  const H = Math.log(sourceSize) + 0.5772156649 + 1 / (2 * sourceSize);
  return Float32Array.from(words, (w) => {
    const r = rankOf(w);
    if (!(r >= 0)) throw new Error(`sifWeights: "${w}" has no rank in the source`);
    const p = 1 / ((r + 1) * H);
    return a / (a + p);
  });
}
