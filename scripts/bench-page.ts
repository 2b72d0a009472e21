/**
 * The page the in-browser benchmarks run in: Vite's dev server on a free port, headless Chromium
 * (WebGPU on SwiftShader here) and the test API page (test/browser/pages/api.html), loaded and ready.
 */
import type { Page } from 'playwright-core';
import { createServer } from 'vite';
import { launch } from '../test/browser/chromium.ts';

export async function openApiPage(): Promise<{ page: Page; close: () => Promise<void> }> {
  const server = await createServer({ configFile: 'vite.config.ts', server: { port: 0 }, logLevel: 'warn' });
  await server.listen();
  const port = (server.httpServer!.address() as { port: number }).port;
  const browser = await launch({ webgpu: true });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const page = await browser.newPage();
    // tsx compiles the scripts with esbuild's keepNames, which wraps the functions they send to the page in __name().
    await page.addInitScript('globalThis.__name = (f) => f');
    await page.goto(`http://127.0.0.1:${port}/test/browser/pages/api.html`);
    await page.waitForFunction(() => window.kindlingReady === true);
    return { page, close };
  } catch (err) {
    await close();
    throw err;
  }
}
