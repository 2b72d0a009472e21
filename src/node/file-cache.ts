/**
 * Node's persistent text-vector cache: one append-only file per encoder id in a folder
 * (`<dir>/<encoder id>.vec`), read once into memory. A record is
 *   [u16 key length][key utf-8][u32 dim][dim x f32], little-endian.
 * A torn last record (a crash mid-write) is ignored on read and overwritten by the next append.
 */
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, truncateSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { VectorCache } from '../encoder/vector-cache.ts';

const fileFor = (dir: string, key: string) => join(dir, key.slice(0, key.lastIndexOf(':')).replace(/[^\w.@-]/g, '_') + '.vec');

function readRecords(path: string, into: Map<string, Float32Array>) {
  const buf = readFileSync(path);
  let o = 0;
  while (o + 2 <= buf.length) {
    const klen = buf.readUInt16LE(o);
    if (o + 2 + klen + 4 > buf.length) break;
    const key = buf.toString('utf8', o + 2, o + 2 + klen);
    const dim = buf.readUInt32LE(o + 2 + klen);
    const start = o + 2 + klen + 4;
    if (start + dim * 4 > buf.length) break;
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = buf.readFloatLE(start + j * 4);
    into.set(key, v);
    o = start + dim * 4;
  }
  if (o < buf.length) truncateSync(path, o);
}

function encodeRecord(key: string, v: Float32Array): Buffer {
  const k = Buffer.from(key, 'utf8');
  const b = Buffer.alloc(2 + k.length + 4 + v.length * 4);
  b.writeUInt16LE(k.length, 0);
  k.copy(b, 2);
  b.writeUInt32LE(v.length, 2 + k.length);
  v.forEach((x, j) => b.writeFloatLE(x, 2 + k.length + 4 + j * 4));
  return b;
}

export function createFileVectorCache(dir: string): VectorCache {
  const loaded = new Map<string, Map<string, Float32Array>>();
  const table = (key: string) => {
    const path = fileFor(dir, key);
    let t = loaded.get(path);
    if (!t) {
      t = new Map();
      if (existsSync(path)) readRecords(path, t);
      loaded.set(path, t);
    }
    return { path, t };
  };
  return {
    async getMany(keys) {
      return keys.map((k) => table(k).t.get(k));
    },
    async setMany(entries) {
      mkdirSync(dir, { recursive: true });
      const byFile = new Map<string, Buffer[]>();
      for (const [k, v] of entries) {
        const { path, t } = table(k);
        if (t.has(k)) continue;
        t.set(k, v);
        byFile.set(path, [...(byFile.get(path) ?? []), encodeRecord(k, v)]);
      }
      for (const [path, bufs] of byFile) appendFileSync(path, Buffer.concat(bufs));
    },
    async clear() {
      loaded.clear();
      if (!existsSync(dir)) return;
      for (const f of readdirSync(dir)) if (f.endsWith('.vec')) rmSync(join(dir, f));
    },
  };
}
