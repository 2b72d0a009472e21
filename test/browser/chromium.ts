/**
 * Headless Chromium with WebGPU on SwiftShader (a CPU Vulkan driver), driven by playwright-core.
 * The flags are the ones ../shared/BROWSER-TESTING.md records as giving a working adapter.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const BASE_FLAGS = [
  '--no-sandbox', '--headless', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WEBGPU_FLAGS = [
  '--disable-gpu-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader',
];

export async function launch(opts: { webgpu: boolean }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it with 'apt-get install -y chromium' (Debian), or set CHROMIUM_PATH.`);
  }
  // Without the WebGPU flags, --disable-gpu leaves navigator.gpu without an adapter: the "no GPU" case.
  const args = opts.webgpu ? [...BASE_FLAGS, ...WEBGPU_FLAGS] : [...BASE_FLAGS, '--disable-gpu'];
  return chromium.launch({ executablePath: CHROMIUM, args, headless: true });
}

export interface OpenPage {
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/** Records every request a page makes, and its errors (uncaught, console.error, HTTP >= 400). */
export function track(page: Page): OpenPage {
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`));
  page.on('response', (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} ${r.url()}`));
  return { page, requests, errors };
}

/** Requests to anywhere but `origin` (blob: and data: URLs are the page's own). */
export const foreignRequests = (requests: string[], origin: string) => requests.filter((r) => !r.startsWith(`${origin}/`) && !r.startsWith('blob:') && !r.startsWith('data:'));

export async function openPage(browser: Browser, url: string): Promise<OpenPage> {
  const { page, requests, errors } = track(await browser.newPage());
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { kindlingReady?: boolean }).kindlingReady === true);
  return { page, requests, errors };
}
