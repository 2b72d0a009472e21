/**
 * Starts, on loopback, what the browser tests load pages from:
 *  - a Vite dev server (pages under test/browser/pages, the library from src/);
 *  - the production build (`npm run build`'s dist/) behind Vite's preview server, for the
 *    embed script and the demo as users get them.
 */
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import type { TestProject } from 'vitest/node';

let server: ViteDevServer | undefined;
let dist: PreviewServer | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    distURL: string;
  }
}

function url(s: { address(): unknown } | null | undefined): string {
  const address = s?.address() as { port: number } | string | null;
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return `http://127.0.0.1:${address.port}`;
}

export async function setup(project: TestProject) {
  server = await createServer({ configFile: 'vite.config.ts', server: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  await server.listen();
  project.provide('baseURL', url(server.httpServer));
  await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
  await build({ configFile: 'vite.embed.config.ts', logLevel: 'warn' });
  dist = await preview({ configFile: 'vite.config.ts', preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  project.provide('distURL', url(dist.httpServer));
}

export async function teardown() {
  await server?.close();
  await new Promise<void>((resolve) => (dist ? dist.httpServer.close(() => resolve()) : resolve()));
}
