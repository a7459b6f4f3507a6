/** Training progress on stderr: a live bar on a terminal, plain periodic lines otherwise. */

/** Where progress goes: a writable stream, a terminal when `isTTY` is set. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Formats seconds as 1m05s or 4.2s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/** Shows steps done out of `total`, the latest loss and throughput in samples per second. */
export class Progress {
  private readonly start = performance.now();
  private lastLine = 0;
  private drawn = false;

  /** `batchSize` turns steps into samples; `lines` is how many plain lines to print in all when not a terminal. */
  constructor(readonly total: number, readonly batchSize: number, private readonly stream: ProgressStream = process.stderr, private readonly lines = 10) {}

  /** Seconds since the start. */
  get elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  /** The step this session started from (a resumed run's checkpoint step). */
  startStep = 0;

  /** Samples per second so far, after `step` steps. */
  rate(step: number): number {
    return ((step - this.startStep) * this.batchSize) / Math.max(1e-9, this.elapsed);
  }

  /** Reports that `step` steps are done, the latest loss being `loss`. */
  update(step: number, loss: number | undefined): void {
    const pct = Math.min(1, step / this.total);
    const rate = this.rate(step);
    const eta = step > 0 ? ((this.total - step) * this.batchSize) / rate : Infinity;
    const stats = `${step}/${this.total} · loss ${loss === undefined ? '…' : loss.toFixed(2)} · ${Math.round(rate)} samples/s · ${step >= this.total ? formatDuration(this.elapsed) : `ETA ${formatDuration(eta)}`}`;
    if (this.stream.isTTY) {
      const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - stats.length - 4));
      const filled = Math.round(pct * width);
      this.stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${stats}`);
      this.drawn = true;
    } else {
      const every = Math.max(1, Math.ceil(this.total / this.lines));
      if (Math.floor(step / every) > Math.floor(this.lastLine / every) || step >= this.total) {
        if (step !== this.lastLine) this.stream.write(`step ${stats}\n`);
        this.lastLine = step;
      }
    }
  }

  /** Prints a line without tearing the bar. */
  log(line: string): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.stream.write(`${line}\n`);
    this.drawn = false;
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
