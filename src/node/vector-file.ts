/**
 * Text vectors computed offline by another encoder (scripts/encode-use-lite.ts), read as an Encoder
 * for training and evaluation in Node (`--text-vectors FILE`): `FILE.json` lists the texts, `FILE.bin`
 * holds their float32 vectors in that order. A text not in the file is an error naming it: the
 * vectors must cover the data they are used with.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Encoder } from './index.ts';
import { ConfigError } from '../errors.ts';

export interface VectorFileIndex {
  /** The encoder that made the vectors, e.g. `use-lite`. */
  name: string;
  dim: number;
  texts: string[];
}

export function vectorFileEncoder(path: string): Encoder {
  for (const f of [`${path}.json`, `${path}.bin`]) if (!existsSync(f)) throw new ConfigError('--text-vectors', `${f} not found (write it with scripts/encode-use-lite.ts)`);
  const index = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as VectorFileIndex;
  const bytes = readFileSync(`${path}.bin`);
  if (bytes.byteLength !== index.texts.length * index.dim * 4) throw new ConfigError('--text-vectors', `${path}.bin has ${bytes.byteLength} bytes; ${index.texts.length} texts of ${index.dim} floats need ${index.texts.length * index.dim * 4}`);
  const table = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const row = new Map(index.texts.map((t, i) => [t, i]));
  const id = `${index.name}@${createHash('sha256').update(bytes).update(JSON.stringify(index.texts)).digest('hex').slice(0, 16)}`;
  return {
    id,
    dim: index.dim,
    model: index.name,
    device: 'cpu',
    async encode(texts) {
      return texts.map((t) => {
        if (t === '') return new Float32Array(index.dim);
        const r = row.get(t);
        if (r === undefined) throw new ConfigError('--text-vectors', `${path} has no vector for the text ${JSON.stringify(t.slice(0, 60))}`);
        return table.slice(r * index.dim, (r + 1) * index.dim);
      });
    },
    async clearCache() {},
    async dispose() {},
  };
}
