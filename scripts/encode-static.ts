/**
 * Encodes every text of a data folder (item texts and queries) with a static encoder folder, for
 * `kindling train --text-vectors FILE` (src/node/vector-file.ts): a way to compare two builds of the
 * word-vector table (e.g. int8 and 4-bit) on the same data without changing what ships.
 *
 *   tsx scripts/encode-static.ts --data DIR --models DIR [--model kindling-glove-100d] --out FILE
 *
 * `--models DIR` holds `encoder/<model>/` (a build: `npm run build:encoder -- --bits 8 --out DIR/encoder`).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createEncoder } from '../src/node/index.ts';
import { readDataSet } from '../src/node/pipeline.ts';
import type { VectorFileIndex } from '../src/node/vector-file.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, models: { type: 'string' }, model: { type: 'string', default: 'kindling-glove-100d' }, out: { type: 'string' } }, strict: true });
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
const table = new Float32Array(list.length * encoder.dim);
(await encoder.encode(list)).forEach((v, i) => table.set(v, i * encoder.dim));
writeFileSync(`${values.out}.bin`, new Uint8Array(table.buffer));
const index: VectorFileIndex = { name: encoder.id, dim: encoder.dim, texts: list };
writeFileSync(`${values.out}.json`, JSON.stringify(index) + '\n');
console.error(`wrote ${list.length} vectors of ${encoder.dim} (${encoder.id}) to ${values.out}.bin`);
await encoder.dispose();
