/**
 * The files of a static encoder in the Hugging Face / Transformers.js folder layout:
 * config.json, tokenizer.json, tokenizer_config.json and onnx/model_quantized.onnx.
 * Pure: the same words and vectors always give the same bytes.
 */
import { createHash } from 'node:crypto';
import { buildEncoderOnnx } from './onnx-model.ts';
import { quantizeRows, type Bits, type QuantizedTable } from './quantize.ts';

/** Special tokens first; their vectors are zero. [CLS] is prepended to every text so that an
 * empty text still has one token to pool (a zero vector) instead of a division by zero. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]'] as const;

export interface EncoderSpec {
  name: string;
  words: string[];
  /** words.length x dim, row-major, float32. */
  vectors: Float32Array;
  dim: number;
  /** Free-form provenance copied into config.json under kindling.source. */
  source: Record<string, string>;
  producerVersion: string;
  maxLength?: number;
  /** Bits per stored value: 4-6 (codes into a fitted codebook; 5 is the default) or 8 (int8). */
  bits?: Bits;
}

export interface EncoderFiles {
  files: Map<string, Uint8Array>;
  quantized: QuantizedTable;
  /** Token -> row of the table (special tokens included). */
  vocab: Map<string, number>;
  encoderId: string;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const json = (v: unknown) => utf8(JSON.stringify(v, null, 1) + '\n');

function tokenizerJson(vocab: Map<string, number>) {
  const special = (content: string, id: number) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((t, i) => special(t, i)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  };
}

export function buildEncoderFiles(spec: EncoderSpec): EncoderFiles {
  const { words, vectors, dim } = spec;
  if (vectors.length !== words.length * dim) throw new Error(`vectors: expected ${words.length}x${dim} values, got ${vectors.length}`);
  const vocab = new Map<string, number>();
  SPECIAL_TOKENS.forEach((t, i) => vocab.set(t, i));
  for (const w of words) {
    if (vocab.has(w)) throw new Error(`duplicate vocabulary word "${w}"`);
    vocab.set(w, vocab.size);
  }
  const rows = vocab.size;
  const table = new Float32Array(rows * dim);
  table.set(vectors, SPECIAL_TOKENS.length * dim);
  const quantized = quantizeRows(table, rows, dim, spec.bits ?? 5);

  const onnx = buildEncoderOnnx(quantized, spec.producerVersion);
  // One line: 30,000 vocabulary entries, indented, would be a quarter of the file.
  const tokenizer = utf8(JSON.stringify(tokenizerJson(vocab)) + '\n');
  const encoderId = `${spec.name}@${createHash('sha256').update(tokenizer).update(onnx).digest('hex').slice(0, 16)}`;
  const maxLength = spec.maxLength ?? 512;
  const config = {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: dim,
    vocab_size: rows,
    max_position_embeddings: maxLength,
    kindling: {
      encoder_id: encoderId,
      kind: 'static-word-vectors',
      pooling: 'mean',
      quantization:
        quantized.format === 'int8'
          ? 'int8, symmetric, one float32 scale per row, dequantised in the graph'
          : `${quantized.bits}-bit codes (two bit planes) into one fitted codebook of ${2 ** quantized.bits} float32 levels, times one float32 scale per row, dequantised in the graph`,
      source: spec.source,
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: maxLength,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    clean_up_tokenization_spaces: true,
  };
  const files = new Map<string, Uint8Array>([
    ['config.json', json(config)],
    ['tokenizer.json', tokenizer],
    ['tokenizer_config.json', json(tokenizerConfig)],
    ['onnx/model_quantized.onnx', onnx],
  ]);
  return { files, quantized, vocab, encoderId };
}
