/**
 * npm run reliability — runs every reliability test (test/browser/reliability*.browser.test.ts,
 * headless Chromium with WebGPU on SwiftShader) and writes docs/RELIABILITY.md from what each
 * test recorded (test/browser/report.ts): each case, how many inputs were tried, what happened,
 * and what became of the user's data. Exits non-zero if any test failed (the report says which).
 * `npm run reliability -- --from-last-run` writes it from the tests `npm test` just ran instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CaseReport } from '../test/browser/report.ts';

const DIR = '.cache/reliability';
const VITEST_JSON = '.cache/reliability-vitest.json';
const LAST_RUN = '.cache/vitest-last-run.json'; // written by every vitest run (vite.config.ts)
const GROUPS = ['Bad input', 'Many tabs', 'Storage failures', 'GPU failures', 'Corrupt models', 'Memory', 'Hostile text', 'Privacy'];

interface Assertion {
  title: string;
  fullName: string;
  status: string;
  duration?: number;
}
interface FileResult {
  name: string;
  startTime: number;
  endTime: number;
  assertionResults: Assertion[];
}
const isReliability = (name: string) => /test\/browser\/reliability[^/]*\.browser\.test\.ts$/.test(name);

/**
 * --from-last-run: no second run. `npm test` already ran every reliability test, its JSON reporter
 * wrote .cache/vitest-last-run.json (vite.config.ts) and each test its case record; the report is
 * written from those, refusing a last run that left out a reliability file. (CI uses this.)
 */
function fromLastRun(): { status: number; seconds: number; files: FileResult[]; since: number } {
  const refuse = (why: string): never => {
    console.error(`npm run reliability -- --from-last-run: ${why}`);
    process.exit(2);
  };
  if (!existsSync(LAST_RUN)) refuse(`${LAST_RUN} is missing; run npm test first`);
  const last = JSON.parse(readFileSync(LAST_RUN, 'utf8')) as { startTime: number; testResults: FileResult[] };
  const files = last.testResults.filter((f) => isReliability(f.name));
  const expected = readdirSync('test/browser').filter((f) => isReliability(`test/browser/${f}`));
  const missing = expected.filter((f) => !files.some((r) => r.name.endsWith(`/test/browser/${f}`)));
  if (missing.length) refuse(`the last test run left out ${missing.join(', ')}; run npm test (every file), or npm run reliability alone`);
  const seconds = Math.round(files.reduce((t, f) => t + (f.endTime - f.startTime), 0) / 1000);
  return { status: 0, seconds, files, since: last.startTime };
}

function runAgain(): { status: number; seconds: number; files: FileResult[]; since: number } {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const t0 = Date.now();
  const run = spawnSync('npx', ['vitest', 'run', 'test/browser/reliability', '--reporter=default', '--reporter=json', `--outputFile=${VITEST_JSON}`], {
    stdio: 'inherit',
    env: { ...process.env, KINDLING_RELIABILITY_DIR: DIR },
  });
  const seconds = Math.round((Date.now() - t0) / 1000);
  const vitest = existsSync(VITEST_JSON) ? JSON.parse(readFileSync(VITEST_JSON, 'utf8')) : { testResults: [] };
  return { status: run.status ?? 1, seconds, files: vitest.testResults, since: t0 };
}

const run = process.argv.includes('--from-last-run') ? fromLastRun() : runAgain();
const seconds = run.seconds;
const tests: (Assertion & { file: string })[] = run.files.flatMap((f) => f.assertionResults.map((a) => ({ ...a, file: f.name.replace(`${process.cwd()}/`, '') })));
const failed = tests.filter((t) => t.status !== 'passed');
// Only records written by the run the report is about (an older run's may still be there).
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && statSync(join(DIR, f)).mtimeMs >= run.since - 1000)
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
