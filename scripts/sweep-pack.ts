/**
 * Packing exports for the trip to another machine (scripts/sweep-real.ts prepare --pack): every export's
 * text table holds the same item texts in another order, so each distinct vector is stored once
 * (canon.f32) and each export keeps its rows' indices (text-table.idx, int32). kindling_torch.sweep
 * writes the tables back before it trains, and each manifest's SHA-256 checks them.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Copies the folders of `root` that `take` names into `staging`, their text tables as indices into staging/canon.f32. */
export function stageFolders(root: string, take: (name: string) => boolean, staging: string): { folders: number; vectors: number } {
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const rows = new Map<string, number>();
  const canon: Buffer[] = [];
  let folders = 0;
  for (const name of readdirSync(root).filter((n) => take(n) && statSync(join(root, n)).isDirectory())) {
    const dir = join(root, name);
    mkdirSync(join(staging, name));
    folders++;
    for (const f of readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile())) {
      if (f !== 'text-table.f32') {
        copyFileSync(join(dir, f), join(staging, name, f));
        continue;
      }
      const { textTable } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      const bytes = readFileSync(join(dir, f));
      const width = textTable.dim * 4;
      if (bytes.length !== textTable.rows * width) throw new Error(`${join(dir, f)}: ${bytes.length} bytes, the manifest says ${textTable.rows} rows of ${textTable.dim}`);
      const idx = new Int32Array(textTable.rows);
      for (let r = 0; r < idx.length; r++) {
        const row = bytes.subarray(r * width, (r + 1) * width);
        const key = row.toString('base64');
        if (!rows.has(key)) rows.set(key, canon.push(Buffer.from(row)) - 1);
        idx[r] = rows.get(key)!;
      }
      writeFileSync(join(staging, name, 'text-table.idx'), new Uint8Array(idx.buffer));
    }
  }
  writeFileSync(join(staging, 'canon.f32'), Buffer.concat(canon));
  return { folders, vectors: canon.length };
}

/** stageFolders, then one .tar.xz of it at `out`. */
export function packFolder(root: string, take: (name: string) => boolean, out: string) {
  const staging = `${out}.staging`;
  const { folders, vectors } = stageFolders(root, take, staging);
  const tar = spawnSync('tar', ['cJf', out, '-C', staging, '.'], { stdio: 'inherit', env: { ...process.env, XZ_OPT: '-6 -T2' } });
  rmSync(staging, { recursive: true, force: true });
  if (tar.status !== 0) throw new Error(`tar cJf ${out} failed (exit ${tar.status})`);
  console.log(`${out}: ${folders} folders, ${(statSync(out).size / 2 ** 20).toFixed(1)} MiB (${vectors} distinct text vectors)`);
}
