/**
 * kindling generate --out DIR [--seed S] [--users N] [--scale F] [--user-features]: writes the
 * synthetic world (with --user-features also users.jsonl; the events are the same either way).
 */
import { writeWorld } from '../node/world-files.ts';
import { flags, optNum, required, type Command } from './args.ts';

export const generateCommand: Command = {
  usage: 'generate --out DIR [--seed S] [--users N] [--scale F] [--user-features]',
  options: flags(['out', 'seed', 'users', 'scale'], ['user-features']),
  async run(a) {
    const out = required('out', a.out);
    const w = writeWorld(out, {
      seed: optNum('seed', a.seed, 0, 2 ** 31),
      users: optNum('users', a.users, 10, 1_000_000),
      scale: optNum('scale', a.scale, 0.01, 20, false),
      userFeatures: !!a['user-features'],
    });
    const domains = [...new Set(w.events.map((e) => e.domain))].map((d) => `${d} ${w.events.filter((e) => e.domain === d).length}`);
    console.log(`wrote ${w.items.length} items and ${w.events.length} events (${domains.join(', ')}) to ${out}`);
  },
};
