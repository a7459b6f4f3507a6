/**
 * Grid of small images (samples, reconstructions) drawn pixel-exact and scaled up without smoothing.
 */
import { bumpDraws, prepareCanvas } from './canvasUtil';
import { themeColors, themeFont } from './theme';
import type { ImagesView } from '../../core/views';

/** A batch of images (values 0..1, HWC per image) with its grid shape: the core's images view. */
export type ImageGridData = Omit<ImagesView, 'kind' | 'id' | 'title'>;

const LABEL_PX = 10;
const offscreens = new WeakMap<HTMLCanvasElement, HTMLCanvasElement>();

/** Writes every image into an ImageData laid out as rows × cols tiles, 1 pixel per image pixel. */
function fillImageData(img: ImageData, data: ImageGridData, count: number, cols: number): void {
  const { height: H, width: W, pixels } = data;
  const C = data.channels === 3 ? 3 : 1;
  const out = img.data;
  const rowStride = cols * W * 4;
  const byte = (v: number): number => (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0);
  for (let i = 0; i < count; i++) {
    const r = Math.floor(i / cols);
    const c = i % cols;
    for (let y = 0; y < H; y++) {
      let src = (i * H + y) * W * C;
      let dst = (r * H + y) * rowStride + c * W * 4;
      for (let x = 0; x < W; x++, src += C, dst += 4) {
        if (C === 1) {
          const g = byte(pixels[src]);
          out[dst] = g;
          out[dst + 1] = g;
          out[dst + 2] = g;
        } else {
          out[dst] = byte(pixels[src]);
          out[dst + 1] = byte(pixels[src + 1]);
          out[dst + 2] = byte(pixels[src + 2]);
        }
        out[dst + 3] = 255;
      }
    }
  }
}

/** Draws the images as a grid fitted in the canvas's CSS box (centred, top-aligned), pixel-crisp; gap in CSS px. */
export function drawImageGrid(canvas: HTMLCanvasElement, data: ImageGridData, opts?: { gap?: number }): void {
  // Integer device-pixel scale unless that would shrink the grid by over 15%; no smoothing when enlarging.
  const surface = prepareCanvas(canvas);
  bumpDraws(canvas);
  if (!surface) return;
  const { ctx, width, height, dpr } = surface;
  const H = Math.floor(data.height);
  const W = Math.floor(data.width);
  const cols = Math.max(1, Math.floor(data.cols));
  const count = Math.max(0, Math.min(Math.floor(data.count), cols * 4096));
  if (count === 0 || !(H > 0) || !(W > 0)) return;
  const rows = Math.ceil(count / cols);
  const colors = themeColors();

  ctx.font = themeFont(LABEL_PX);
  let left = 0;
  if (data.rowLabels && data.rowLabels.length > 0) {
    for (const t of data.rowLabels.slice(0, rows)) left = Math.max(left, ctx.measureText(t).width);
    left = Math.ceil(left) + 6;
  }
  const top = data.colLabels && data.colLabels.length > 0 ? LABEL_PX + 5 : 0;

  // Layout in device pixels so the integer scale is exact on HiDPI screens.
  const gap = Math.max(0, Math.round((opts?.gap ?? 1) * dpr));
  const availW = (width - left) * dpr;
  const availH = (height - top) * dpr;
  const sW = (availW - gap * (cols - 1)) / (cols * W);
  const sH = (availH - gap * (rows - 1)) / (rows * H);
  let s = Math.min(sW, sH);
  if (!(s > 0)) return;
  // Whole device pixels per image pixel unless rounding down would waste more than 15% of the size.
  if (s >= 1 && Math.floor(s) / s >= 0.85) s = Math.floor(s);
  const tileW = W * s;
  const tileH = H * s;
  const gridW = cols * tileW + (cols - 1) * gap;
  const x0 = Math.round(left * dpr + Math.max(0, (availW - gridW) / 2));
  const y0 = Math.round(top * dpr);

  let off = offscreens.get(canvas);
  if (!off) {
    off = document.createElement('canvas');
    offscreens.set(canvas, off);
  }
  off.width = cols * W;
  off.height = rows * H;
  const octx = off.getContext('2d');
  if (!octx) return;
  const img = octx.createImageData(cols * W, rows * H);
  fillImageData(img, data, count, cols);
  octx.putImageData(img, 0, 0);

  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.imageSmoothingEnabled = s < 1;
  for (let i = 0; i < count; i++) {
    const r = Math.floor(i / cols);
    const c = i % cols;
    ctx.drawImage(off, c * W, r * H, W, H, x0 + c * (tileW + gap), y0 + r * (tileH + gap), tileW, tileH);
  }
  ctx.restore();

  ctx.fillStyle = colors.muted;
  ctx.font = themeFont(LABEL_PX);
  if (data.rowLabels) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let r = 0; r < Math.min(rows, data.rowLabels.length); r++) {
      ctx.fillText(data.rowLabels[r], x0 / dpr - 4, (y0 + r * (tileH + gap) + tileH / 2) / dpr);
    }
  }
  if (data.colLabels) {
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    for (let c = 0; c < Math.min(cols, data.colLabels.length); c++) {
      ctx.fillText(data.colLabels[c], (x0 + c * (tileW + gap) + tileW / 2) / dpr, y0 / dpr - 2, (tileW + gap) / dpr);
    }
  }
}

/** True when every pixel of the canvas has the same RGBA (nothing visible was drawn). */
export function isCanvasBlank(canvas: HTMLCanvasElement): boolean {
  const w = canvas.width;
  const h = canvas.height;
  if (w === 0 || h === 0) return true;
  let ctx = canvas.getContext('2d');
  if (!ctx) {
    // A WebGL (or bitmaprenderer) canvas: copy it onto a 2D canvas to read it.
    const copy = document.createElement('canvas');
    copy.width = w;
    copy.height = h;
    ctx = copy.getContext('2d');
    if (!ctx) return true;
    ctx.drawImage(canvas, 0, 0);
  }
  const bytes = ctx.getImageData(0, 0, w, h).data;
  const px = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  const first = px[0];
  for (let i = 1; i < px.length; i++) if (px[i] !== first) return false;
  return true;
}
