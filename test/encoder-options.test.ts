import { describe, expect, it } from 'vitest';
import { chooseDevice } from '../src/encoder/device.ts';
import { onnxFileFor, validateEncoderOptions } from '../src/encoder/options.ts';
import { FallibleCache, vectorKey, type VectorCache } from '../src/encoder/vector-cache.ts';
import { Lru } from '../src/util/lru.ts';
import { ConfigError, WebGPUUnavailableError } from '../src/errors.ts';
import { DEFAULT_ENCODER } from '../src/defaults.ts';

describe('chooseDevice', () => {
  it('picks webgpu when there is an adapter, wasm otherwise, cpu in Node', () => {
    expect(chooseDevice('auto', { browser: true, webgpu: true })).toBe('webgpu');
    expect(chooseDevice('auto', { browser: true, webgpu: false })).toBe('wasm');
    expect(chooseDevice('wasm', { browser: true, webgpu: true })).toBe('wasm');
    expect(chooseDevice('auto', { browser: false, webgpu: false })).toBe('cpu');
    expect(() => chooseDevice('webgpu', { browser: true, webgpu: false })).toThrow(WebGPUUnavailableError);
    // A static word-vector model runs in plain JS in a page unless a device is asked for; Node keeps ONNX Runtime.
    expect(chooseDevice('auto', { browser: true, webgpu: true }, { static: true })).toBe('js');
    expect(chooseDevice('wasm', { browser: true, webgpu: true }, { static: true })).toBe('wasm');
    expect(chooseDevice('auto', { browser: false, webgpu: false }, { static: true })).toBe('cpu');
    expect(chooseDevice('js', { browser: false, webgpu: false }, { static: true })).toBe('js');
    expect(() => chooseDevice('js', { browser: true, webgpu: true }, { static: false })).toThrow(/"js" runs static word-vector encoders only/);
    expect(() => chooseDevice('wasm', { browser: false, webgpu: false })).toThrow(ConfigError);
    expect(() => chooseDevice('cpu', { browser: true, webgpu: true })).toThrow(/device: use "wasm"/);
  });
});

describe('validateEncoderOptions', () => {
  it('fills the defaults without changing the caller object', () => {
    const given = {};
    const o = validateEncoderOptions(given);
    expect(o.model).toBe(DEFAULT_ENCODER);
    expect(o.device).toBe('auto');
    expect(o.dtype).toBe('q8');
    expect(given).toEqual({});
  });
  it('names the bad field and the allowed values, never substituting a default', () => {
    expect(() => validateEncoderOptions({ dtype: 'fp64' as never })).toThrow(/dtype: got "fp64"; allowed: "q8", "fp32"/);
    expect(() => validateEncoderOptions({ batchSize: 1.5 })).toThrow(/batchSize: got 1.5/);
    expect(() => validateEncoderOptions({ onProgress: 'yes' as never })).toThrow(/onProgress: expected a function/);
    expect(() => validateEncoderOptions({ cache: {} as never })).toThrow(/cache:/);
    expect(() => validateEncoderOptions(null as never)).toThrow(/options: expected an object, got null/);
    expect(() => validateEncoderOptions({ __proto__: { device: 'x' } } as never)).not.toThrow();
  });
  it('maps dtypes to Transformers.js file names', () => {
    expect(onnxFileFor('q8')).toBe('onnx/model_quantized.onnx');
    expect(onnxFileFor('fp32')).toBe('onnx/model.onnx');
  });
});

describe('vector cache', () => {
  it('keys on encoder id and text hash', async () => {
    expect(await vectorKey('e@1', 'coffee')).toBe('e@1:37290d74ac4d186e3a8e5785d259d2ec04fac91ae28092e7620ec8bc99e830aa');
    expect(await vectorKey('e@2', 'coffee')).not.toBe(await vectorKey('e@1', 'coffee'));
  });
  it('goes on without a failing persistent cache, and says so once', async () => {
    let calls = 0;
    const failing: VectorCache = {
      getMany: () => (calls++, Promise.reject(new Error('quota'))),
      setMany: () => (calls++, Promise.reject(new Error('quota'))),
      clear: () => Promise.resolve(),
    };
    const warnings: unknown[] = [];
    const c = new FallibleCache(failing, (e) => warnings.push(e));
    await c.setMany([['a', Float32Array.of(1)]]);
    expect(await c.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    await c.setMany([['b', Float32Array.of(2)]]);
    expect(warnings).toHaveLength(1);
    expect(calls).toBe(1);
  });
  it('keeps the most recently used entries in memory', () => {
    const m = new Lru<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // a is now the newest
    m.set('c', 3);
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([1, undefined, 3, 2]);
  });
});
