import { defineConfig } from 'vite';

// dist/kindling.embed.js: one self-contained classic script (IIFE, no import statements), which
// loads dist/lib/kindling.js with a dynamic import() when first used.
export default defineConfig({
  publicDir: false,
  build: {
    emptyOutDir: false,
    target: 'es2022',
    lib: { entry: 'src/embed/embed.ts', formats: ['iife'], name: 'KindlingEmbed', fileName: () => 'kindling.embed.js' },
  },
});
