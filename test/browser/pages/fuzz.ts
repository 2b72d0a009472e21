/**
 * The bad-input fuzz run of the reliability tests (issue 6), run inside the page: a seeded
 * generator makes `rerank()` and `record()` calls, each either valid (it must return finite
 * scores for every candidate, or store the event) or with exactly one fault (it must reject with
 * an exported Kindling error whose message starts with the faulty field). Afterwards the history
 * must be exactly the seeded events plus the valid records, and no prototype may have changed.
 */
import type * as Kindling from '../../../src/index.ts';
import { mulberry32 } from '../../../src/util/random.ts';

type K = typeof Kindling;
type Rec = Kindling.Recommender;
type Expect = { ok: true } | { field: string };
interface Call {
  kind: string;
  op: 'rerank' | 'record';
  args: unknown[];
  expect: Expect;
  /** For valid records: the event as the store must keep it. */
  stored?: Kindling.BehaviourEvent;
  limitMs: number;
}

export interface FuzzReport {
  calls: number;
  cases: Record<string, { calls: number; resolved: number; rejected: number; maxMs: number }>;
  violations: string[];
  prototypesUnchanged: boolean;
  historyIntact: boolean;
  historyLength: number;
  candidatesScored: number;
}

const MB = 1 << 20;
const WORDS = ['coffee', 'latte', 'electricity', 'bill', 'flight', 'hotel', 'puppy', 'grooming', 'taxi', 'metro', 'pizza', 'insurance', 'loan', 'gym', 'yoga', 'cinema', 'ticket', 'pharmacy', 'bike', 'rent'];
const ODD = ['\u0000', '\uD800', '\uDFFF', '\uFFFF', '\u202E', '\u200D', 'e\u0301', '👩‍👩‍👧', '🇨🇳', '中文服务', 'مرحبا', ' ', '\t\n', '<img src=x onerror="window.__fuzzPwned=1">', '"><script>window.__fuzzPwned=1</script>', '${1+1}', '%s%n', '\\u0000', 'constructor', '__proto__'];
const DOMAINS = ['cards', 'search', 'suggest', 'miniapps', '__proto__', 'constructor', 'toString', '', 'x'.repeat(300)];
const BAD_VALUES: [string, unknown][] = [['null', null], ['number', 42], ['boolean', true], ['object', {}], ['array', []], ['NaN', NaN], ['function', () => 1], ['symbol-less object with toString', { toString: () => 'x' }]];

function protoSnapshot(): string {
  const names = (o: object) => Object.getOwnPropertyNames(o).sort().join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(names).join('|');
}

export function makeGenerator(seed: number) {
  const rand = mulberry32(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  let serial = 0;

  function text(): string {
    const r = rand();
    if (r < 0.01) return pick(WORDS) + ' ' + 'x'.repeat(MB); // a 1 MB title
    if (r < 0.05) return '';
    const n = 1 + int(6);
    return Array.from({ length: n }, () => (rand() < 0.2 ? pick(ODD) : pick(WORDS))).join(rand() < 0.9 ? ' ' : '');
  }
  function features(): Record<string, unknown> | undefined {
    const r = rand();
    if (r < 0.3) return undefined;
    const f: Record<string, unknown> = {};
    const numeric = [3, -1, 0, 1e308, -1e308, NaN, Infinity, -Infinity, Number.MIN_VALUE, 2 ** 53];
    if (rand() < 0.7) f.price = pick(numeric);
    if (rand() < 0.7) f.brand = rand() < 0.5 ? `brand-${int(30)}` : pick(ODD);
    if (rand() < 0.5) f.category = pick([...WORDS, ...ODD]);
    if (rand() < 0.2) f.position = pick(numeric);
    if (rand() < 0.1) return { ...f, ...JSON.parse('{"__proto__": "proto-feature", "constructor": 7, "hasOwnProperty": "x"}') };
    return f;
  }
  function candidate(i: number): Record<string, unknown> {
    const c: Record<string, unknown> = { id: rand() < 0.05 ? `${pick(ODD)}#${serial++}` : `c${serial++}`, text: text() };
    if (rand() < 0.2) c.domain = pick(DOMAINS);
    const f = features();
    if (f) c.features = f;
    if (rand() < 0.05) Object.assign(c, JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'));
    void i;
    return c;
  }
  const candidates = (n: number) => Array.from({ length: n }, (_, i) => candidate(i));
  function context(): Record<string, unknown> {
    const c: Record<string, unknown> = { domain: pick(DOMAINS.filter(Boolean)) };
    const r = rand();
    if (r < 0.4) c.query = text();
    else if (r < 0.45) c.query = '';
    if (rand() < 0.3) c.features = { position: pick([0, 3, NaN, Infinity, -7]) };
    if (rand() < 0.2) c.userFeatures = { segment: pick([...WORDS, ...ODD]), age: pick([31, NaN, -Infinity, 1e308]) };
    if (rand() < 0.05) Object.assign(c, JSON.parse('{"__proto__": {"polluted": true}}'));
    return c;
  }
  const ok: Expect = { ok: true };

  /** One faulty rerank call: which field is wrong, and how. */
  function badRerank(): { kind: string; args: unknown[]; field: string } {
    const n = 1 + int(8);
    const cs = candidates(n);
    const ctx = context();
    const i = int(n);
    const [vname, v] = pick(BAD_VALUES);
    switch (int(13)) {
      case 0: {
        const bad = pick([null, undefined, 'candidates', 42, {}, { length: 3 }, new Map()]);
        return { kind: 'candidates: not an array', args: [bad, ctx], field: 'candidates' };
      }
      case 1:
        cs[i] = pick([null, 42, 'x', [], undefined]) as never;
        return { kind: 'candidate: not an object', args: [cs, ctx], field: `candidates[${i}]` };
      case 2:
        if (rand() < 0.3) delete cs[i].id;
        else cs[i].id = pick([...BAD_VALUES.map((b) => b[1]), '']);
        return { kind: 'candidate id: wrong type or empty', args: [cs, ctx], field: `candidates[${i}].id` };
      case 3:
        if (rand() < 0.3) delete cs[i].text;
        else cs[i].text = v;
        return { kind: 'candidate text: wrong type', args: [cs, ctx], field: `candidates[${i}].text` };
      case 4:
        if (v === undefined) return badRerank();
        cs[i].domain = v;
        return { kind: 'candidate domain: wrong type', args: [cs, ctx], field: `candidates[${i}].domain` };
      case 5:
        if (vname === 'object') return badRerank();
        if (rand() < 0.5) {
          cs[i].features = pick([null, 42, 'x', [], true]);
          return { kind: 'candidate features: not an object', args: [cs, ctx], field: `candidates[${i}].features` };
        }
        if (typeof v === 'number') return badRerank();
        cs[i].features = { brand: 'b', price: v };
        return { kind: 'candidate feature value: wrong type', args: [cs, ctx], field: `candidates[${i}].features.price` };
      case 6: {
        if (n < 2) return badRerank();
        const j = 1 + int(n - 1);
        const k = int(j);
        cs[j].id = cs[k].id;
        // The first repeat is the one named.
        const first = cs.findIndex((c, x) => x > 0 && cs.slice(0, x).some((d) => d.id === c.id));
        return { kind: 'duplicate candidate ids', args: [cs, ctx], field: `candidates[${first}].id` };
      }
      case 7:
        return { kind: 'context: not an object', args: [cs, pick([null, undefined, 'cards', 42, []])], field: 'context' };
      case 8:
        if (rand() < 0.3) delete ctx.domain;
        else ctx.domain = pick([...BAD_VALUES.map((b) => b[1]), '']);
        return { kind: 'context domain: wrong type or empty', args: [cs, ctx], field: 'context.domain' };
      case 9:
        if (v === undefined) return badRerank();
        ctx.query = v;
        return { kind: 'context query: wrong type', args: [cs, ctx], field: 'context.query' };
      case 10:
        if (vname === 'object') return badRerank();
        ctx.features = rand() < 0.5 ? pick([null, 'x', 42, []]) : { position: typeof v === 'number' ? null : v };
        return { kind: 'context features: wrong type', args: [cs, ctx], field: ctx.features && typeof ctx.features === 'object' && !Array.isArray(ctx.features) ? 'context.features.position' : 'context.features' };
      case 11:
        if (vname === 'object') return badRerank();
        ctx.userFeatures = rand() < 0.5 ? pick([null, 'x', 42, []]) : { segment: typeof v === 'number' ? null : v };
        return { kind: 'context userFeatures: wrong type', args: [cs, ctx], field: ctx.userFeatures && typeof ctx.userFeatures === 'object' && !Array.isArray(ctx.userFeatures) ? 'context.userFeatures.segment' : 'context.userFeatures' };
      default:
        return { kind: 'options.withoutAspects: bad', args: [cs, ctx, { withoutAspects: pick([['id', 'text', 'sparse'], ['colour'], 'text', 42]) }], field: 'options.withoutAspects' };
    }
  }

  function validEvent(): { event: Record<string, unknown>; stored: Kindling.BehaviourEvent } {
    const action = pick(['click', 'view', 'search'] as const);
    const event: Record<string, unknown> = { item: rand() < 0.1 ? pick(ODD) || 'odd' : `item-${int(500)}`, domain: pick(DOMAINS.filter((d) => d && d.length < 1000)), action, ts: 1_000_000 + int(1_000_000) };
    if (rand() < 0.7) event.text = text();
    if (action === 'search' && rand() < 0.8) event.query = text();
    if (rand() < 0.05) Object.assign(event, JSON.parse('{"__proto__": {"polluted": true}, "extra": 1}'));
    const stored: Kindling.BehaviourEvent = { item: event.item as string, domain: event.domain as string, action, ts: event.ts as number };
    if (event.text !== undefined) stored.text = (event.text as string).slice(0, 2000);
    if (event.query !== undefined) stored.query = (event.query as string).slice(0, 2000);
    return { event, stored };
  }

  function badRecord(): { kind: string; args: unknown[]; field: string } {
    const { event } = validEvent();
    const [, v] = pick(BAD_VALUES);
    switch (int(7)) {
      case 0:
        return { kind: 'event: not an object', args: [pick([null, undefined, 'click', 42, []])], field: 'event' };
      case 1:
        if (rand() < 0.3) delete event.item;
        else event.item = rand() < 0.2 ? 'i'.repeat(MB) : pick([...BAD_VALUES.map((b) => b[1]), '']);
        return { kind: 'event item: wrong type, empty or 1 MB', args: [event], field: 'event.item' };
      case 2:
        event.domain = pick([...BAD_VALUES.map((b) => b[1]), '', undefined]);
        return { kind: 'event domain: wrong type or empty', args: [event], field: 'event.domain' };
      case 3:
        event.action = pick(['buy', '', null, 3, 'CLICK', '__proto__']);
        return { kind: 'event action: not allowed', args: [event], field: 'event.action' };
      case 4:
        event.ts = pick([NaN, Infinity, -Infinity, '123', null, {}]);
        return { kind: 'event ts: not a finite number', args: [event], field: 'event.ts' };
      case 5:
        if (v === undefined || typeof v === 'string') return badRecord();
        event.text = v;
        return { kind: 'event text: wrong type', args: [event], field: 'event.text' };
      default:
        // JSON.parse makes `__proto__` an own key: the fields inside it are not the event's.
        return { kind: 'event with only a __proto__ key', args: [JSON.parse('{"__proto__": {"item": "x", "domain": "cards", "action": "click"}}')], field: 'event.action' };
    }
  }

  /** The n-th call of the run; a few fixed positions get the 10,000-candidate calls. */
  return function next(index: number, total: number): Call {
    if (index % Math.floor(total / 4) === 7) return { kind: 'rerank: 10,000 candidates', op: 'rerank', args: [candidates(10_000), context()], expect: ok, limitMs: 120_000 };
    if (index % Math.floor(total / 4) === 8) return { kind: 'rerank: 10,001 candidates', op: 'rerank', args: [candidates(10_001), context()], expect: { field: 'candidates' }, limitMs: 120_000 };
    const r = rand();
    if (r < 0.35) {
      const n = rand() < 0.05 ? 0 : 1 + int(rand() < 0.1 ? 200 : 12);
      const args: unknown[] = [candidates(n), context()];
      if (rand() < 0.05) args.push({ withoutAspects: [pick(['id', 'text', 'sparse'])] });
      return { kind: n === 0 ? 'rerank: empty list' : 'rerank: valid (odd text, NaN/Infinity features, odd domains)', op: 'rerank', args, expect: ok, limitMs: 30_000 };
    }
    if (r < 0.65) {
      const b = badRerank();
      return { ...b, kind: `rerank: ${b.kind}`, op: 'rerank', expect: { field: b.field }, limitMs: 30_000 };
    }
    if (r < 0.85) {
      const { event, stored } = validEvent();
      return { kind: 'record: valid (odd Unicode, 1 MB texts, __proto__ keys)', op: 'record', args: [event], expect: ok, stored, limitMs: 30_000 };
    }
    const b = badRecord();
    return { ...b, kind: `record: ${b.kind}`, op: 'record', expect: { field: b.field }, limitMs: 30_000 };
  };
}

const ERRORS = ['KindlingError', 'ConfigError', 'InputError', 'ModelLoadError', 'ModelOutputError', 'WebGPUUnavailableError', 'StorageUnavailableError', 'BackendInitError', 'DisposedError'] as const;

function checkRanked(call: Call, out: unknown): string | undefined {
  const cands = call.args[0] as { id: string }[];
  if (!Array.isArray(out)) return 'did not return an array';
  if (out.length !== cands.length) return `returned ${out.length} results for ${cands.length} candidates`;
  const ids = new Set(cands.map((c) => c.id));
  let prev = Infinity;
  for (const r of out as Kindling.Ranked[]) {
    if (!ids.delete(r.id)) return `returned an id it was not given, or one twice: ${JSON.stringify(r.id).slice(0, 40)}`;
    for (const [k, v] of Object.entries({ score: r.score, ctr: r.ctr, relevance: r.relevance, ...r.weights })) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) return `${k} = ${v} is not a finite number in [0, 1]`;
    }
    if (r.score > prev) return 'not sorted by score';
    prev = r.score;
  }
  return undefined;
}

function checkError(k: K, call: Call, err: unknown): string | undefined {
  const field = (call.expect as { field: string }).field;
  if (!(err instanceof k.KindlingError)) return `rejected with a non-Kindling error: ${String(err).slice(0, 200)}`;
  if (!ERRORS.includes(err.name as (typeof ERRORS)[number]) || !(err instanceof (k as unknown as Record<string, typeof Error>)[err.name])) return `error class ${err.name} is not exported`;
  if (!err.message.startsWith(`${field}: `)) return `message does not name ${field}: ${err.message.slice(0, 200)}`;
  return undefined;
}

export async function runFuzz(k: K, r: Rec, o: { calls: number; seed: number }): Promise<FuzzReport> {
  const protoBefore = protoSnapshot();
  // A history the user already had: it must come out of the run whole.
  await r.clearHistory();
  const expected: Kindling.BehaviourEvent[] = [];
  for (let i = 0; i < 20; i++) {
    const e = { item: `seed-${i}`, domain: 'cards', action: 'click' as const, ts: i, text: `seed item ${i}` };
    await r.record(e);
    expected.push(e);
  }
  const next = makeGenerator(o.seed);
  const report: FuzzReport = { calls: 0, cases: {}, violations: [], prototypesUnchanged: false, historyIntact: false, historyLength: 0, candidatesScored: 0 };
  for (let i = 0; i < o.calls; i++) {
    const call = next(i, o.calls);
    const stat = (report.cases[call.kind] ??= { calls: 0, resolved: 0, rejected: 0, maxMs: 0 });
    stat.calls++;
    report.calls++;
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`__timeout__ after ${call.limitMs} ms`)), call.limitMs)));
    let outcome: { value: unknown } | { error: unknown };
    try {
      const p = call.op === 'rerank' ? (r.rerank as (...a: unknown[]) => Promise<unknown>)(...call.args) : (r.record as (...a: unknown[]) => Promise<unknown>)(...call.args);
      outcome = { value: await Promise.race([p, timeout]) };
    } catch (error) {
      outcome = { error };
    } finally {
      clearTimeout(timer);
    }
    stat.maxMs = Math.max(stat.maxMs, Math.round(performance.now() - t0));
    let problem: string | undefined;
    if ('error' in outcome) {
      stat.rejected++;
      problem = 'ok' in call.expect ? `rejected a valid call: ${String(outcome.error).slice(0, 200)}` : checkError(k, call, outcome.error);
    } else {
      stat.resolved++;
      if (!('ok' in call.expect)) problem = `resolved, but ${call.expect.field} was wrong`;
      else if (call.op === 'rerank') {
        problem = checkRanked(call, outcome.value);
        report.candidatesScored += (call.args[0] as unknown[]).length;
      } else expected.push(call.stored!);
    }
    if (problem && report.violations.length < 50) report.violations.push(`call ${i} (${call.kind}): ${problem}`);
  }
  report.prototypesUnchanged = protoSnapshot() === protoBefore && ({} as Record<string, unknown>).polluted === undefined && (window as unknown as { __fuzzPwned?: number }).__fuzzPwned === undefined;
  const history = await r.history();
  // The store keeps time order; equal times keep arrival order (a stable sort of what was recorded).
  const want = expected.map((e, i) => [e, i] as const).sort((a, b) => a[0].ts - b[0].ts || a[1] - b[1]).map(([e]) => e);
  report.historyLength = history.length;
  report.historyIntact = JSON.stringify(history) === JSON.stringify(want);
  if (!report.historyIntact) {
    const at = want.findIndex((e, i) => JSON.stringify(e) !== JSON.stringify(history[i]));
    report.violations.push(`history: ${history.length} events, expected ${want.length}; first difference at ${at}: ${JSON.stringify(history[at])?.slice(0, 300)} vs ${JSON.stringify(want[at])?.slice(0, 300)}`);
  }
  return report;
}
