/**
 * The saved ranker: `model.json` (TF.js weights manifest + Kindling's manifest) and
 * `weights.bin` (TF.js weight encoding). Decoding checks the schema version, every tensor's
 * name and shape against the config, and the weights file's SHA-256, naming the file at fault.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from '../errors.ts';
import { checkHistoryMatch } from './history-match.ts';
import type { RankerConfig } from './config.ts';
import { disposeParams, paramSpecs, type Params } from './params.ts';
import { sha256 } from '../util/digest.ts';
import { dequantizeRows, quantizeRows, ROW_INT8 } from './quantize.ts';

export const RANKER_SCHEMA_VERSION = 1;
export const WEIGHTS_FILE = 'weights.bin';

export interface RankerManifest {
  format: 'kindling-ranker';
  schemaVersion: number;
  config: RankerConfig;
  encoderId: string;
  checksums: Record<string, string>;
  /** Free-form facts about how it was made (data, seed, epochs, speed). */
  training: Record<string, unknown>;
}

export interface ModelJson {
  format: 'kindling-ranker';
  generatedBy: string;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  kindling: RankerManifest;
}


export interface EncodeOptions {
  /** Tensors to store as int8 with a scale per row (src/model/quantize.ts), e.g. QUANTIZED_TABLES. */
  quantize?: readonly string[];
}

/** A weights-manifest entry: TF.js's, with Kindling's row-int8 storage as a `quantization` of its own. */
export type WeightSpec = { name: string; shape: number[]; dtype: 'float32'; quantization?: typeof ROW_INT8 };

export async function encodeRanker(params: Params, config: RankerConfig, training: Record<string, unknown>, o: EncodeOptions = {}): Promise<{ json: ModelJson; weights: Uint8Array }> {
  const quantize = new Set(o.quantize ?? []);
  for (const name of quantize) if (!params.has(name) || params.get(name)!.shape.length !== 2) throw new Error(`quantize: ${name} is not a table of this model`);
  const parts: Uint8Array[] = [];
  const specs: WeightSpec[] = paramSpecs(config).map((s) => {
    const values = params.get(s.name)!.dataSync() as Float32Array;
    const shape = [...s.shape];
    if (!quantize.has(s.name)) {
      parts.push(new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)));
      return { name: s.name, shape, dtype: 'float32' };
    }
    const { scales, q } = quantizeRows(values, shape[0]);
    parts.push(new Uint8Array(scales.buffer), new Uint8Array(q.buffer));
    return { name: s.name, shape, dtype: 'float32', quantization: ROW_INT8 };
  });
  const weights = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    weights.set(p, at);
    at += p.byteLength;
  }
  return {
    json: {
      format: 'kindling-ranker',
      generatedBy: `@tensorflow/tfjs ${tf.version_core}`,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs as tf.io.WeightsManifestEntry[] }],
      kindling: {
        format: 'kindling-ranker',
        schemaVersion: RANKER_SCHEMA_VERSION,
        config,
        encoderId: config.encoderId,
        checksums: { [WEIGHTS_FILE]: await sha256(weights) },
        training,
      },
    },
    weights,
  };
}

/** weights.bin's tensors as float32 values (a row-int8 one dequantised), by the manifest's entries in order. */
function decodeValues(weights: Uint8Array, specs: WeightSpec[], wfile: string): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  let at = 0;
  const take = (bytes: number, name: string) => {
    if (at + bytes > weights.byteLength) throw new ModelLoadError(wfile, `ends before tensor "${name}" (${weights.byteLength} bytes)`);
    const b = weights.slice(at, at + bytes); // a copy: aligned, and the caller's buffer stays untouched
    at += bytes;
    return b.buffer;
  };
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const q = (s as { quantization?: { dtype?: string; scheme?: string } }).quantization;
    if (s.dtype !== 'float32') throw new ModelLoadError(wfile, `tensor "${s.name}" is ${s.dtype}; Kindling reads float32 tensors`);
    if (q === undefined) out.set(s.name, { shape: s.shape, values: new Float32Array(take(4 * n, s.name)) });
    else if (q.dtype === ROW_INT8.dtype && q.scheme === ROW_INT8.scheme && s.shape.length === 2) {
      const scales = new Float32Array(take(4 * s.shape[0], s.name));
      out.set(s.name, { shape: s.shape, values: dequantizeRows(scales, new Int8Array(take(n, s.name))) });
    } else throw new ModelLoadError(wfile, `tensor "${s.name}": unknown quantization ${JSON.stringify(q)}`);
  }
  if (at !== weights.byteLength) throw new ModelLoadError(wfile, `${weights.byteLength} bytes, the manifest's tensors take ${at}`);
  return out;
}

/**
 * `where` names the folder in error messages (a URL or a path). `run` runs the synchronous step that
 * makes the tensors (the page runs it on its own TF.js backend, src/runtime/tf-neighbour.ts).
 */
export async function decodeRanker(json: unknown, weights: Uint8Array, where: string, run: TensorStep = async (f) => f()): Promise<{ params: Params; manifest: RankerManifest }> {
  const file = `${where}model.json`;
  const m = (json as ModelJson | undefined)?.kindling;
  if (!m || m.format !== 'kindling-ranker') throw new ModelLoadError(file, 'is not a Kindling ranker (no kindling.format "kindling-ranker")');
  if (m.schemaVersion !== RANKER_SCHEMA_VERSION) throw new ModelLoadError(file, `schema version ${m.schemaVersion}, this Kindling reads version ${RANKER_SCHEMA_VERSION}`);
  try {
    checkHistoryMatch(m.config);
  } catch (err) {
    throw new ModelLoadError(file, (err as Error).message);
  }
  const wfile = `${where}${WEIGHTS_FILE}`;
  const want = m.checksums?.[WEIGHTS_FILE];
  const got = await sha256(weights);
  if (want !== got) throw new ModelLoadError(wfile, `checksum mismatch (manifest ${want}, file ${got}): truncated or corrupt`);
  const specs = (json as ModelJson).weightsManifest.flatMap((g) => g.weights) as WeightSpec[];
  const expected = paramSpecs(m.config);
  return { params: await run(() => weightTensors(weights, specs, expected, file, wfile)), manifest: m };
}

/** How the tensors are made: `(make) => make()`, or on a chosen backend. */
export type TensorStep = <T>(make: () => T) => Promise<T>;

function weightTensors(weights: Uint8Array, specs: WeightSpec[], expected: ReturnType<typeof paramSpecs>, file: string, wfile: string): Params {
  const values = decodeValues(weights, specs, wfile);
  const params: Params = new Map();
  try {
    for (const s of expected) {
      const t = values.get(s.name);
      if (!t) throw new ModelLoadError(file, `tensor "${s.name}" is missing`);
      if (t.shape.join() !== s.shape.join()) throw new ModelLoadError(file, `tensor "${s.name}" has shape [${t.shape}], the config needs [${s.shape}]`);
      const initial = tf.tensor(t.values, t.shape, 'float32');
      params.set(s.name, tf.variable(initial, true));
      initial.dispose();
    }
  } catch (err) {
    disposeParams(params);
    throw err;
  }
  return params;
}

/**
 * Reads a ranker folder (`folder` ends with '/') through `readBytes`, which throws ModelLoadError
 * for a file it cannot read: Node reads the disk, the page fetches.
 */
export async function readRanker(folder: string, readBytes: (path: string) => Promise<Uint8Array>, run?: TensorStep): Promise<{ params: Params; manifest: RankerManifest }> {
  const path = `${folder}model.json`;
  const jsonBytes = await readBytes(path);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes));
  } catch (err) {
    throw new ModelLoadError(path, 'is not valid JSON', { cause: err });
  }
  return decodeRanker(json, await readBytes(`${folder}${WEIGHTS_FILE}`), folder, run);
}
