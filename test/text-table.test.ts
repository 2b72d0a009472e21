/** The text table shared by training and the page: row 0 is "no text", each distinct text once. */
import { describe, expect, it } from 'vitest';
import { distinctTexts, encodeTextTable, textTable } from '../src/features/text-table.ts';
import { callTexts } from '../src/features/inputs.ts';

describe('the text table', () => {
  it('keeps each distinct non-empty text once, in first-seen order', () => {
    expect(distinctTexts(['b', '', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
  });

  it('puts text i in row i + 1 and gives an empty text the zero row', async () => {
    const t = await encodeTextTable(['x', '', 'y', 'x'], async (texts) => texts.map((s) => Float32Array.of(s.charCodeAt(0), 1)), 2);
    expect(t.rows).toBe(3);
    expect(Array.from(t.data)).toEqual([0, 0, 120, 1, 121, 1]);
    expect([t.row('x'), t.row('y'), t.row('')]).toEqual([1, 2, 0]);
  });

  it('refuses a text it does not hold, and vectors that do not match the texts', () => {
    const t = textTable(['a'], [Float32Array.of(1)], 1);
    expect(() => t.row('b')).toThrow('text not in the table: "b"');
    expect(() => textTable(['a', 'b'], [Float32Array.of(1)], 1)).toThrow('2 texts but 1 vectors');
  });

  it("holds a call's candidate texts, its query and its history texts (a search by its query)", () => {
    const texts = callTexts([{ id: 'a', text: 'tea' }, { id: 'b', text: '' }], { domain: 'd', query: 'green' }, [
      { item: 'q', domain: 'd', action: 'search', query: 'matcha', ts: 1 },
      { item: 'c', domain: 'd', action: 'click', text: 'tea', ts: 2 },
    ]);
    expect(texts).toEqual(['tea', 'green', 'matcha']);
  });
});
