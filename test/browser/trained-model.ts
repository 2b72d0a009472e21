/**
 * A small model trained for a browser test: a synthetic world, `kindling train` with the test's own
 * flags (quietly), the shipped encoder beside it, and a route that serves the folder to a page.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { main } from '../../src/cli/main.ts';

/** Trains into `dir`/models/ranker on a world generated with `worldFlags`; returns the model base (`dir`/models). */
export async function trainSmallModel(dir: string, worldFlags: string[], trainFlags: string[]): Promise<string> {
  const modelBase = join(dir, 'models');
  const quiet = { log: console.log, error: console.error, write: process.stderr.write };
  console.log = console.error = () => {};
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const world = join(dir, 'world');
    if ((await main(['generate', '--out', world, '--seed', '5', '--users', '150', '--scale', '0.12', ...worldFlags])) !== 0) throw new Error('generate failed');
    const args = ['train', '--data', world, '--out', join(modelBase, 'ranker'), '--exclude-domains', 'miniapps', '--epochs', '2', '--history', '10', '--batch', '256', ...trainFlags];
    if ((await main(args)) !== 0) throw new Error(`kindling ${args.join(' ')} failed`);
  } finally {
    Object.assign(console, { log: quiet.log, error: quiet.error });
    process.stderr.write = quiet.write;
  }
  cpSync('models/encoder', join(modelBase, 'encoder'), { recursive: true });
  return modelBase;
}

/** The page reads the model from `${base}/${prefix}/`: the files of `modelBase`. */
export function serveModel(page: Page, base: string, prefix: string, modelBase: string) {
  return page.route(`${base}/${prefix}/**`, (route) => {
    const file = new URL(route.request().url()).pathname.replace(`/${prefix}/`, '');
    return route.fulfill({ body: readFileSync(join(modelBase, file)) });
  });
}
