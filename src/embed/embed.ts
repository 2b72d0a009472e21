/**
 * kindling.embed.js: one classic <script> tag gives a plain page `window.Kindling`, the same API
 * as the ES module, loaded on first use from next to this script (so models and ONNX Runtime come
 * from the same origin). With a `data-target` attribute it also renders a ready widget.
 *
 *   <script src="/kindling/kindling.embed.js"
 *           data-target="#suggestions" data-domain="suggest" data-candidates="#catalogue"
 *           data-layout="list" data-query-input="#search"></script>
 *
 * The API goes on `window.Kindling`, or on the global that `data-global="Name"` picks. A page that
 * already has a global of that name keeps it: the script says so in the console and leaves it alone
 * (the widget still renders).
 *
 * No static imports, no import.meta, no eval: this file must run as a classic script, and under a
 * Content-Security-Policy of script-src 'self'.
 */
import type * as KindlingModule from '../index.ts';
import { mountWidget } from './widget.ts';

type Module = typeof KindlingModule;

interface KindlingGlobal {
  /** Resolves to the full module once loaded; its exports are then also on window.Kindling. */
  ready: Promise<Module>;
  createRecommender: Module['createRecommender'];
  createEncoder: Module['createEncoder'];
  rerank: Module['rerank'];
  [name: string]: unknown;
}

declare global {
  interface Window {
    Kindling?: KindlingGlobal;
  }
}

/** Marks the object this script puts on the page, to tell it from a page's own global of that name. */
const MARK = Symbol.for('kindling.embed');

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script) return;
  const name = script.dataset.global ?? 'Kindling';
  const globals = window as unknown as Record<string, unknown>;
  const taken = globals[name];
  if (taken && (taken as Record<symbol, unknown>)[MARK]) {
    // This script again (another widget on the page): one API, one loaded module, a widget per tag.
    if (script.dataset.target) whenReady(() => mountWidget(script, () => (taken as KindlingGlobal).ready));
    return;
  }
  const base = new URL('.', script.src).href;
  let loading: Promise<Module> | undefined;
  const load = () =>
    (loading ??= (import(/* @vite-ignore */ `${base}lib/kindling.js`) as Promise<Module>).then((m) => {
      Object.assign(api, m);
      return m;
    }));
  const api: KindlingGlobal = {
    get ready() {
      return load();
    },
    createRecommender: async (o) => (await load()).createRecommender(o),
    createEncoder: async (o) => (await load()).createEncoder(o),
    rerank: async (c, ctx) => (await load()).rerank(c, ctx),
  };
  Object.defineProperty(api, MARK, { value: true });
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) console.error(`Kindling: data-global="${name}" is not a JavaScript name; the API is not exposed (the widget still works).`);
  else if (taken !== undefined) {
    console.warn(`Kindling: the page already defines window.${name}; Kindling leaves it as it is and does not expose its API there. Give the script tag data-global="OtherName" to reach Kindling as window.OtherName.`);
  } else globals[name] = api;
  if (script.dataset.target) whenReady(() => mountWidget(script, load));
})();

/** Runs `mount` once the document is parsed; a failure goes to the console. */
function whenReady(mount: () => Promise<void>) {
  const start = () => void mount().catch((err) => console.error('Kindling widget:', err));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
