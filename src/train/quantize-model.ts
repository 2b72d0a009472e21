/**
 * quantizeModel(options): a model folder again, with its large tables stored as int8 with a scale per
 * row (src/model/quantize.ts): what a page downloads shrinks by about 70% for the shipped ranker,
 * the network is the same. Every other tensor stays float32. The page, `kindling eval`, `finetune`
 * and the PyTorch trainer read either form.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { disposeParams } from '../model/params.ts';
import { QUANTIZED_TABLES } from '../model/quantize.ts';
import { WEIGHTS_FILE } from '../model/serialize.ts';
import { loadRanker, saveRanker } from '../node/ranker-files.ts';

export interface QuantizeOptions {
  /** The model folder to read. */
  model: string;
  /** Where the quantised model goes (may be `model` itself). */
  out: string;
  /** The tables to store as int8 (default QUANTIZED_TABLES: emb.id, emb.sparse). */
  tables?: readonly string[];
}

export interface QuantizeResult {
  bytesBefore: number;
  bytesAfter: number;
  /** Per table: the largest change of a value, and its share of the table's largest value. */
  tables: Record<string, { maxAbsError: number; maxAbs: number }>;
}

export async function quantizeModel(o: QuantizeOptions): Promise<QuantizeResult> {
  const tables = o.tables ?? QUANTIZED_TABLES;
  const bytesBefore = statSync(join(o.model, WEIGHTS_FILE)).size;
  const { params, manifest } = await loadRanker(o.model);
  try {
    for (const t of tables) if (!params.has(t) || params.get(t)!.shape.length !== 2) throw new ConfigError('tables', `${t} is not a table of ${o.model}`);
    await saveRanker(o.out, params, manifest.config, { ...manifest.training, quantized: { tables: [...tables], from: manifest.checksums[WEIGHTS_FILE] } }, { quantize: tables });
    const { params: back } = await loadRanker(o.out);
    try {
      const report: QuantizeResult['tables'] = {};
      for (const t of tables) {
        const a = params.get(t)!.dataSync();
        const b = back.get(t)!.dataSync();
        let maxAbsError = 0;
        let maxAbs = 0;
        for (let i = 0; i < a.length; i++) {
          maxAbsError = Math.max(maxAbsError, Math.abs(a[i] - b[i]));
          maxAbs = Math.max(maxAbs, Math.abs(a[i]));
        }
        report[t] = { maxAbsError, maxAbs };
      }
      return { bytesBefore, bytesAfter: statSync(join(o.out, WEIGHTS_FILE)).size, tables: report };
    } finally {
      disposeParams(back);
    }
  } finally {
    disposeParams(params);
  }
}
