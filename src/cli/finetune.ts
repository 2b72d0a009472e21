/** kindling finetune: a foundation model adapted to one domain (src/train/finetune.ts). */
import { reportTable } from '../eval/report.ts';
import { finetune, FREEZES } from '../train/finetune.ts';
import { DATA_FLAGS, DATA_USAGE, dataOptions, flags, optChoice, optNum, required, type Command } from './args.ts';
import { consoleProgress } from './progress.ts';

export const finetuneCommand: Command = {
  usage: `finetune --from DIR --data DIR --domain NAME --out DIR [--freeze l0|l0+encoder] [--epochs N] [--batch B] [--lr R]
           [--l2sp W] [--frozen-ids unknown|known] [--resume] [--valid F [--valid-metric auc|logloss] [--refit]] ${DATA_USAGE}
  --l2sp W: pull the fine-tuned weights towards the foundation's (W × squared distance, L2-SP; default 0: off; docs/RESULTS-REAL.md).
  --frozen-ids: a clicked ID whose row the foundation trained (frozen) ranks as new (unknown, the default)
  or reads that row (known: as before; another item's embedding).`,
  options: { ...DATA_FLAGS, ...flags(['valid', 'valid-metric', 'from', 'data', 'domain', 'out', 'freeze', 'epochs', 'batch', 'lr', 'l2sp', 'frozen-ids'], ['resume', 'refit']) },
  usesTf: true,
  async run(a) {
    const domain = required('domain', a.domain);
    const r = await finetune({
      ...dataOptions(a, required('data', a.data)),
      from: required('from', a.from),
      domain,
      out: required('out', a.out),
      freeze: optChoice('freeze', a.freeze, FREEZES),
      epochs: optNum('epochs', a.epochs, 1, 1000),
      batchSize: optNum('batch', a.batch, 8, 65536),
      learningRate: optNum('lr', a.lr, 1e-6, 1, false),
      l2sp: optNum('l2sp', a.l2sp, 0, 1e6, false),
      frozenIds: optChoice('frozen-ids', a['frozen-ids'], ['unknown', 'known'] as const),
      resume: !!a.resume,
      progress: consoleProgress(),
    });
    console.log(reportTable(r.report));
    const gain = r.report.overall.auc - r.foundation.overall.auc;
    console.log(`${domain} test AUC: foundation as it was ${r.foundation.overall.auc.toFixed(4)}, fine-tuned ${r.report.overall.auc.toFixed(4)} (${gain >= 0 ? '+' : ''}${gain.toFixed(4)}; foundation-eval.json)`);
    return r;
  },
};
