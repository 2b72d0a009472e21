/**
 * Bad input (issue 6): 5,000 generated rerank() and record() calls on the default backend. Each
 * valid call returns finite scores for every candidate (or stores its event); each faulty one
 * rejects with an exported Kindling error naming the field. No hang, no prototype pollution, and
 * the history comes out exactly as recorded. The generator is test/browser/pages/fuzz.ts.
 */
import { describe, expect, it } from 'vitest';
import { useApiPage } from './use-api-page.ts';
import { reportCase } from './report.ts';

const CALLS = Number(process.env.KINDLING_FUZZ_CALLS ?? 5000);
const SEED = 6;

describe('bad input: the fuzz run', () => {
  const api = useApiPage();

  it(`answers ${CALLS} generated calls with finite scores or a typed error naming the field`, { timeout: 900_000 }, async () => {
    const r = await api.p.page.evaluate(
      async ({ calls, seed }) => {
        const rec = await window.kindling.createRecommender({ historyLimit: 100_000 });
        const before = window.tf.memory().numTensors;
        const report = await window.runFuzz(window.kindling, rec, { calls, seed });
        const after = window.tf.memory().numTensors;
        const backend = rec.backend;
        await rec.clearHistory();
        await rec.dispose();
        return { ...report, backend, tensorsBefore: before, tensorsAfter: after };
      },
      { calls: CALLS, seed: SEED },
    );
    const rows = Object.entries(r.cases).sort((a, b) => a[0].localeCompare(b[0]));
    const resolved = rows.reduce((n, [, c]) => n + c.resolved, 0);
    const maxMs = Math.max(...rows.map(([, c]) => c.maxMs));
    reportCase('fuzz', {
      group: 'Bad input',
      case: `${r.calls} generated rerank() and record() calls (seed ${SEED}, ${rows.length} kinds, backend ${r.backend})`,
      tried: rows.map(([k, c]) => `${k}: ${c.calls}`).join('; '),
      happened: `${resolved} resolved (${r.candidatesScored} candidates scored, every score finite, in [0, 1], sorted), ${r.calls - resolved} rejected with an exported Kindling error whose message starts with the faulty field; ${r.violations.length} violations; slowest call ${maxMs} ms (each bounded at 30 s, 120 s with 10,000 candidates); prototypes ${r.prototypesUnchanged ? 'unchanged' : 'CHANGED'}; TF.js tensors ${r.tensorsBefore} before, ${r.tensorsAfter} after`,
      lost: r.historyIntact ? `nothing: the history is exactly the 20 events it had plus the ${r.historyLength - 20} valid records, in time order` : 'HISTORY DIFFERS',
    });
    expect(r.violations).toEqual([]);
    expect(r.calls).toBe(CALLS);
    expect(r.prototypesUnchanged).toBe(true);
    expect(r.historyIntact).toBe(true);
    expect(r.tensorsAfter).toBe(r.tensorsBefore);
    // Every kind of case came up, valid and faulty alike.
    expect(rows.length).toBe(26);
    expect(rows.every(([, c]) => c.calls > 0)).toBe(true);
    expect(api.p.errors).toEqual([]);
  });
});
