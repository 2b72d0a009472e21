/** A ranker folder on disk: model.json + weights.bin (TF.js format with Kindling's manifest). */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelLoadError } from '../errors.ts';
import type { RankerConfig } from '../model/config.ts';
import type { Params } from '../model/params.ts';
import { encodeRanker, type EncodeOptions, readRanker, WEIGHTS_FILE, type RankerManifest } from '../model/serialize.ts';

export async function saveRanker(dir: string, params: Params, config: RankerConfig, training: Record<string, unknown>, o?: EncodeOptions) {
  mkdirSync(dir, { recursive: true });
  const { json, weights } = await encodeRanker(params, config, training, o);
  // Write both under temporary names, then rename: a crash never leaves a model.json that
  // describes other weights.
  writeFileSync(join(dir, `${WEIGHTS_FILE}.tmp`), weights);
  writeFileSync(join(dir, 'model.json.tmp'), JSON.stringify(json, null, 1) + '\n');
  renameSync(join(dir, `${WEIGHTS_FILE}.tmp`), join(dir, WEIGHTS_FILE));
  renameSync(join(dir, 'model.json.tmp'), join(dir, 'model.json'));
}

export function loadRanker(dir: string): Promise<{ params: Params; manifest: RankerManifest }> {
  return readRanker(dir.endsWith('/') ? dir : `${dir}/`, async (path) => {
    if (!existsSync(path)) throw new ModelLoadError(path, 'not found');
    return new Uint8Array(readFileSync(path));
  });
}
