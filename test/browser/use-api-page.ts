/** A vitest helper (kept apart from chromium.ts, which scripts outside vitest import too). */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { launch, openPage, type OpenPage } from './chromium.ts';

/**
 * For a describe block: one browser (WebGPU on SwiftShader unless told otherwise) with the API
 * test page open for all its tests, closed after them. Read `.p` inside the tests.
 */
export function useApiPage(o: { webgpu: boolean } = { webgpu: true }): { readonly p: OpenPage } {
  const state: { browser?: Browser; p?: OpenPage } = {};
  beforeAll(async () => {
    state.browser = await launch(o);
    state.p = await openPage(state.browser, `${inject('baseURL')}/test/browser/pages/api.html`);
  });
  afterAll(async () => state.browser?.close());
  return {
    get p() {
      if (!state.p) throw new Error('useApiPage: the page is opened in beforeAll');
      return state.p;
    },
  };
}
