import { describe, expect, it } from 'vitest';
import type { EventRow } from '../src/data/schema.ts';
import { historySignals, sequenceSignals } from '../scripts/history-signals.ts';

let line = 0;
const click = (user: string, ts: number, item: string): EventRow => ({ user, ts, domain: 'd', item, label: 1, line: ++line });
const negative = (user: string, ts: number, item: string): EventRow => ({ user, ts, domain: 'd', item, label: 0, line: 0 });

describe('historySignals (results:blend diagnostic)', () => {
  // Training: u1 and u2 both clicked a and b; u2 also c. Test: u3 clicks a then is shown b, c, d; u1 clicks a again.
  const train = [click('u1', 1, 'a'), click('u1', 2, 'b'), click('u2', 3, 'a'), click('u2', 4, 'b'), click('u2', 5, 'c'), click('u2', 6, 'b')];
  const later = [click('u3', 10, 'a'), click('u3', 11, 'b'), click('u1', 12, 'a')];
  const all = [...train, ...later];
  const samples = [
    later[1], negative('u3', 11, 'c'), negative('u3', 11, 'd'), negative('u3', 11, 'a'),
    later[2], negative('u1', 12, 'c'),
  ];

  it('counts the training users who clicked both, over the clicks strictly before the sample, and marks repeats', () => {
    const s = historySignals(all, train, samples, 50);
    // u3 has clicked a (ts 10) before ts 11: c(a,b) = 2 users, c(a,c) = 1, c(a,d) = 0; a itself is a repeat, c(a,a) not counted.
    expect(Array.from(s.cooc.slice(0, 4))).toEqual([Math.log1p(2), Math.log1p(1), 0, 0].map(Math.fround));
    expect(Array.from(s.repeat.slice(0, 4))).toEqual([0, 0, 0, 1]);
    // u1 before ts 12: a and b (training). Candidate a: repeat, c(b,a) = 2; candidate c: c(a,c) + c(b,c) = 1 + 1.
    expect(Array.from(s.repeat.slice(4))).toEqual([1, 0]);
    expect(Array.from(s.cooc.slice(4))).toEqual([Math.log1p(2), Math.log1p(2)].map(Math.fround));
  });

  it('reads only the last historyLength clicks, and only the training split for co-occurrence', () => {
    const s = historySignals(all, train, samples, 1);
    // u1's last click before 12 is b: c(b,a) = 2, c(b,c) = 1; a is no longer in the window, so no repeat.
    expect(Array.from(s.repeat.slice(4))).toEqual([0, 0]);
    expect(Array.from(s.cooc.slice(4))).toEqual([Math.log1p(2), Math.log1p(1)].map(Math.fround));
    // With no training events there is nothing to count, but repeats still come from the histories.
    const none = historySignals(all, [], samples, 50);
    expect(Array.from(none.cooc).every((x) => x === 0)).toBe(true);
    expect(Array.from(none.repeat)).toEqual([0, 0, 0, 1, 1, 0]);
  });
});

describe('sequenceSignals (results:signals diagnostic)', () => {
  // Training: u1 a→b→c, u2 a→c→b, u4 b→a. Test: u3 clicked a, then b (both later), shown candidates at ts 12.
  const train = [click('u1', 1, 'a'), click('u1', 2, 'b'), click('u1', 3, 'c'), click('u2', 4, 'a'), click('u2', 5, 'c'), click('u2', 6, 'b'), click('u4', 7, 'b'), click('u4', 8, 'a')];
  const later = [click('u3', 10, 'a'), click('u3', 11, 'b'), click('u3', 12, 'c')];
  const samples = [later[2], negative('u3', 12, 'a'), negative('u3', 12, 'd')];

  it('counts directed transitions from the last click (next) and the last 3 within 3 clicks (near), once per user', () => {
    const s = sequenceSignals([...train, ...later], train, samples, 50);
    // Last click before 12 is b. b→c right after: u1 only (u2 has c→b); b→a right after: u4. d: never.
    expect(Array.from(s.next)).toEqual([Math.log1p(1), Math.log1p(1), 0].map(Math.fround));
    // Window a, b. near(a→c) = u1, u2; near(b→c) = u1 → 3; candidate a: near(b→a) = u4 (a itself not counted) → 1.
    expect(Array.from(s.near)).toEqual([Math.log1p(3), Math.log1p(1), 0].map(Math.fround));
  });

  it("divides co-occurrence by the items' click counts (cosine), and is 0 for an item with no training clicks", () => {
    const s = sequenceSignals([...train, ...later], train, samples, 50);
    // clicks: a 3, b 3, c 2. c(a,c) = 2, c(b,c) = 2 → 2/√(2·3) · 2; candidate a: c(b,a) = 3 → 3/√(3·3) = 1.
    expect(s.cosine[0]).toBeCloseTo((2 / Math.sqrt(6)) * 2, 6);
    expect(s.cosine[1]).toBeCloseTo(1, 6);
    expect(s.cosine[2]).toBe(0);
  });
});
