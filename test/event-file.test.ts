/**
 * events.jsonl as a stream: every pass yields the events in (ts, line) order, as the in-memory
 * pipeline sorts them, whether the file was in order or not (then it is sorted outside memory, in
 * runs); bad rows are named; lines are read across block boundaries, multi-byte characters too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sortedByTime } from '../src/data/order.ts';
import { parseEvent, type ItemRow } from '../src/data/schema.ts';
import { openEventFile } from '../src/node/event-file.ts';
import { readJsonl } from '../src/node/jsonl.ts';
import { readLines } from '../src/node/lines.ts';
import { mulberry32, randInt } from '../src/util/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-event-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const items = new Map<string, ItemRow>(['a', 'b', 'c'].map((id) => [id, { id, text: `item ${id}` }]));
const rand = mulberry32(5);
/** 500 events with many equal times (ties are broken by line), some blank lines, a query with multi-byte text. */
const rows = Array.from({ length: 500 }, (_, i) => JSON.stringify({ user: `u${i % 7}`, ts: randInt(rand, 60), domain: i % 3 ? 'd1' : 'd2', item: 'abc'[i % 3], label: i % 2, ...(i % 11 ? {} : { query: `café ☕ ${i}` }) }));
const write = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
};

describe('openEventFile', () => {
  it('streams an out-of-order file in (ts, line) order through sorted runs, and cleans up', () => {
    const path = write('shuffled.jsonl', rows.flatMap((r, i) => (i % 50 === 0 ? ['', r] : [r])));
    const expected = sortedByTime(readJsonl(path, parseEvent));
    const f = openEventFile(path, items, { runEvents: 37 });
    expect(f.sorted).toBe(true);
    expect([...f.events()]).toEqual(expected);
    expect([...f.events()]).toEqual(expected); // every pass reads afresh
    expect([...f.domains]).toEqual([['d2', 167], ['d1', 333]]);
    expect(existsSync(f.dir!)).toBe(true);
    f.close();
    expect(existsSync(f.dir!)).toBe(false);
  });

  it('reads a file already in order as it is, with no copy', () => {
    const inOrder = sortedByTime(rows.map((r, i) => parseEvent('x', i + 1, r))).map(({ line, ...e }) => JSON.stringify(e));
    const path = write('ordered.jsonl', inOrder);
    const f = openEventFile(path, items);
    expect(f.sorted).toBe(false);
    expect([...f.events()]).toEqual(readJsonl(path, parseEvent));
    f.close();
  });

  it('names a bad row by file, line and field before any pass', () => {
    const bad = write('bad.jsonl', [rows[0], rows[1], '{"user":"u","ts":"soon","domain":"d","item":"a","label":1}']);
    expect(() => openEventFile(bad, items)).toThrow('bad.jsonl:3: ts: expected a finite number, got "soon"');
    const unknown = write('unknown.jsonl', [rows[0], '{"user":"u","ts":1,"domain":"d","item":"zz","label":1}']);
    expect(() => openEventFile(unknown, items)).toThrow('unknown.jsonl:2: item: unknown item "zz"');
    expect(() => openEventFile(join(dir, 'none.jsonl'), items)).toThrow('none.jsonl:0: (file): not found');
  });
});

describe('readLines', () => {
  it('gives the lines of a split file, numbered, across tiny blocks and multi-byte characters', () => {
    const text = ['{"a":"é☕"}', '', '  x  ', 'ü'.repeat(30), '', 'last'].join('\n');
    const path = join(dir, 'lines.txt');
    writeFileSync(path, text);
    const expected = text.split('\n').map((l, i) => [i + 1, l.trim()] as [number, string]).filter(([, l]) => l);
    for (const block of [1, 2, 3, 5, 64, 1 << 20]) expect([...readLines(path, block)], `block ${block}`).toEqual(expected);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});
