/** kindling quantize: a model with its large tables as int8, a scale per row (src/train/quantize-model.ts). */
import { quantizeModel } from '../train/quantize-model.ts';
import { flags, required, type Command } from './args.ts';

export const quantizeCommand: Command = {
  usage: `quantize --model DIR --out DIR [--tables emb.id,emb.sparse]
  the model again with those tables as int8 with a scale per row (what the page downloads shrinks; the
  page, eval, finetune and the PyTorch trainer read it as they read the float32 one).`,
  options: flags(['model', 'out', 'tables']),
  usesTf: true,
  async run(a) {
    const tables = typeof a.tables === 'string' ? a.tables.split(',').map((t) => t.trim()).filter(Boolean) : undefined;
    const r = await quantizeModel({ model: required('model', a.model), out: required('out', a.out), tables });
    for (const [t, e] of Object.entries(r.tables)) console.log(`${t}: largest change ${e.maxAbsError.toExponential(2)} (${((100 * e.maxAbsError) / (e.maxAbs || 1)).toFixed(2)}% of its largest value)`);
    console.log(`weights.bin: ${r.bytesBefore.toLocaleString('en-US')} -> ${r.bytesAfter.toLocaleString('en-US')} bytes, in ${a.out}`);
    return r;
  },
};
