/**
 * What a reliability test tried and saw, for docs/RELIABILITY.md: each test writes one JSON file
 * under .cache/reliability/, and `npm run reliability` (scripts/reliability.ts) turns them into
 * the report. The assertions stay in the tests; this only records what they checked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPORT_DIR = process.env.KINDLING_RELIABILITY_DIR ?? '.cache/reliability';

export interface CaseReport {
  /** The heading the case belongs to, e.g. "Bad input". */
  group: string;
  case: string;
  /** What was tried, with counts. */
  tried: string;
  /** What happened. */
  happened: string;
  /** What became of the user's data. */
  lost: string;
}

export function reportCase(id: string, r: CaseReport): void {
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(join(REPORT_DIR, `${id.replace(/[^a-z0-9-]+/gi, '-')}.json`), JSON.stringify(r, null, 1) + '\n');
}
