// Exposes the public API to the Playwright tests, which call it through page.evaluate.
import * as idb from 'idb-keyval';
import * as tf from '@tensorflow/tfjs';
import * as kindling from '../../../src/index.ts';

declare global {
  interface Window {
    kindling: typeof kindling;
    kindlingReady: boolean;
    idb: typeof idb;
    tf: typeof tf;
  }
}
window.kindling = kindling;
window.idb = idb; // to inspect Kindling's stores from the tests
window.tf = tf; // the same TF.js instance the library uses (tensor counts)
window.kindlingReady = true;
