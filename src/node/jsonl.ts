/** Reads a JSON Lines file row by row (blank lines skipped), keeping 1-based line numbers. */
import { readFileSync, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { DataError } from '../errors.ts';

export function readJsonl<T>(path: string, parse: (file: string, line: number, raw: string) => T): T[] {
  const name = basename(path);
  if (!existsSync(path)) throw new DataError(name, 0, '(file)', `not found: ${path}`);
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw) out.push(parse(name, i + 1, raw));
  }
  return out;
}
