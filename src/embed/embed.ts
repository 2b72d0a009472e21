/**
 * kindling.embed.js: one classic <script> tag gives a plain page `window.Kindling`, the same API
 * as the ES module, loaded on first use from next to this script (so models and ONNX Runtime come
 * from the same origin). With a `data-target` attribute it also renders a ready widget.
 *
 *   <script src="/kindling/kindling.embed.js"
 *           data-target="#suggestions" data-domain="suggest" data-candidates="#catalogue"
 *           data-layout="list" data-query-input="#search"></script>
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

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script || window.Kindling) return; // loaded twice: keep the first
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
  window.Kindling = api;
  if (script.dataset.target) {
    const start = () => void mountWidget(script, load).catch((err) => console.error('Kindling widget:', err));
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
    else start();
  }
})();
