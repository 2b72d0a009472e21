/** The encoder's platform in Node: model folders on disk, vectors cached in files. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defaultModelBase } from '../defaults.ts';
import { ModelLoadError } from '../errors.ts';
import type { EncoderPlatform } from '../encoder/platform.ts';
import { createFileVectorCache } from './file-cache.ts';

function toPath(base: string | URL): string {
  const p = base instanceof URL || base.startsWith('file:') ? fileURLToPath(base) : base;
  return p.endsWith('/') ? p : `${p}/`;
}

export function nodePlatform(cacheDir?: string): EncoderPlatform {
  return {
    modelRoot: (modelBase) => toPath(modelBase ?? defaultModelBase()),
    async readBytes(path) {
      try {
        return new Uint8Array(await readFile(path));
      } catch (err) {
        throw new ModelLoadError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'could not be read', { cause: err });
      }
    },
    defaultCache: () => (cacheDir ? createFileVectorCache(cacheDir) : undefined),
    onnxWasmPaths: () => undefined,
  };
}
