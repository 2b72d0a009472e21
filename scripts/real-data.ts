/**
 * The real data the results scripts read (the development period of Amazon Reviews 2018, read in
 * place and never copied into the repository) and the protocol they share.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The data folder (REAL_DATA, else ../shared/data/amazon18-industrial-office); stops `script` with exit code 2 where it is absent. */
export function realDataDir(script: string): string {
  const dir = resolve(process.env.REAL_DATA ?? '../shared/data/amazon18-industrial-office');
  if (!existsSync(join(dir, 'SOURCE.md'))) {
    console.error(`${script}: the real data is not at ${dir} (expected the development split of Amazon Reviews 2018 with its SOURCE.md).\nSet REAL_DATA=DIR to point at it; nothing was run.`);
    process.exit(2);
  }
  return dir;
}

/** The protocol: 3 epochs, 4 same-domain negatives per positive; the cold-start domain gets its first 2,000 events. */
export const PROTOCOL = { epochs: '3', negatives: '4', cold: 'Industrial_and_Scientific', warm: 'Office_Products', coldEvents: '2000' } as const;
