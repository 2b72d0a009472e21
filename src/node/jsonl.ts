/** Reads a JSON Lines file row by row (blank lines skipped), keeping 1-based line numbers. */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { DataError } from '../errors.ts';
import { readLines } from './lines.ts';

export function readJsonl<T>(path: string, parse: (file: string, line: number, raw: string) => T): T[] {
  const name = basename(path);
  if (!existsSync(path)) throw new DataError(name, 0, '(file)', `not found: ${path}`);
  const out: T[] = [];
  for (const [line, raw] of readLines(path)) out.push(parse(name, line, raw));
  return out;
}
