/**
 * kindling import amazon --from DIR --out DIR [--domains a,b] [--max-train N] [--split time:0.8] [--semantic-ids N]
 * Writes items.jsonl and events.jsonl (docs/DATA.md) from Amazon Reviews 2018 in MiniOneRec's
 * processed layout (src/node/import-amazon.ts), with each event's split, and import.json saying how.
 */
import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { importAmazon } from '../node/import-amazon.ts';
import { flags, list, num, required, splitSpec, UsageError, type Command, type Values } from './args.ts';

const SOURCES = ['amazon'];

async function importData(a: Values, positionals: string[]) {
  const source = positionals[0];
  if (!SOURCES.includes(source)) throw new UsageError('source', `got ${JSON.stringify(source)}; allowed: ${SOURCES.join(', ')} (kindling import amazon --from DIR --out DIR)`);
  const from = required('from', a.from);
  const out = required('out', a.out);
  if (!existsSync(from)) throw new UsageError('--from', `no such folder: ${from}`);
  const domains = list(a.domains as string) ?? readdirSync(from).filter((f) => f.endsWith('.valid.csv')).map((f) => f.slice(0, -'.valid.csv'.length)).sort();
  if (!domains.length) throw new UsageError('--domains', `no <Domain>.valid.csv in ${from}`);
  const trainFraction = splitSpec(a.split as string | undefined) ?? 0.8;
  const maxTrain = a['max-train'] === undefined ? undefined : num('max-train', a['max-train'] as string, 0, 1, 1e9);
  const semanticIds = a['semantic-ids'] === undefined ? undefined : num('semantic-ids', a['semantic-ids'] as string, 0, 0, 3);
  const r = importAmazon({ from, domains, trainFraction, maxTrain, semanticIds });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'items.jsonl'), r.items.map((i) => JSON.stringify(i)).join('\n') + '\n');
  writeFileSync(join(out, 'events.jsonl'), r.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(out, 'import.json'), JSON.stringify({ source: 'amazon', from, domains, trainFraction, maxTrain, semanticIds: Object.fromEntries(Object.entries(r.stats).map(([d, s]) => [d, s.semanticIds])), stats: r.stats }, null, 1) + '\n');
  for (const [d, s] of Object.entries(r.stats)) {
    console.log(`${d}: ${s.rows} rows, ${s.users} users, ${s.items} items${s.semanticIds ? ` (semantic IDs: ${s.semanticIds} level${s.semanticIds > 1 ? 's' : ''})` : ''} -> ${s.train} train + ${s.test} test events${s.dropped ? ` (${s.dropped} later training events dropped by --max-train)` : ''}`);
  }
  console.log(`wrote ${r.items.length} items and ${r.events.length} events to ${out}`);
}

export const importCommand: Command = {
  usage: 'import   amazon --from DIR --out DIR [--domains a,b] [--max-train N] [--split time:0.8] [--semantic-ids N]',
  options: flags(['from', 'out', 'domains', 'max-train', 'split', 'semantic-ids']),
  positionals: true,
  run: importData,
};
