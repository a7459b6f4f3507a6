/** Bar chart of labelled values (e.g. the next-character distribution): one bar per label, value above it. */
import { bumpDraws, formatValue, prepareCanvas } from './canvasUtil';
import { themeColors, themeFont } from './theme';
import type { BarsView } from '../../core/views';

/** What drawBars needs of a bars view (its title is the card's caption). */
export type BarsData = Omit<BarsView, 'kind' | 'id' | 'title'>;

const PAD = 8;
const LABEL_PX = 12;
const identity = (s: string): string => s;

/** Draws one bar per label, scaled to the largest value, with the label below and the value above; `t` translates the y label. */
export function drawBars(canvas: HTMLCanvasElement, view: BarsData, t: (s: string) => string = identity): void {
  const surface = prepareCanvas(canvas);
  bumpDraws(canvas);
  if (!surface) return;
  const { ctx, width, height } = surface;
  const colors = themeColors();
  const n = Math.min(view.labels.length, view.values.length);
  let max = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(view.values[i])) max = Math.max(max, view.values[i]);
  const top = PAD + LABEL_PX + 4, bottom = height - PAD - LABEL_PX - 6;
  const slot = (width - 2 * PAD) / Math.max(1, n);
  ctx.font = themeFont(LABEL_PX);
  ctx.textAlign = 'center';
  ctx.fillStyle = colors.fg;
  ctx.textBaseline = 'top';
  ctx.fillText(t(view.yLabel), width / 2, PAD - 4);
  for (let i = 0; i < n; i++) {
    const v = Number.isFinite(view.values[i]) ? view.values[i] : 0;
    const h = max > 0 ? ((bottom - top - LABEL_PX) * v) / max : 0;
    const x = PAD + i * slot;
    ctx.fillStyle = colors.series[0];
    ctx.fillRect(Math.round(x + slot * 0.15), Math.round(bottom - h), Math.max(1, Math.round(slot * 0.7)), Math.round(h));
    ctx.fillStyle = colors.fg;
    ctx.textBaseline = 'bottom';
    ctx.fillText(formatValue(v), x + slot / 2, bottom - h - 2);
    ctx.textBaseline = 'top';
    ctx.fillText(view.labels[i], x + slot / 2, bottom + 4);
  }
}
