import { describe, expect, it } from 'vitest';
import { idbStore, memoryStore } from '../src/store/behaviour-store.ts';
import { MAX_ID_CHARS, validateEvent, type BehaviourEvent } from '../src/features/behaviour-event.ts';
import { InputError, StorageUnavailableError } from '../src/errors.ts';
import { validateRecommenderOptions, chooseRankerBackend } from '../src/runtime/options.ts';
import { MAX_CANDIDATES, validateCandidates, validateContext } from '../src/features/request.ts';

const e = (ts: number, item = `i${ts}`): BehaviourEvent => ({ item, domain: 'cards', action: 'click', ts });

describe('behaviour store', () => {
  it('keeps events in time order and only the newest `cap`', async () => {
    const s = memoryStore(3);
    for (const ts of [5, 1, 4, 9, 7]) await s.append(e(ts));
    expect((await s.list()).map((x) => x.ts)).toEqual([5, 7, 9]);
    await s.clear();
    expect(await s.list()).toEqual([]);
  });

  it('falls back to memory, with one warning, where IndexedDB does not exist (here: Node)', async () => {
    const warnings: unknown[] = [];
    const s = idbStore(10, (w) => warnings.push(w.error));
    await s.append(e(1));
    await s.append(e(2));
    expect((await s.list()).map((x) => x.ts)).toEqual([1, 2]);
    expect(s.inMemory).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBeInstanceOf(StorageUnavailableError);
  });

  it('checks recorded events by field and fills the time', () => {
    expect(validateEvent({ item: 'a', domain: 'd', action: 'view' }, 42)).toEqual({ item: 'a', domain: 'd', action: 'view', ts: 42 });
    expect(() => validateEvent({ item: 'a', domain: 'd', action: 'buy' })).toThrow('event.action: got "buy"; allowed: click, view, search');
    expect(() => validateEvent({ item: '', domain: 'd', action: 'click' })).toThrow(InputError);
    expect(() => validateEvent({ item: 'a', domain: 'd', action: 'click', ts: NaN })).toThrow('event.ts');
    expect(() => validateEvent(null)).toThrow('event: expected an object');
  });
});

describe('recommender options and arguments', () => {
  it('validates options in one place, naming the field', () => {
    expect(validateRecommenderOptions().relevanceWeight).toBe(0.5);
    expect(() => validateRecommenderOptions({ historyLimt: 5 } as never)).toThrow(/historyLimt: unknown option/);
    expect(() => validateRecommenderOptions({ relevanceWeight: 2 })).toThrow(/relevanceWeight/);
    expect(() => validateRecommenderOptions({ backend: 'webgl' as never })).toThrow(/backend: got "webgl"/);
  });
  it('chooses the backend from capabilities', () => {
    expect(chooseRankerBackend('auto', { browser: true, webgpu: true })).toBe('webgpu-fused');
    expect(chooseRankerBackend('webgpu', { browser: true, webgpu: true })).toBe('webgpu');
    expect(chooseRankerBackend('auto', { browser: true, webgpu: false })).toBe('cpu');
    expect(chooseRankerBackend('auto', { browser: false, webgpu: false })).toBe('cpu');
    expect(() => chooseRankerBackend('webgpu', { browser: true, webgpu: false })).toThrow(/no WebGPU adapter/);
  });
  it('checks candidates and context, dropping non-finite numeric features', () => {
    expect(validateCandidates([{ id: 'a', text: 't', features: { price: Infinity, brand: 'x' } }])).toEqual([{ id: 'a', text: 't', domain: undefined, features: { brand: 'x' } }]);
    expect(() => validateCandidates([{ id: 'a', text: 't', features: { x: {} } }])).toThrow('candidates[0].features.x: expected a string or a number, got object');
    expect(() => validateContext({ domain: 'd', query: 5 })).toThrow('context.query: expected a string, got number');
  });

  it('rejects duplicate ids and oversized calls, and reads features as own keys only', () => {
    expect(() => validateCandidates([{ id: 'a', text: '' }, { id: 'b', text: '' }, { id: 'a', text: '' }])).toThrow('candidates[2].id: "a" is also candidates[0].id; ids must be unique');
    const many = Array.from({ length: MAX_CANDIDATES + 1 }, (_, i) => ({ id: `c${i}`, text: '' }));
    expect(() => validateCandidates(many)).toThrow(`candidates: at most ${MAX_CANDIDATES} per call, got ${MAX_CANDIDATES + 1}`);
    expect(validateCandidates(many.slice(1))).toHaveLength(MAX_CANDIDATES);
    const [c] = validateCandidates([{ id: 'a', text: '', features: JSON.parse('{"__proto__": "p", "constructor": 3}') }]);
    expect(Object.getPrototypeOf(c.features)).toBe(null);
    expect(Object.entries(c.features!)).toEqual([['__proto__', 'p'], ['constructor', 3]]);
    expect(({} as Record<string, unknown>).p).toBeUndefined();
    expect(() => validateEvent({ item: 'i'.repeat(MAX_ID_CHARS + 1), domain: 'd', action: 'click' })).toThrow(`event.item: at most ${MAX_ID_CHARS} characters`);
    expect(validateEvent({ item: 'a', domain: 'd', action: 'click', text: 'x'.repeat(5000) }, 1).text).toHaveLength(2000);
  });
});
