/** Draws what the driver reports onto the layout: loss charts, image grids and the latent scatter. */
import type { EpochRow, StepRow } from '../core/loop';
import type { View } from '../core/views';
import type { WebviewString } from '../shared/strings';
import type { Layout } from './layout';
import { drawImageGrid } from './views/imageGrid';
import { drawLineChart, type Series } from './views/lineChart';
import { drawScatter } from './views/scatter';
import { yieldToEventLoop } from './scheduler';

type Point = [number, number];

/** Keeps the curves and the latest views, and redraws them on demand. */
export class Renderer {
  private readonly train = { negElbo: [] as Point[], recon: [] as Point[], kl: [] as Point[] };
  private readonly heldout = { negElbo: [] as Point[], kl: [] as Point[] };
  private views: View[] = [];
  private focus = 0;
  private chartTimer: ReturnType<typeof setTimeout> | undefined;

  /** Draws into `layout`, with `t` translating labels. */
  constructor(private readonly layout: Layout, private readonly t: (s: WebviewString) => string) {}

  /** Forgets every curve (after a reset). */
  clear(): void {
    for (const a of [...Object.values(this.train), ...Object.values(this.heldout)]) a.length = 0;
    this.drawCharts();
  }

  /** Adds per-step loss terms. */
  addSteps(rows: StepRow[]): void {
    for (const r of rows) {
      this.train.negElbo.push([r.step, r.values.negElbo]);
      this.train.recon.push([r.step, r.values.recon]);
      this.train.kl.push([r.step, r.values.kl]);
    }
    const last = rows[rows.length - 1];
    if (last) {
      const f = (v: number) => v.toFixed(1);
      this.layout.formula.dataset.negElbo = String(last.values.negElbo);
      this.layout.formula.textContent = `${this.t('−ELBO = reconstruction + KL')}:  ${f(last.values.negElbo)} = ${f(last.values.recon)} + ${f(last.values.kl)}`;
    }
    this.scheduleCharts();
  }

  /** Adds held-out loss terms at the end of an epoch. */
  addEpoch(row: EpochRow): void {
    this.heldout.negElbo.push([row.step, row.heldout.negElbo]);
    this.heldout.kl.push([row.step, row.heldout.kl]);
    this.scheduleCharts();
  }

  /** Shows new views; `focus` is the held-out example the traversal is centred on. */
  async setViews(views: View[], focus: number): Promise<void> {
    this.views = views;
    this.focus = focus;
    await this.drawViews();
  }

  /** Redraws everything (after a resize or theme change). */
  redraw(): void {
    this.drawCharts();
    void this.drawViews();
  }

  private scheduleCharts(): void {
    if (this.chartTimer === undefined) {
      this.chartTimer = setTimeout(() => {
        this.chartTimer = undefined;
        this.drawCharts();
      }, 200);
    }
  }

  private drawCharts(): void {
    const c = this.layout.canvases;
    const series: Series[] = [
      { name: this.t('train −ELBO'), points: this.train.negElbo },
      { name: this.t('train reconstruction'), points: this.train.recon },
      { name: this.t('held-out −ELBO (per epoch)'), points: this.heldout.negElbo, markers: true, dashed: true },
    ];
    drawLineChart(c.loss, series, { xLabel: this.t('Step'), yLabel: 'nats' });
    drawLineChart(c.kl, [
      { name: this.t('train KL'), points: this.train.kl },
      { name: this.t('held-out KL (per epoch)'), points: this.heldout.kl, markers: true, dashed: true },
    ], { xLabel: this.t('Step'), yLabel: 'nats' });
  }

  /** Draws each view in its own task, so that no task grows long. */
  private async drawViews(): Promise<void> {
    for (const v of this.views) {
      await yieldToEventLoop();
      const canvas = this.layout.canvases[v.id as keyof Layout['canvases']];
      if (!canvas) continue;
      if (v.kind === 'images') {
        drawImageGrid(canvas, v);
      } else {
        drawScatter(canvas, { points: v.points, labels: v.labels, xLabel: v.xLabel, yLabel: v.yLabel, highlight: this.focus });
      }
      if (v.id === 'traversal') {
        this.layout.traversalCaption.textContent = v.title === 'manifold'
          ? this.t('Latent manifold: decoded grid of z (Kingma & Welling, Fig. 4)')
          : this.t('Latent traversal: each row varies one dimension from −3 to +3 around the chosen point');
      }
    }
  }
}
