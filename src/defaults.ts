/**
 * The page-side library's defaults, in one place: the encoder, its caches and createRecommender's
 * options. The ranking network's own are DEFAULT_RANKER (src/model/config.ts); training's are
 * DATA_DEFAULTS, TRAIN_DEFAULTS and FINETUNE_DEFAULTS (src/train/).
 */

/** The shipped encoder's folder name under `<modelBase>/encoder/`. */
export const DEFAULT_ENCODER = 'kindling-glove-100d';

/** Texts per call into the encoder model. */
export const DEFAULT_ENCODE_BATCH = 32;

/**
 * Characters of a text that are read. The encoders read at most 512 tokens, and a token is
 * rarely under 2 characters with its separator, so nothing meaningful is lost, while a
 * megabyte of text cannot stall the tokenizer.
 */
export const DEFAULT_MAX_TEXT_CHARS = 8192;

/** createRecommender: how much a query's relevance weighs against the click probability. */
export const DEFAULT_RELEVANCE_WEIGHT = 0.5;

/** createRecommender: behaviour events kept in the user's browser (the oldest go first). */
export const DEFAULT_HISTORY_LIMIT = 200;

/** Text vectors kept in memory in front of the persistent cache. */
export const DEFAULT_MEMORY_CACHE_ENTRIES = 10_000;

/** IndexedDB names of the text-vector cache (a database of its own, see idb-keyval createStore). */
export const VECTOR_DB = 'kindling-vectors';
export const VECTOR_STORE = 'vectors';

export const ENCODER_DEVICES = ['auto', 'webgpu', 'wasm', 'cpu', 'js'] as const;
export const ENCODER_DTYPES = ['q8', 'fp32', 'fp16', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;

/**
 * Where the shipped models and ONNX Runtime's files sit, relative to this module: `/src/` in
 * development and the library's folder in `dist/` both sit next to `models/` and `ort/`.
 * (Held in variables so bundlers do not try to treat the folders as assets.)
 */
const MODELS_DIR = '../models/';
const ORT_DIR = '../ort/';
export const defaultModelBase = (): URL => new URL(MODELS_DIR, import.meta.url);
export const defaultOrtBase = (): URL => new URL(ORT_DIR, import.meta.url);
