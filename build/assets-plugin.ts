/**
 * Serves and ships the files the library fetches at run time, from our own origin only:
 * `models/` (encoder and ranker) and ONNX Runtime Web's wasm runtime (`ort/`), which
 * Transformers.js would otherwise fetch from a CDN. In development they are served from the
 * repository and node_modules; `vite build` copies them into the output folder.
 */
import { createReadStream, existsSync, statSync, readdirSync, mkdirSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';

const require = createRequire(import.meta.url);

/** ONNX Runtime Web's dist folder (the copy Transformers.js itself resolves). */
export function ortDistDir(): string {
  const fromTransformers = createRequire(require.resolve('@huggingface/transformers'));
  return join(dirname(fromTransformers.resolve('onnxruntime-web')), '.');
}

/** The runtime files the page needs: the asyncify build, used for wasm and WebGPU alike. */
export const ORT_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript',
  '.md': 'text/markdown; charset=utf-8',
};

function serveDir(prefix: string, dir: string, allow?: string[]): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = (req.url ?? '').split('?')[0];
    if (!url.startsWith(prefix)) return next();
    const rel = normalize(decodeURIComponent(url.slice(prefix.length)));
    const file = resolve(dir, rel);
    if (!file.startsWith(resolve(dir) + sep) || (allow && !allow.includes(rel)) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      return res.end('not found');
    }
    const ext = file.slice(file.lastIndexOf('.'));
    res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('Content-Length', statSync(file).size);
    res.setHeader('Cache-Control', 'no-cache');
    createReadStream(file).pipe(res);
  };
}

function copyTree(from: string, to: string) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst);
    else {
      mkdirSync(dirname(dst), { recursive: true });
      copyFileSync(src, dst);
    }
  }
}

export function kindlingAssets(root = process.cwd()): Plugin {
  let outDir = 'dist';
  const middlewares = (use: (h: Connect.NextHandleFunction) => void) => {
    use(serveDir('/models/', join(root, 'models')));
    use(serveDir('/ort/', ortDistDir(), ORT_FILES));
  };
  return {
    name: 'kindling-assets',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    configureServer(server) {
      middlewares((h) => server.middlewares.use(h));
    },
    configurePreviewServer(server) {
      middlewares((h) => server.middlewares.use(h));
    },
    // Transformers.js refers to ONNX Runtime's wasm with new URL(..., import.meta.url), so the bundler
    // emits a 26 MB copy into assets/. The page never fetches it (wasmPaths points at ort/): drop it.
    generateBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) if (/^assets\/ort-wasm-simd-threaded[^/]*\.wasm$/.test(name)) delete bundle[name];
    },
    writeBundle() {
      copyTree(join(root, 'models'), join(outDir, 'models'));
      for (const f of ORT_FILES) {
        mkdirSync(join(outDir, 'ort'), { recursive: true });
        copyFileSync(join(ortDistDir(), f), join(outDir, 'ort', f));
      }
      console.log(`kindling-assets: copied models/ and ${ORT_FILES.length} ONNX Runtime files into ${relative(root, outDir)}/`);
    },
  };
}
