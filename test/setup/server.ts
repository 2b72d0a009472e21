/**
 * Starts one Vite dev server on loopback for the browser tests (pages under test/browser/pages,
 * the library from src/, models and ONNX Runtime through the kindling-assets plugin).
 */
import { createServer, type ViteDevServer } from 'vite';
import type { TestProject } from 'vitest/node';

let server: ViteDevServer | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

export async function setup(project: TestProject) {
  server = await createServer({ configFile: 'vite.config.ts', server: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  await server.listen();
  const address = server.httpServer!.address();
  if (!address || typeof address === 'string') throw new Error('vite dev server has no port');
  project.provide('baseURL', `http://127.0.0.1:${address.port}`);
}

export async function teardown() {
  await server?.close();
}
