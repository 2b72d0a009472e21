/**
 * A text file's lines, read a block at a time (the file is never whole in memory), with their
 * 1-based line numbers; trimmed, blank lines skipped.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export function* readLines(path: string, blockBytes = 1 << 20): Generator<[line: number, text: string]> {
  const fd = openSync(path, 'r');
  try {
    const block = Buffer.alloc(blockBytes);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let line = 0;
    for (;;) {
      const n = readSync(fd, block, 0, blockBytes, null);
      const text = n ? rest + decoder.write(block.subarray(0, n)) : rest + decoder.end();
      const parts = text.split('\n');
      rest = n ? parts.pop()! : '';
      for (const raw of parts) {
        line++;
        const t = raw.trim();
        if (t) yield [line, t];
      }
      if (!n) return;
    }
  } finally {
    closeSync(fd);
  }
}
