/**
 * The saved ranker: `model.json` (TF.js weights manifest + Kindling's manifest) and
 * `weights.bin` (TF.js weight encoding). Decoding checks the schema version, every tensor's
 * name and shape against the config, and the weights file's SHA-256, naming the file at fault.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelLoadError } from '../errors.ts';
import type { RankerConfig } from './config.ts';
import { disposeParams, paramSpecs, type Params } from './params.ts';
import { sha256 } from '../util/digest.ts';

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


export async function encodeRanker(params: Params, config: RankerConfig, training: Record<string, unknown>): Promise<{ json: ModelJson; weights: Uint8Array }> {
  const named = paramSpecs(config).map((s) => ({ name: s.name, tensor: params.get(s.name)! }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const weights = new Uint8Array(data);
  return {
    json: {
      format: 'kindling-ranker',
      generatedBy: `@tensorflow/tfjs ${tf.version.tfjs}`,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
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

/**
 * `where` names the folder in error messages (a URL or a path). `run` runs the synchronous step that
 * makes the tensors (the page runs it on its own TF.js backend, src/runtime/tf-neighbour.ts).
 */
export async function decodeRanker(json: unknown, weights: Uint8Array, where: string, run: TensorStep = async (f) => f()): Promise<{ params: Params; manifest: RankerManifest }> {
  const file = `${where}model.json`;
  const m = (json as ModelJson | undefined)?.kindling;
  if (!m || m.format !== 'kindling-ranker') throw new ModelLoadError(file, 'is not a Kindling ranker (no kindling.format "kindling-ranker")');
  if (m.schemaVersion !== RANKER_SCHEMA_VERSION) throw new ModelLoadError(file, `schema version ${m.schemaVersion}, this Kindling reads version ${RANKER_SCHEMA_VERSION}`);
  const wfile = `${where}${WEIGHTS_FILE}`;
  const want = m.checksums?.[WEIGHTS_FILE];
  const got = await sha256(weights);
  if (want !== got) throw new ModelLoadError(wfile, `checksum mismatch (manifest ${want}, file ${got}): truncated or corrupt`);
  const specs = (json as ModelJson).weightsManifest.flatMap((g) => g.weights);
  const expected = paramSpecs(m.config);
  return { params: await run(() => weightTensors(weights, specs, expected, file, wfile)), manifest: m };
}

/** How the tensors are made: `(make) => make()`, or on a chosen backend. */
export type TensorStep = <T>(make: () => T) => Promise<T>;

function weightTensors(weights: Uint8Array, specs: tf.io.WeightsManifestEntry[], expected: ReturnType<typeof paramSpecs>, file: string, wfile: string): Params {
  let tensors: tf.NamedTensorMap;
  try {
    tensors = tf.io.decodeWeights(weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer, specs);
  } catch (err) {
    throw new ModelLoadError(wfile, `cannot be decoded with the manifest's weight specs: ${(err as Error).message}`, { cause: err });
  }
  const params: Params = new Map();
  try {
    for (const s of expected) {
      const t = tensors[s.name];
      if (!t) throw new ModelLoadError(file, `tensor "${s.name}" is missing`);
      if (t.shape.join() !== s.shape.join()) throw new ModelLoadError(file, `tensor "${s.name}" has shape [${t.shape}], the config needs [${s.shape}]`);
      params.set(s.name, tf.variable(t, true));
    }
  } catch (err) {
    disposeParams(params);
    throw err;
  } finally {
    tf.dispose(Object.values(tensors));
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
