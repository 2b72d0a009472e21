/** The `kindling` command line: generate | import | train | finetune | eval | export | quantize, each with flags of its own. */
import { parseArgs } from 'node:util';
import { ConfigError, DataError, ModelLoadError } from '../errors.ts';
import { useTrainingBackend } from '../node/tf-backend.ts';
import type { Command, Values } from './args.ts';
import { evalCommand } from './eval.ts';
import { exportCommand } from './export.ts';
import { finetuneCommand } from './finetune.ts';
import { generateCommand } from './generate.ts';
import { importCommand } from './import.ts';
import { quantizeCommand } from './quantize.ts';
import { trainCommand } from './train.ts';

export const COMMANDS: Record<string, Command> = { generate: generateCommand, import: importCommand, train: trainCommand, finetune: finetuneCommand, eval: evalCommand, export: exportCommand, quantize: quantizeCommand };

const USAGE = `usage: kindling <command> [options]
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join('\n')}
  --unknown-ids: mask (default) leaves an ID the model never learnt out of ranking; hash reads its hashed bucket anyway.
  --id-dropout P: hide a known item's ID in a share P of training samples (DropoutNet; default 0.2).
  --text-vectors FILE: text vectors computed offline (scripts/encode-use-lite.ts) instead of the shipped encoder.
  --valid F: the latest F of the training period picks the epoch kept (best validation AUC; --valid-metric logloss:
  lowest logloss); --refit then trains again on the whole period for that many epochs (OUT/refit-validation keeps the first run).
Data format: docs/DATA.md. Exit codes: 0 done, 1 failure, 2 bad arguments or a bad data row.`;

const isHelp = (a: string | undefined) => a === '--help' || a === 'help' || a === '-h';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    const unknown = name !== undefined && !isHelp(name);
    console.error(unknown ? `unknown command ${JSON.stringify(name)}\n${USAGE}` : USAGE);
    return unknown ? 2 : 0;
  }
  if (rest.some(isHelp)) {
    console.error(`usage: kindling ${command.usage}\n(kindling --help: every command)`);
    return 0;
  }
  try {
    // strict: a flag this command does not take is an error, also one another command takes.
    const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: !!command.positionals, strict: true });
    if (command.usesTf) await useTrainingBackend();
    await command.run(values as Values, positionals);
    return 0;
  } catch (err) {
    const e = err as Error;
    if (err instanceof DataError || err instanceof ConfigError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`kindling ${name}: ${e.message}`);
      return 2;
    }
    console.error(`kindling ${name}: ${err instanceof ModelLoadError ? e.message : e.stack ?? e.message}`);
    return 1;
  }
}
