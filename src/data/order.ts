/** The one order events are read in, everywhere: by time, then by line in events.jsonl. */
import type { EventRow } from './schema.ts';

export const byTime = (a: EventRow, b: EventRow) => a.ts - b.ts || a.line - b.line;
export const sortedByTime = (events: EventRow[]) => [...events].sort(byTime);
