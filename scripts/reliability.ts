/**
 * npm run reliability — runs every reliability test (test/browser/reliability*.browser.test.ts,
 * headless Chromium with WebGPU on SwiftShader) and writes docs/RELIABILITY.md from what each
 * test recorded (test/browser/report.ts): each case, how many inputs were tried, what happened,
 * and what became of the user's data. Exits non-zero if any test failed (the report says which).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CaseReport } from '../test/browser/report.ts';

const DIR = '.cache/reliability';
const VITEST_JSON = '.cache/reliability-vitest.json';
const GROUPS = ['Bad input', 'Many tabs', 'Storage failures', 'GPU failures', 'Corrupt models', 'Memory', 'Hostile text', 'Privacy'];

rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const t0 = Date.now();
const run = spawnSync('npx', ['vitest', 'run', 'test/browser/reliability', '--reporter=default', '--reporter=json', `--outputFile=${VITEST_JSON}`], {
  stdio: 'inherit',
  env: { ...process.env, KINDLING_RELIABILITY_DIR: DIR },
});
const seconds = Math.round((Date.now() - t0) / 1000);

interface Assertion {
  title: string;
  fullName: string;
  status: string;
  duration?: number;
}
const vitest = existsSync(VITEST_JSON) ? JSON.parse(readFileSync(VITEST_JSON, 'utf8')) : { testResults: [] };
const tests: (Assertion & { file: string })[] = vitest.testResults.flatMap((f: { name: string; assertionResults: Assertion[] }) => f.assertionResults.map((a) => ({ ...a, file: f.name.replace(`${process.cwd()}/`, '') })));
const failed = tests.filter((t) => t.status !== 'passed');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as CaseReport);

const chromium = spawnSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const sections = GROUPS.map((g) => {
  const rows = cases.filter((c) => c.group === g);
  if (!rows.length) return `## ${g}\nNo case recorded (see the test list below).\n`;
  return [`## ${g}`, '| case | tried | what happened | the user\'s data |', '|---|---|---|---|', ...rows.map((c) => `| ${cell(c.case)} | ${cell(c.tried)} | ${cell(c.happened)} | ${cell(c.lost)} |`), ''].join('\n');
});
const md = `# Reliability

Written by \`npm run reliability\` (scripts/reliability.ts) on ${new Date().toISOString().slice(0, 10)}; ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
${chromium} headless, WebGPU on SwiftShader (a CPU Vulkan driver), Node ${process.version}. ${tests.length} tests in
${new Set(tests.map((t) => t.file)).size} files, ${tests.length - failed.length} passed, ${failed.length} failed, in ${seconds} s. Every row below is written by the test that
checks it (test/browser/reliability*.browser.test.ts); the assertions are in the tests.
${failed.length ? `\n**Failed:**\n${failed.map((t) => `- ${t.fullName} (${t.file})`).join('\n')}\n` : ''}
${sections.join('\n')}
## The tests
| test | file | result | ms |
|---|---|---|---|
${tests.map((t) => `| ${cell(t.fullName)} | ${t.file} | ${t.status} | ${Math.round(t.duration ?? 0)} |`).join('\n')}
`;
mkdirSync('docs', { recursive: true });
writeFileSync('docs/RELIABILITY.md', md);
console.log(`\nwrote docs/RELIABILITY.md: ${cases.length} cases, ${tests.length} tests, ${failed.length} failed`);
process.exit(run.status === 0 && !failed.length && tests.length ? 0 : 1);
