/**
 * A results document whose tables a script writes and whose reading a person writes: docs/X.md is the
 * script's text followed by docs/X.reading.md (kept by hand, appended as it is, when it exists).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function writeWithReading(path: string, md: string): void {
  const reading = path.replace(/\.md$/, '.reading.md');
  writeFileSync(path, md + (existsSync(reading) ? `\n${readFileSync(reading, 'utf8')}` : ''));
}
