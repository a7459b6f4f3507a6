/** Training speed over the last few seconds, from marks taken when the loss is read. */

/** How far back the speed looks. */
const SPEED_WINDOW_MS = 3000;

/** Samples per second over a sliding window of marks. */
export class SpeedMeter {
  private marks: Array<{ t: number; samples: number }> = [];
  private samples = 0;

  /** Counts `samples` trained at time `now`; `mark` when the GPU has caught up (a loss read), so the time is real. */
  add(samples: number, now: number, mark: boolean): void {
    this.samples += samples;
    if (!mark) return;
    this.marks.push({ t: now, samples: this.samples });
    while (this.marks.length > 2 && now - this.marks[0].t > SPEED_WINDOW_MS) this.marks.shift();
  }

  /** Forgets the marks (after a pause, a reset or a restore). */
  clear(): void {
    this.marks = [];
    this.samples = 0;
  }

  /** Samples per second between the oldest and newest mark, 0 before two marks. */
  get samplesPerSec(): number {
    const m = this.marks;
    if (m.length < 2) return 0;
    const a = m[0], b = m[m.length - 1];
    return ((b.samples - a.samples) * 1000) / Math.max(1, b.t - a.t);
  }
}
