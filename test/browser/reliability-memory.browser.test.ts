/**
 * Memory (issue 6): 2,000 rerank() calls on the default (fused WebGPU) backend, with the history
 * growing and candidate lists of changing length, leave TF.js's tensor count and the live GPU
 * buffers on Kindling's device where they started; dispose() releases every buffer and the device.
 */
import { describe, expect, it } from 'vitest';
import { useApiPage } from './use-api-page.ts';
import { reportCase } from './report.ts';

const CALLS = 2000;

describe('memory over many calls', () => {
  const api = useApiPage();

  it(`keeps tensors and GPU buffers flat over ${CALLS} rerank() calls, and frees them on dispose`, { timeout: 600_000 }, async () => {
    const r = await api.p.page.evaluate(async (calls) => {
      const words = ['coffee', 'bill', 'flight', 'hotel', 'puppy', 'taxi', 'pizza', 'loan', 'gym', 'cinema'];
      const candidates = (n: number, i: number) => Array.from({ length: n }, (_, j) => ({ id: `c${j}`, text: `${words[(i + j) % 10]} ${words[(i * 7 + j) % 10]} ${j}`, features: { price: j % 5 } }));
      const rec = await window.kindling.createRecommender({ memoryOnly: true });
      // One call at the largest size first, so that the buffers have grown to it (for the model's
      // own kernel and for the text-off one, built on first use).
      await rec.rerank(candidates(64, 0), { domain: 'search', query: 'coffee and pizza' });
      await rec.rerank(candidates(64, 0), { domain: 'search', query: 'coffee and pizza' }, { withoutAspects: ['text'] });
      const start = { tensors: window.tf.memory().numTensors, buffers: window.gpuLog.liveBuffers(), devices: window.gpuLog.devices.length };
      let textOffCalls = 0;
      for (let i = 0; i < calls; i++) {
        const n = 1 + ((i * 37) % 64);
        const ctx = i % 3 ? { domain: 'search', query: `${words[i % 10]} near me ${i % 50}` } : { domain: 'cards' };
        // Every 10th call is the demo's text-aspect toggle (its own kernel on the fused backend).
        if (i % 10 === 9) {
          await rec.rerank(candidates(n, i), ctx, { withoutAspects: ['text'] });
          textOffCalls++;
        } else await rec.rerank(candidates(n, i), ctx);
        if (i % 5 === 0) await rec.record({ item: `c${i % 7}`, domain: 'cards', action: 'click', text: `${words[i % 10]} item` });
      }
      const end = { tensors: window.tf.memory().numTensors, buffers: window.gpuLog.liveBuffers(), devices: window.gpuLog.devices.length };
      const backend = rec.backend;
      await rec.dispose();
      const disposed = { buffers: window.gpuLog.liveBuffers() };
      const info = ((await navigator.gpu.requestAdapter()) as unknown as { info?: Record<string, string> } | null)?.info;
      const adapter = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') : 'none';
      return { start, end, disposed, backend, textOffCalls, adapter };
    }, CALLS);
    reportCase('memory', {
      group: 'Memory',
      case: `${CALLS} rerank() calls on ${r.backend} (adapter: ${r.adapter}; ${r.textOffCalls} of them with withoutAspects: ['text']), 1-64 candidates, 400 records on the way`,
      tried: `${CALLS} calls`,
      happened: `TF.js tensors ${r.start.tensors} before, ${r.end.tensors} after; live GPU buffers on Kindling's devices ${r.start.buffers} before, ${r.end.buffers} after, ${r.disposed.buffers} after dispose(); devices requested ${r.start.devices} before, ${r.end.devices} after`,
      lost: 'n/a (memory-only history of this test)',
    });
    expect(r.backend).toBe('webgpu-fused');
    expect(r.end.tensors).toBe(r.start.tensors);
    expect(r.start.buffers).toBeGreaterThan(0);
    expect(r.end.buffers).toBe(r.start.buffers);
    expect(r.end.devices).toBe(r.start.devices);
    expect(r.disposed.buffers).toBe(0);
    expect(api.p.errors).toEqual([]);
  });
});
