/**
 * kindling generate --out DIR [--seed S] [--users N] [--scale F] [--user-features]: writes the
 * synthetic world (with --user-features also users.jsonl; the events are the same either way).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WORLD, generateWorld } from '../world/generate.ts';
import { num, required } from './args.ts';

export async function generate(a: Record<string, string | boolean | undefined>) {
  const out = required('out', a.out as string);
  const scale = num('scale', a.scale as string, 1, 0.01, 20, false);
  const options = {
    ...DEFAULT_WORLD,
    seed: num('seed', a.seed as string, DEFAULT_WORLD.seed, 0, 2 ** 31),
    users: num('users', a.users as string, DEFAULT_WORLD.users, 10, 1_000_000),
    requests: Object.fromEntries(Object.entries(DEFAULT_WORLD.requests).map(([d, n]) => [d, Math.max(1, Math.round(n * scale))])),
  };
  const w = generateWorld(options);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'items.jsonl'), w.items.map((i) => JSON.stringify(i)).join('\n') + '\n');
  writeFileSync(join(out, 'events.jsonl'), w.events.map(({ line, ...e }) => JSON.stringify(e)).join('\n') + '\n');
  if (a['user-features']) writeFileSync(join(out, 'users.jsonl'), w.users.map((u) => JSON.stringify(u)).join('\n') + '\n');
  writeFileSync(join(out, 'world.json'), JSON.stringify({ generator: 'kindling synthetic world', options, userFeatures: !!a['user-features'] }, null, 1) + '\n');
  const domains = [...new Set(w.events.map((e) => e.domain))].map((d) => `${d} ${w.events.filter((e) => e.domain === d).length}`);
  console.log(`wrote ${w.items.length} items and ${w.events.length} events (${domains.join(', ')}) to ${out}`);
}
