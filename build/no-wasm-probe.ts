/**
 * long.js (an int64 helper inside TF.js and ONNX Runtime Web) probes for WebAssembly at import
 * time by compiling a tiny module in a try/catch. It works without it, but on a page whose
 * Content-Security-Policy forbids compiling WebAssembly the probe files a CSP violation report on
 * every page load. Kindling needs no WebAssembly on its default path, so the build turns the probe
 * off: long.js takes its plain-JS branch, as it would under such a CSP anyway. The production
 * build only (the dev server serves pre-bundled dependencies as they are).
 */
import type { Plugin } from 'vite';

const PROBE = /wasm = new WebAssembly\.Instance\(/;

export function noWasmProbe(): Plugin {
  return {
    name: 'kindling-no-wasm-probe',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]long[\\/]/.test(id) || !code.includes('WebAssembly')) return null;
      if (!PROBE.test(code)) this.error(`${id}: long.js's WebAssembly probe changed shape; update build/no-wasm-probe.ts`);
      return { code: code.replace(PROBE, 'wasm = null && new WebAssembly.Instance('), map: null };
    },
  };
}
