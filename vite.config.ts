import { defineConfig } from 'vitest/config';
import { kindlingAssets } from './build/assets-plugin.ts';

export default defineConfig({
  plugins: [kindlingAssets()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  // Pre-bundle the heavy dependencies up front: discovering them on first page load makes Vite
  // reload the page mid-test.
  optimizeDeps: { include: ['@huggingface/transformers', 'idb-keyval', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu'] },
  worker: { format: 'es' },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/server.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Two cores: browser tests and model loads in parallel only slow each other down.
    fileParallelism: false,
  },
});
