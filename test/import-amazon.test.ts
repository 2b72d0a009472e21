/**
 * kindling import amazon on a small hand-made folder in MiniOneRec's layout: the events it writes
 * (a user's first row brings its history, every row its target, time is row order, user ids
 * scoped by domain, each domain split by time), --max-train, and every malformed row stopping the
 * import with `file:line: field: problem` and exit code 2; the source's semantic IDs as item features.
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

// MiniOneRec's info.txt: semantic ID, title (may hold a tab), item id.
const INFO = ['<a_1><b_2><c_3>\tBrass Hex Nut, 10-Pack\t0', '<a_1><b_5><c_6>\tAcme Super Glue\t1', '<a_7><b_2><c_3>\tLab\tFlask 500 mL\t2', '<a_7><b_2><c_9>\tDigital Angle Gauge\t3'];
function withInfo(name: string, info = INFO): string {
  const d = folder(name);
  writeFileSync(join(d, 'Tools.info.txt'), info.join('\n') + '\n');
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
    expect(r.stats.Tools).toEqual({ rows: 5, train: 7, test: 2, dropped: 0, users: 3, items: 4, semanticIds: 0 });
  });

  it('reads title and brand as the text (the brand once), categories as a feature', () => {
    const r = importAmazon({ from: folder('ok'), domains: ['Tools'], trainFraction: 0.8 });
    const text = Object.fromEntries(r.items.map((i) => [i.id, i]));
    expect(text['Tools:0'].text).toBe('Brass Hex Nut, 10-Pack (Acme)');
    expect(text['Tools:1'].text).toBe('Acme Super Glue');
    expect(text['Tools:2']).toEqual({ id: 'Tools:2', text: 'Lab Flask 500 mL', domain: 'Tools', features: { category: 'Lab > Glass' } });
    expect(text['Tools:3'].features).toBeUndefined();
  });

  it('keeps the first N levels of the semantic ID as features with semanticIds N (none by default)', () => {
    const from = withInfo('sid');
    const feature = (levels?: number) => Object.fromEntries(importAmazon({ from, domains: ['Tools'], trainFraction: 0.8, semanticIds: levels }).items.map((i) => [i.id, i.features]));
    expect(feature()['Tools:0']).toBeUndefined();
    const one = feature(1);
    expect(one['Tools:0']).toEqual({ semantic_id_1: 'Tools:a_1' });
    // Scoped by domain (each domain has its own codebooks), and beside the categories.
    expect(one['Tools:2']).toEqual({ category: 'Lab > Glass', semantic_id_1: 'Tools:a_7' });
    expect(feature(2)['Tools:3']).toEqual({ semantic_id_1: 'Tools:a_7', semantic_id_2: 'Tools:a_7 b_2' });
    expect(feature(3)['Tools:1']).toEqual({ semantic_id_1: 'Tools:a_1', semantic_id_2: 'Tools:a_1 b_5', semantic_id_3: 'Tools:a_1 b_5 c_6' });
    expect(feature(0)['Tools:0']).toBeUndefined();
    // The events are the same either way.
    expect(importAmazon({ from, domains: ['Tools'], trainFraction: 0.8, semanticIds: 1 }).events).toEqual(importAmazon({ from, domains: ['Tools'], trainFraction: 0.8 }).events);
    expect(() => importAmazon({ from, domains: ['Tools'], trainFraction: 0.8, semanticIds: 4 })).toThrow('semanticIds: expected 0 to 3 levels, got 4');
  });

  it('records the semantic-ID levels in import.json, and --semantic-ids reaches the items', async () => {
    const out = join(dir, 'sid-cli');
    const r = await cli('import', 'amazon', '--from', withInfo('sid-cli-in'), '--out', out, '--semantic-ids', '2');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'import.json'), 'utf8')).semanticIds).toEqual({ Tools: 2 });
    expect(readDataSet(out).items.get('Tools:3')!.features).toEqual({ semantic_id_1: 'Tools:a_7', semantic_id_2: 'Tools:a_7 b_2' });
    expect((await cli('import', 'amazon', '--from', withInfo('sid-cli-bad'), '--out', out, '--semantic-ids', '5')).err).toContain('--semantic-ids');
  });

  it.each([
    ['a missing info.txt when levels are asked for', undefined, 'Tools.info.txt:0: (file): not found'],
    ['a semantic ID without three codes', [INFO[0], '<a_1><b_5>\tAcme Super Glue\t1'], 'Tools.info.txt:2: semantic_id: expected 3 codes like <a_60><b_159><c_203>, got "<a_1><b_5>"'],
    ['a row without tabs', [INFO[0], '<a_1><b_5><c_6> Acme 1'], 'Tools.info.txt:2: (row): expected semantic_id, title and item_id separated by tabs'],
    ['an unknown item', [...INFO, '<a_1><b_1><c_1>\tx\t9'], 'Tools.info.txt:5: item_id: unknown item 9 (not in Tools.item.json)'],
    ['an item with two rows', [...INFO, '<a_1><b_1><c_1>\tx\t0'], 'Tools.info.txt:5: item_id: item 0 has a second row'],
    ['an item with no row', INFO.slice(0, 3), 'Tools.info.txt:0: item_id: no row for item 3 of Tools.item.json'],
  ])('stops on %s with file:line: field and exit code 2', async (_, info, message) => {
    const from = info ? withInfo(`sid-bad-${message.length}`, info) : folder('sid-none');
    const r = await cli('import', 'amazon', '--from', from, '--out', join(dir, 'never'), '--semantic-ids', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
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
