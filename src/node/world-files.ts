/** The synthetic world written as a data folder (docs/DATA.md), with world.json saying how it was made. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WORLD, generateWorld, type WorldOptions } from '../world/generate.ts';

export interface WorldFolderOptions {
  seed?: number;
  users?: number;
  /** Multiplies every domain's request count (default 1). */
  scale?: number;
  /** Also write users.jsonl (the events are the same either way). */
  userFeatures?: boolean;
}

/** Generates the world and writes items.jsonl, events.jsonl (users.jsonl) and world.json into `out`. */
export function writeWorld(out: string, o: WorldFolderOptions = {}) {
  const scale = o.scale ?? 1;
  const options: WorldOptions = {
    ...DEFAULT_WORLD,
    seed: o.seed ?? DEFAULT_WORLD.seed,
    users: o.users ?? DEFAULT_WORLD.users,
    requests: Object.fromEntries(Object.entries(DEFAULT_WORLD.requests).map(([d, n]) => [d, Math.max(1, Math.round(n * scale))])),
  };
  const w = generateWorld(options);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'items.jsonl'), w.items.map((i) => JSON.stringify(i)).join('\n') + '\n');
  writeFileSync(join(out, 'events.jsonl'), w.events.map(({ line, ...e }) => (void line, JSON.stringify(e))).join('\n') + '\n');
  if (o.userFeatures) writeFileSync(join(out, 'users.jsonl'), w.users.map((u) => JSON.stringify(u)).join('\n') + '\n');
  writeFileSync(join(out, 'world.json'), JSON.stringify({ generator: 'kindling synthetic world', options, userFeatures: !!o.userFeatures }, null, 1) + '\n');
  return w;
}
