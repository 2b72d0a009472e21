/**
 * Distillation (src/train/distill.ts): the targets are the click labels mixed with the teachers'
 * averaged logits, a teacher trained on other samples is refused by name, and `distill: K` trains
 * its teachers and then the student from them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { ConfigError } from '../src/errors.ts';
import { disposeParams } from '../src/model/params.ts';
import { loadNodeEncoder, prepareSamples, readDataSet, splitData } from '../src/node/pipeline.ts';
import { loadRanker } from '../src/node/ranker-files.ts';
import { useTrainingBackend } from '../src/node/tf-backend.ts';
import { sampleDomains } from '../src/train/data-options.ts';
import { logit, softLabels } from '../src/train/distill.ts';
import { train, type TrainOptions } from '../src/train/train.ts';
import { predictRanker } from '../src/train/trainer.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-distill-'));
const data = join(dir, 'world');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const manifest = (out: string) => JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).kindling;
const base = { data, excludeDomains: ['miniapps'], epochs: 1, negatives: 2, model: { historyLength: 8 } } satisfies Partial<TrainOptions>;
const teachers = [join(dir, 't2'), join(dir, 't3')];

beforeAll(async () => {
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  expect(await main(['generate', '--out', data, '--seed', '7', '--users', '60', '--scale', '0.08'])).toBe(0);
  quiet.mockRestore();
  await useTrainingBackend();
  await train({ ...base, out: teachers[0], seed: 2 });
  await train({ ...base, out: teachers[1], seed: 3 });
}, 300_000);

describe('distillation', () => {
  it('targets (1 − w)·label + w·σ(mean of the teachers\' logits), within 1e-6, on the samples the student trains on', async () => {
    const { manifest: m } = await loadRanker(teachers[0]);
    const set = readDataSet(data);
    const o = { ...base, seed: 1, trainFraction: 0.8 };
    const split = splitData(set, { ...o, onlyDomains: sampleDomains(set.events, o) });
    const encoder = await loadNodeEncoder(o);
    const p = await prepareSamples(set, split, m.config, encoder, o);
    try {
      const w = 0.25;
      const soft = await softLabels(p.train, p.textTable, teachers, w, { config: m.config, training: m.training });
      // Each teacher's own predictions, computed here without softLabels.
      const z = new Float64Array(p.train.n);
      for (const t of teachers) {
        const r = await loadRanker(t);
        const q = predictRanker(r.params, r.manifest.config, p.train, p.textTable).ctr;
        q.forEach((x, i) => (z[i] += Math.log(Math.min(Math.max(x, 1e-7), 1 - 1e-7) / (1 - Math.min(Math.max(x, 1e-7), 1 - 1e-7))) / teachers.length));
        disposeParams(r.params);
      }
      let worst = 0;
      for (let i = 0; i < p.train.n; i++) worst = Math.max(worst, Math.abs(soft.labels[i] - ((1 - w) * p.train.label[i] + w / (1 + Math.exp(-z[i])))));
      expect(worst).toBeLessThan(1e-6);
      // Not vacuous: both labels occur, and the teachers move them off 0 and 1.
      expect(new Set(p.train.label).size).toBe(2);
      expect(soft.labels.some((x) => x > 0.01 && x < 0.74)).toBe(true);
      expect(soft.record).toMatchObject({ distillWeight: w, teachers: [{ dir: teachers[0], seed: 2 }, { dir: teachers[1], seed: 3 }] });
      expect(logit(0)).toBeCloseTo(Math.log(1e-7), 3);
    } finally {
      p.textTable.dispose();
      await encoder.dispose();
    }
  }, 120_000);

  it('trains a student on its teachers\' labels (weight 0 leaves the run as it was, to the last weight); distill: K trains the teachers first', async () => {
    const plain = join(dir, 'plain');
    await train({ ...base, out: plain, seed: 1 });
    const zero = join(dir, 'zero');
    await train({ ...base, out: zero, seed: 1, teachers, distillWeight: 0 });
    expect(readFileSync(join(zero, 'weights.bin')).equals(readFileSync(join(plain, 'weights.bin')))).toBe(true);
    const student = join(dir, 'student');
    const r = await train({ ...base, out: student, seed: 1, teachers });
    expect(manifest(student).training).toMatchObject({ distillWeight: 0.5, teachers: [{ seed: 2 }, { seed: 3 }] });
    expect(manifest(student).training.loss[0]).not.toBe(manifest(plain).training.loss[0]);
    expect(r.report.overall.samples).toBeGreaterThan(0);

    const notes: string[] = [];
    const own = join(dir, 'own');
    await train({ ...base, out: own, seed: 1, distill: 2, progress: { note: (n) => notes.push(n) } });
    expect(notes.filter((n) => n.startsWith('teacher '))).toEqual([`teacher 1 of 2 (seed 2) into ${own}/teachers/seed-2`, `teacher 2 of 2 (seed 3) into ${own}/teachers/seed-3`]);
    // The same seeds and options as the teachers above: the same models, so the same student.
    expect(readFileSync(join(own, 'teachers/seed-3/weights.bin')).equals(readFileSync(join(teachers[1], 'weights.bin')))).toBe(true);
    expect(readFileSync(join(own, 'weights.bin')).equals(readFileSync(join(student, 'weights.bin')))).toBe(true);
    // Resumed with more epochs: the finished teachers are kept as they are, the student trains on from its checkpoint.
    const again: string[] = [];
    const teacherWeights = readFileSync(join(own, 'teachers/seed-2/weights.bin'));
    await train({ ...base, epochs: 2, out: own, seed: 1, distill: 2, resume: true, progress: { note: (n) => again.push(n) } });
    expect(again.filter((n) => n.startsWith('teacher '))).toEqual([`teacher 1 of 2 (seed 2): kept, already trained in ${own}/teachers/seed-2`, `teacher 2 of 2 (seed 3): kept, already trained in ${own}/teachers/seed-3`]);
    expect(readFileSync(join(own, 'teachers/seed-2/weights.bin')).equals(teacherWeights)).toBe(true);
    expect(again.some((n) => /resuming after epoch 1/.test(n))).toBe(true);
    expect(manifest(own).training).toMatchObject({ epochs: 2, distillWeight: 0.5 });
    expect(manifest(own).training.loss).toHaveLength(2);
  }, 300_000);

  it('refuses a teacher trained on other samples, and bad options, naming the option; nothing is written', async () => {
    const other = join(dir, 'other-split');
    await train({ ...base, out: other, seed: 2, trainFraction: 0.7 });
    const longer = join(dir, 'other-history');
    await train({ ...base, out: longer, seed: 2, model: { historyLength: 16 } });
    const never = join(dir, 'never');
    await expect(train({ ...base, out: never, teachers: [other] })).rejects.toThrow(ConfigError);
    await expect(train({ ...base, out: never, teachers: [other] })).rejects.toThrow(/^teachers: .*other-split: it was trained with trainFraction 0.7, not 0.8: it saw other events than this run's training events$/);
    await expect(train({ ...base, out: never, teachers: [teachers[0], longer] })).rejects.toThrow(/other-history: its historyLength differs/);
    await expect(train({ ...base, out: never, teachers: [join(dir, 'missing')] })).rejects.toThrow(/missing\/model.json: not found/);
    await expect(train({ ...base, out: never, teachers, distill: 2 })).rejects.toThrow('distill: trains its own teachers');
    await expect(train({ ...base, out: never, teachers: [] })).rejects.toThrow('teachers: got []; expected a list of model folders');
    await expect(train({ ...base, out: never, distillWeight: 0.3 })).rejects.toThrow("distillWeight: is the teachers' share");
    await expect(train({ ...base, out: never, teachers, distillWeight: 2 })).rejects.toThrow('distillWeight: got 2; expected a number from 0 to 1');
    await expect(train({ ...base, out: never, distill: 2, validFraction: 0.1, refit: true })).rejects.toThrow('refit: is not available with distillation');
    // A teacher that saw the validation events the student holds out.
    await expect(train({ ...base, out: never, teachers, validFraction: 0.1 })).rejects.toThrow(/t2: it was trained with validFraction null, not 0.1/);
    expect(existsSync(never)).toBe(false);
    // The CLI names its flags.
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(['train', '--data', data, '--out', never, '--distill', '2', '--teachers', teachers.join(',')])).toBe(2);
    expect(await main(['train', '--data', data, '--out', never, '--distill-weight', '0.3'])).toBe(2);
    expect(await main(['train', '--data', data, '--out', never, '--teachers', teachers.join(','), '--engine', 'torch'])).toBe(2);
    const said = err.mock.calls.map((c) => String(c[0])).join('\n');
    err.mockRestore();
    expect(said).toMatch(/--distill: trains its own teachers/);
    expect(said).toMatch(/--distill-weight: is the teachers' share/);
    expect(said).toMatch(/--teachers: not with --engine torch/);
    expect(existsSync(never)).toBe(false);
  }, 300_000);
});
