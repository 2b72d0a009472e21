/**
 * Vocabulary for the static encoder. A word can only ever be looked up if the tokenizer
 * (BERT normaliser + BERT pre-tokenizer) produces it as one piece, so words with punctuation
 * inside are left out: they would be split before the lookup.
 */

// BERT's notion of punctuation: every ASCII symbol, plus Unicode punctuation (P*). Emoji and
// other symbols (S*) are not punctuation, so "🍕🍕" stays one (unknown) word.
const PUNCT = /[!-/:-@[-`{-~]|\p{P}/u;
const CJK = /[\u4E00-\u9FFF\u3400-\u4DBF\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\uF900-\uFAFF\u{2F800}-\u{2FA1F}]/gu;

/** The tokens a BERT basic tokenizer (clean text, split CJK, lower-case, strip accents, split punctuation) makes of a text. */
export function basicTokenize(text: string): string[] {
  const cleaned = text
    .replace(/[\u0000\uFFFD]|\p{C}/gu, (c) => (c === '\t' || c === '\n' || c === '\r' ? ' ' : ''))
    .replace(CJK, (c) => ` ${c} `)
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '');
  const out: string[] = [];
  for (const word of cleaned.split(/\s+/u)) {
    let cur = '';
    for (const ch of word) {
      if (PUNCT.test(ch)) {
        if (cur) out.push(cur);
        out.push(ch);
        cur = '';
      } else cur += ch;
    }
    if (cur) out.push(cur);
  }
  return out;
}

const SINGLE_PIECE = /^[\p{L}\p{N}]+$/u;

/** True when the tokenizer keeps `word` whole and unchanged, so a vocabulary entry can match it. */
export function isSinglePiece(word: string): boolean {
  if (!SINGLE_PIECE.test(word)) return false;
  const t = basicTokenize(word);
  return t.length === 1 && t[0] === word;
}

export interface VocabularyChoice {
  /** Chosen words, most frequent first, then the extra words in source frequency order. */
  words: string[];
  /** Extra words the source has no vector for (they will tokenize to [UNK]). */
  missing: string[];
}

/**
 * The `top` most frequent single-piece words of `ranked` (most frequent first), plus every
 * word of `extra` that has a vector, so the project's own data never meets [UNK] needlessly.
 */
export function chooseVocabulary(ranked: string[], hasVector: (w: string) => boolean, top: number, extra: Iterable<string>): VocabularyChoice {
  const words: string[] = [];
  const chosen = new Set<string>();
  for (const w of ranked) {
    if (words.length >= top) break;
    if (isSinglePiece(w) && hasVector(w)) {
      words.push(w);
      chosen.add(w);
    }
  }
  const wanted = new Set<string>();
  for (const w of extra) if (!chosen.has(w) && isSinglePiece(w)) wanted.add(w);
  // Keep the source's frequency order for the extra words too, so the output does not depend
  // on the order the data files were read in.
  const rank = new Map<string, number>();
  for (let i = 0; i < ranked.length; i++) if (wanted.has(ranked[i]) && !rank.has(ranked[i])) rank.set(ranked[i], i);
  const present = [...wanted].filter((w) => rank.has(w) && hasVector(w)).sort((a, b) => rank.get(a)! - rank.get(b)!);
  const missing = [...wanted].filter((w) => !rank.has(w) || !hasVector(w)).sort();
  words.push(...present);
  return { words, missing };
}

/** Every string value inside a parsed JSON document, depth first. */
export function jsonStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) jsonStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) jsonStrings(v, out);
  return out;
}
