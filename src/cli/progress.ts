import type { FitProgress } from '../train/fit.ts';
import type { ShardProgress } from '../train/export.ts';

/** A one-line progress bar with ETA for long runs; plain lines every 10% when not on a terminal. */
export class Progress {
  private start = performance.now();
  private lastDecile = -1;

  constructor(private readonly label: string, private readonly total: number, private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(done: number, extra = '') {
    const frac = Math.min(1, done / this.total);
    const elapsed = (performance.now() - this.start) / 1000;
    const eta = frac > 0 ? elapsed / frac - elapsed : NaN;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
    const line = `${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${extra} ETA ${fmt(eta)}`;
    if (this.out.isTTY) this.out.write(`\r${line}\x1b[K`);
    else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.out.write(`${line}\n`);
      }
    }
  }

  done(extra = '') {
    const elapsed = (performance.now() - this.start) / 1000;
    const line = `${this.label} done in ${fmt(elapsed)} ${extra}`;
    this.out.write(this.out.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}

export function fmt(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** A training run's progress on stderr: a bar per epoch, and the run's notes as lines. */
export function consoleProgress(): FitProgress {
  let bar: Progress | undefined;
  return {
    batch: (b) => {
      if (b.batch === 0) bar = new Progress(`epoch ${b.epoch + 1}/${b.epochs}`, b.batches);
      bar!.update(b.batch + 1, `loss ${b.loss.toFixed(4)} (ctr ${b.ctr.toFixed(3)} sim ${b.sim.toFixed(3)} reg ${b.reg.toFixed(4)}${b.l2sp ? ` l2sp ${b.l2sp.toFixed(4)}` : ''})`);
    },
    epoch: (e) => bar?.done(`mean loss ${e.loss.toFixed(4)}, ${Math.round(e.samplesPerSecond)} samples/s${e.validLoss === undefined ? '' : `, validation AUC ${e.validAuc?.toFixed(4)}, logloss ${e.validLoss.toFixed(4)}`}`),
    note: (text) => console.error(text),
  };
}

/** An export's progress on stderr: a bar per split, moved by each shard written. */
export function exportProgress(): (p: ShardProgress) => void {
  const bars: Record<string, Progress> = {};
  return ({ split, written, total }) => {
    const bar = (bars[split] ??= new Progress(`export ${split}`, total));
    bar.update(written, `${written}/${total} samples`);
    if (written === total) bar.done(`${total} samples`);
  };
}
