/** Offline text vectors (`--text-vectors FILE`): read back exactly, and every misuse named. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vectorFileEncoder } from '../src/node/vector-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-vectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function write(name: string, texts: string[], values: number[], dim = 2) {
  const path = join(dir, name);
  writeFileSync(`${path}.json`, JSON.stringify({ name: 'test-enc', dim, texts }));
  writeFileSync(`${path}.bin`, new Uint8Array(new Float32Array(values).buffer));
  return path;
}

describe('vectorFileEncoder', () => {
  it('gives each text its row, the zero vector for empty text, and an id that follows the content', async () => {
    const e = vectorFileEncoder(write('a', ['glue', 'nut'], [1, 2, 3, 4]));
    expect(e.dim).toBe(2);
    expect(e.id).toMatch(/^test-enc@[0-9a-f]{16}$/);
    expect((await e.encode(['nut', '', 'glue'])).map((v) => Array.from(v))).toEqual([[3, 4], [0, 0], [1, 2]]);
    expect(vectorFileEncoder(write('b', ['glue', 'nut'], [1, 2, 3, 5])).id).not.toBe(e.id);
  });

  it('names a text it has no vector for, a missing file, and a file of the wrong size', async () => {
    const e = vectorFileEncoder(write('c', ['glue'], [1, 2]));
    await expect(e.encode(['bolt'])).rejects.toThrow('--text-vectors: ' + join(dir, 'c') + ' has no vector for the text "bolt"');
    expect(() => vectorFileEncoder(join(dir, 'none'))).toThrow(/--text-vectors: .*none\.json not found/);
    expect(() => vectorFileEncoder(write('d', ['glue', 'nut'], [1, 2, 3]))).toThrow(/d\.bin has 12 bytes; 2 texts of 2 floats need 16/);
  });
});
