// Exposes the public API to the Playwright tests, which call it through page.evaluate.
import * as idb from 'idb-keyval';
import * as kindling from '../../../src/index.ts';

declare global {
  interface Window {
    kindling: typeof kindling;
    kindlingReady: boolean;
    idb: typeof idb;
  }
}
window.kindling = kindling;
window.idb = idb; // to inspect Kindling's stores from the tests
window.kindlingReady = true;
