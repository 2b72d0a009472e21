// Exposes the public API to the Playwright tests, which call it through page.evaluate.
import * as kindling from '../../../src/index.ts';

declare global {
  interface Window {
    kindling: typeof kindling;
    kindlingReady: boolean;
  }
}
window.kindling = kindling;
window.kindlingReady = true;
