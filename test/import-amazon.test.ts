/**
 * kindling import amazon on a small hand-made folder in MiniOneRec's layout: the events it writes
 * (a user's first row brings its history, every row its target, time is row order, user ids
 * scoped by domain, each domain split by time), --max-train, and every malformed row stopping the
 * import with `file:line: field: problem` and exit code 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { importAmazon } from '../src/node/import-amazon.ts';
import { readDataSet } from '../src/node/pipeline.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-amazon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ITEMS = {
  '0': { title: 'Brass Hex Nut, 10-Pack', brand: 'Acme', categories: '' },
  '1': { title: 'Acme Super Glue', brand: 'Acme', categories: '' },
  '2': { title: 'Lab Flask 500 mL', brand: '', categories: ['Lab', 'Glass'] },
  '3': { title: 'Digital Angle Gauge', description: 'ignored', brand: 'Wixey' },
};
const HEADER = 'user_id,history_item_title,item_title,history_item_id,item_id,history_item_sid,item_sid';
// Row 2's title holds a newline and a comma inside quotes: the next row starts two lines later.
const ROWS = [
  'A1,"[\'Brass Hex Nut, 10-Pack\']","Acme Super Glue",[0],1,[],x',
  'A2,"[]","Lab Flask\n500 mL, glass",[3],2,[],x',
  'A1,"[]","Digital Angle Gauge","[0, 1]",3,[],x',
  'A2,"[]","x","[3, 2]",0,[],x',
  'A3,"[]","x","[1, 1]",2,[],x',
];
function folder(name: string, rows = ROWS, items: unknown = ITEMS, domain = 'Tools'): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, `${domain}.item.json`), JSON.stringify(items, null, 2));
  writeFileSync(join(d, `${domain}.valid.csv`), [HEADER, ...rows].join('\n') + '\n');
  return d;
}

async function cli(...args: string[]) {
  const err: string[] = [];
  const e = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const o = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    return { code: await main(args), err: err.join('\n') };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

describe('kindling import amazon', () => {
  it('writes events in row order: a user\'s first row brings its history, every row its target', () => {
    const r = importAmazon({ from: folder('ok'), domains: ['Tools'], trainFraction: 0.8 });
    const seq = r.events.map((e) => `${e.user.split(':')[1]}>${e.item.split(':')[1]}@${e.ts}`);
    // row 0: A1's history [0] then target 1; row 1: A2's history [3], target 2; row 2: A1 target 3 (its history repeats known events);
    // row 3: A2 target 0; row 4: A3's history [1, 1], target 2.
    expect(seq).toEqual(['A1>0@9', 'A1>1@10', 'A2>3@25', 'A2>2@26', 'A1>3@42', 'A2>0@58', 'A3>1@72', 'A3>1@73', 'A3>2@74']);
    expect(r.events.every((e) => e.user.startsWith('Tools:') && e.domain === 'Tools' && e.label === 1)).toBe(true);
    // 9 events: the earliest floor(0.8 * 9) = 7 train.
    expect(r.events.map((e) => e.split).join()).toBe('train,train,train,train,train,train,train,test,test');
    expect(r.stats.Tools).toEqual({ rows: 5, train: 7, test: 2, dropped: 0, users: 3, items: 4 });
  });

  it('reads title and brand as the text (the brand once), categories as a feature', () => {
    const r = importAmazon({ from: folder('ok'), domains: ['Tools'], trainFraction: 0.8 });
    const text = Object.fromEntries(r.items.map((i) => [i.id, i]));
    expect(text['Tools:0'].text).toBe('Brass Hex Nut, 10-Pack (Acme)');
    expect(text['Tools:1'].text).toBe('Acme Super Glue');
    expect(text['Tools:2']).toEqual({ id: 'Tools:2', text: 'Lab Flask 500 mL', domain: 'Tools', features: { category: 'Lab > Glass' } });
    expect(text['Tools:3'].features).toBeUndefined();
  });

  it('--max-train keeps only the first N training events and the whole test period', () => {
    const r = importAmazon({ from: folder('ok'), domains: ['Tools'], trainFraction: 0.8, maxTrain: 3 });
    expect(r.events.filter((e) => e.split === 'train').map((e) => e.ts)).toEqual([9, 10, 25]);
    expect(r.events.filter((e) => e.split === 'test').map((e) => e.ts)).toEqual([73, 74]);
    expect(r.stats.Tools.dropped).toBe(4);
  });

  it('writes a folder the data contract reads, and the CLI says what it wrote', async () => {
    const out = join(dir, 'contract');
    const r = await cli('import', 'amazon', '--from', folder('ok'), '--out', out);
    expect(r.code, r.err).toBe(0);
    const data = readDataSet(out);
    expect(data.items.size).toBe(4);
    expect(data.events).toHaveLength(9);
    expect(JSON.parse(readFileSync(join(out, 'import.json'), 'utf8')).domains).toEqual(['Tools']);
  });

  it.each([
    ['a history that is not a list', [ROWS[0], 'A2,"[]","x",[3; 4],2,[],x'], 'Tools.valid.csv:3: history_item_id: expected a list of item ids'],
    ['an unknown item', [ROWS[0], 'A2,"[]","x",[3],9,[],x'], 'Tools.valid.csv:3: item_id: unknown item 9 (not in Tools.item.json)'],
    ['an unknown history item', ['A2,"[]","x",[7],2,[],x'], 'Tools.valid.csv:2: history_item_id: unknown item 7'],
    // ROWS[1] spans lines 2-3 (a newline inside its quoted title).
    ['an empty user', [ROWS[1], ',"[]","x",[3],2,[],x'], 'Tools.valid.csv:4: user_id: empty'],
    ['a bad item id', [ROWS[0], 'A2,"[]","x",[3],two,[],x'], 'Tools.valid.csv:3: item_id: expected an item id, got "two"'],
  ])('stops on %s with file:line: field and exit code 2', async (_, rows, message) => {
    const r = await cli('import', 'amazon', '--from', folder(`bad-${message.length}-${rows.length}`, rows), '--out', join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('names a bad item by its line in the item file', async () => {
    const from = folder('bad-item', ROWS, { ...ITEMS, '2': { brand: 'x' } });
    const r = await cli('import', 'amazon', '--from', from, '--out', join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('Tools.item.json:12: 2.title: missing');
  });

  it('refuses an unknown source or a missing folder with exit code 2', async () => {
    expect((await cli('import', 'ebay', '--from', dir, '--out', join(dir, 'never'))).err).toContain('source: got "ebay"; allowed: amazon');
    expect((await cli('import', 'amazon', '--from', join(dir, 'nope'), '--out', join(dir, 'never'))).code).toBe(2);
  });
});
