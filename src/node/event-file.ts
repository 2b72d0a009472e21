/**
 * events.jsonl as a stream in the one order everything reads events in, (ts, line), for data sets
 * too big to hold: each pass reads the file afresh, a block at a time. The first pass checks every
 * row (a bad one stops with `events.jsonl:line: field: problem`) and counts; a file that is not
 * already in time order is sorted once, outside memory (sorted runs of at most `runEvents` rows,
 * merged into a temporary file), so memory stays bounded by the run size, whatever the file's.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DataError } from '../errors.ts';
import { parseEvent, type EventRow, type ItemRow } from '../data/schema.ts';
import { readLines } from './lines.ts';

export interface EventFile {
  /** Each domain's number of events, in order of first appearance in the file. */
  domains: Map<string, number>;
  /** Domains some of whose events name their split. */
  namedSplit: Set<string>;
  /** Whether the file had to be sorted (it was not in time order). */
  sorted: boolean;
  /** A pass over every event, in (ts, line) order. */
  events(): Generator<EventRow>;
  /** Where the sorted copy is, if one was made. */
  dir?: string;
  /** Removes the sorted copy, if one was made. */
  close(): void;
}

export interface EventFileOptions {
  /** Rows per sorted run when the file is out of order (default 100,000). */
  runEvents?: number;
}

export function openEventFile(path: string, items: Map<string, ItemRow>, o: EventFileOptions = {}): EventFile {
  const name = basename(path);
  if (!existsSync(path)) throw new DataError(name, 0, '(file)', `not found: ${path}`);
  const domains = new Map<string, number>();
  const namedSplit = new Set<string>();
  let inOrder = true;
  let lastTs = -Infinity;
  for (const [line, raw] of readLines(path)) {
    const e = parseEvent(name, line, raw);
    if (!items.has(e.item)) throw new DataError(name, line, 'item', `unknown item ${JSON.stringify(e.item)} (not in items.jsonl)`);
    domains.set(e.domain, (domains.get(e.domain) ?? 0) + 1);
    if (e.split) namedSplit.add(e.domain);
    if (e.ts < lastTs) inOrder = false;
    lastTs = e.ts;
  }
  if (inOrder) {
    return {
      domains,
      namedSplit,
      sorted: false,
      *events() {
        for (const [line, raw] of readLines(path)) yield parseEvent(name, line, raw);
      },
      close() {},
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kindling-events-'));
  try {
    const sortedPath = sortOutOfMemory(path, dir, o.runEvents ?? 100_000);
    return {
      domains,
      namedSplit,
      sorted: true,
      dir,
      *events() {
        for (const [, text] of readLines(sortedPath)) {
          const tab = text.indexOf('\t');
          yield parseEvent(name, Number(text.slice(0, tab)), text.slice(tab + 1));
        }
      },
      close: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

interface Keyed {
  ts: number;
  line: number;
  text: string;
}

const before = (a: Keyed, b: Keyed) => a.ts < b.ts || (a.ts === b.ts && a.line < b.line);
const tsOf = (raw: string) => (JSON.parse(raw) as { ts: number }).ts;

/** Sorted runs, then a k-way merge (a binary heap over the runs' heads); each line is `line<TAB>row`. */
function sortOutOfMemory(path: string, dir: string, runEvents: number): string {
  const runs: string[] = [];
  let run: Keyed[] = [];
  const flush = () => {
    run.sort((a, b) => a.ts - b.ts || a.line - b.line);
    const file = join(dir, `run-${runs.length}.tsv`);
    writeFileSync(file, run.map((r) => `${r.line}\t${r.text}\n`).join(''));
    runs.push(file);
    run = [];
  };
  for (const [line, text] of readLines(path)) {
    run.push({ ts: tsOf(text), line, text });
    if (run.length >= runEvents) flush();
  }
  if (run.length) flush();

  const readers = runs.map((f) => readLines(f));
  const head = (k: number): (Keyed & { run: number }) | undefined => {
    const r = readers[k].next();
    if (r.done) return undefined;
    const text = r.value[1];
    const tab = text.indexOf('\t');
    const raw = text.slice(tab + 1);
    return { ts: tsOf(raw), line: Number(text.slice(0, tab)), text, run: k };
  };
  const heap: (Keyed & { run: number })[] = [];
  const push = (x: Keyed & { run: number }) => {
    heap.push(x);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  readers.forEach((_, k) => {
    const h = head(k);
    if (h) push(h);
  });
  const out = join(dir, 'sorted.tsv');
  const fd = openSync(out, 'w');
  try {
    let buf: string[] = [];
    while (heap.length) {
      const x = pop();
      buf.push(x.text, '\n');
      if (buf.length >= 20_000) {
        writeSync(fd, buf.join(''));
        buf = [];
      }
      const next = head(x.run);
      if (next) push(next);
    }
    writeSync(fd, buf.join(''));
  } finally {
    closeSync(fd);
  }
  for (const f of runs) rmSync(f);
  return out;
}
