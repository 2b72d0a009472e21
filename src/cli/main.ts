/** The `kindling` command line: generate | import | train | finetune | eval. */
import { parseArgs } from 'node:util';
import { ConfigError, DataError, ModelLoadError } from '../errors.ts';
import { useTrainingBackend } from '../node/tf-backend.ts';
import { evalCommand } from './eval.ts';
import { finetune } from './finetune.ts';
import { generate } from './generate.ts';
import { importCommand } from './import.ts';
import { train } from './train.ts';

const USAGE = `usage: kindling <command> [options]
  generate --out DIR [--seed S] [--users N] [--scale F] [--user-features]
  import   amazon --from DIR --out DIR [--domains a,b] [--max-train N] [--split time:0.8]
  train    --data DIR --out DIR [--gating mean|cls|domain] [--no-text] [--no-id] [--no-sparse] [--no-da]
           [--reg js|mmd|none] [--lambda L] [--experts N] [--epochs N] [--negatives K] [--seed S]
           [--split time:0.8] [--valid F] [--domains a,b] [--exclude-domains c] [--history N] [--batch B] [--lr R] [--resume]
           [--unknown-ids mask|hash] [--id-dropout P] [--text-vectors FILE]
  --unknown-ids: mask (default) leaves an ID the model never learnt out of ranking; hash reads its hashed bucket anyway.
  --id-dropout P: hide a known item's ID in a share P of training samples (DropoutNet; default 0.2).
  --text-vectors FILE: text vectors computed offline (scripts/encode-use-lite.ts) instead of the shipped encoder (train, finetune, eval).
  finetune --from DIR --data DIR --domain NAME --freeze l0|l0+encoder --out DIR [--epochs N] [--lr R]
           [--l2sp W] [--valid F] [--resume]
  --l2sp W: pull the fine-tuned weights towards the foundation's (W × squared distance, L2-SP; default 0.1, 0: off).
  --valid F: the latest F of the training period picks the epoch kept (best validation logloss).
  eval     --data DIR --model DIR [--json FILE] [--split time:0.8] [--negatives K] [--domains a,b]
Data format: docs/DATA.md. Exit codes: 0 done, 1 failure, 2 bad arguments or a bad data row.`;

const STRINGS = ['out', 'seed', 'users', 'scale', 'data', 'gating', 'reg', 'lambda', 'experts', 'epochs', 'negatives', 'split', 'domains', 'exclude-domains', 'history', 'batch', 'lr', 'from', 'domain', 'freeze', 'model', 'json', 'valid', 'l2sp', 'max-train', 'unknown-ids', 'id-dropout', 'text-vectors'];
const BOOLS = ['user-features', 'no-text', 'no-id', 'no-sparse', 'no-da', 'resume', 'help'];

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const commands: Record<string, (a: Record<string, string | boolean | undefined>, positionals: string[]) => Promise<unknown>> = { generate, import: importCommand, train, finetune, eval: evalCommand };
  if (!command || command === '--help' || command === 'help' || !commands[command]) {
    console.error(command && !['--help', 'help'].includes(command) ? `unknown command ${JSON.stringify(command)}\n${USAGE}` : USAGE);
    return command && !['--help', 'help'].includes(command) ? 2 : 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: command === 'import',
      options: Object.fromEntries([...STRINGS.map((s) => [s, { type: 'string' as const }]), ...BOOLS.map((b) => [b, { type: 'boolean' as const }])]),
      strict: true,
    });
    if ((values as Record<string, unknown>).help) {
      console.error(USAGE);
      return 0;
    }
    if (command !== 'generate' && command !== 'import') await useTrainingBackend();
    await commands[command](values as Record<string, string | boolean | undefined>, positionals);
    return 0;
  } catch (err) {
    const e = err as Error;
    if (err instanceof DataError || err instanceof ConfigError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`kindling ${command}: ${e.message}`);
      return 2;
    }
    console.error(`kindling ${command}: ${err instanceof ModelLoadError ? e.message : e.stack ?? e.message}`);
    return 1;
  }
}
