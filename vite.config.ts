import { defineConfig } from 'vitest/config';
import { kindlingAssets } from './build/assets-plugin.ts';
import { noWasmProbe } from './build/no-wasm-probe.ts';

// `vite build` writes dist/: the demo (index.html), the ES module (lib/kindling.js: one level
// down, like its chunks in assets/, so `../models/` and `../ort/` resolve to dist/models and
// dist/ort), the models and ONNX Runtime's files. The classic embed script is built by
// vite.embed.config.ts into the same folder.
export default defineConfig({
  plugins: [kindlingAssets(), noWasmProbe()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  // Pre-bundle the heavy dependencies up front: discovering them on first page load makes Vite
  // reload the page mid-test.
  optimizeDeps: { include: ['@huggingface/transformers', 'idb-keyval', '@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgpu'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      input: { index: 'index.html', kindling: 'src/index.ts' },
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (chunk.name === 'kindling' ? 'lib/kindling.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/server.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Two cores: browser tests and model loads in parallel only slow each other down.
    fileParallelism: false,
    // The JSON record of every run: `npm run reliability -- --from-last-run` writes its report from it.
    reporters: ['default', 'json'],
    outputFile: { json: '.cache/vitest-last-run.json' },
  },
});
