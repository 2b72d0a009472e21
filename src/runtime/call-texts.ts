/**
 * A call's text table. Encoded by the encoder; or, for the fused kernel with the static encoder
 * (`pool`), the texts the vector caches hold as vectors and the rest as token ids, for the kernel's
 * text pass to look up and pool (their rows stay zero here).
 */
import type { Encoder, WordPooling } from '../encoder/encoder.ts';
import type { RowTokens } from '../gpu/fused-ranker.ts';
import { textTable, type TextTable } from '../features/text-table.ts';

export interface CallTexts {
  table: TextTable;
  /** With `pool` and a text no cache holds: the token ids of each table row (rows with a vector have none). */
  tokens?: RowTokens;
  /** The texts `tokens` carries, in row order: the kernel pools their vectors. */
  pooled: string[];
}

/** `texts`: the call's distinct non-empty texts (text i is table row i + 1). `readsText`: false for a model blind to text (no vector is needed). */
export async function callTextInputs(texts: string[], encoder: Encoder, dim: number, pool: WordPooling | undefined, readsText: boolean): Promise<CallTexts> {
  if (!readsText && pool) {
    const zero = new Float32Array(dim);
    return { table: textTable(texts, texts.map(() => zero), dim), pooled: [] };
  }
  if (!pool) return { table: textTable(texts, await encoder.encode(texts), dim), pooled: [] };
  const cached = await pool.cached(texts);
  const todo = texts.flatMap((_, i) => (cached[i] ? [] : [i]));
  const zero = new Float32Array(dim);
  const table = textTable(texts, cached.map((v) => v ?? zero), dim);
  // A call whose texts are all cached passes no tokens (the kernel's text pass without pooling).
  if (!todo.length) return { table, pooled: [] };
  const pooled = todo.map((i) => texts[i]);
  const tokens = pool.tokenize(pooled);
  // todo is in row order, so the ids already are: only the offsets need spreading over the table's rows.
  const offsets = new Int32Array(table.rows + 1);
  const count = new Int32Array(table.rows);
  todo.forEach((i, m) => (count[i + 1] = tokens.offsets[m + 1] - tokens.offsets[m]));
  for (let r = 0; r < table.rows; r++) offsets[r + 1] = offsets[r] + count[r];
  return { table, tokens: { ids: tokens.ids, offsets }, pooled };
}
