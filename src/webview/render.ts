/**
 * Draws what the driver reports: the model's charts (loss terms and metrics over steps), its
 * formula with current values, its warning, and each view in a card of its own. Everything
 * comes from the model's description (charts, formula, views), so every family uses this one path.
 */
import type { GenerativeModel } from '../core/family';
import type { EpochRow, StepRow } from '../core/loop';
import type { ChartSpec, FormulaSpec, PlanesView, View } from '../core/views';
import { format, type WebviewString } from '../shared/strings';
import { addCard, type Card, type Layout } from './layout';
import { yieldToEventLoop } from './scheduler';
import { buildModelControls } from './modelControls';
import { drawBars } from './views/bars';
import { drawHistogram } from './views/histogram';
import { drawImageGrid } from './views/imageGrid';
import { drawLineChart } from './views/lineChart';
import { drawPlane } from './views/plane';
import { drawScatter } from './views/scatter';

type Point = [number, number];

/** Keeps the curves and the latest views of one model, and redraws them on demand. */
export class Renderer {
  private charts: readonly ChartSpec[] = [];
  private formula: FormulaSpec | undefined;
  private model: GenerativeModel | undefined;
  /** Points per chart series, keyed `source:term`. */
  private curves = new Map<string, Point[]>();
  private cards = new Map<string, Card>();
  private views: View[] = [];
  private shown: ReadonlySet<string> | undefined;
  private focus = 0;
  private lastStep = 0;
  private chartTimer: ReturnType<typeof setTimeout> | undefined;

  /** Draws into `layout`, with `t` translating labels; `onCard` is told of every new view card, `onInput` of every control change. */
  constructor(
    private readonly layout: Layout,
    private readonly t: (s: WebviewString) => string,
    private readonly onCard: (id: string, card: Card) => void = () => undefined,
    private readonly onInput: (id: string, value: string | number) => void = () => undefined,
  ) {}

  /** Starts over for `model`: its charts and formula; only views named in `shown` are drawn (all when undefined). */
  configure(model: GenerativeModel, shown?: readonly string[]): void {
    this.model = model;
    this.charts = model.charts;
    this.formula = model.formula;
    this.shown = shown ? new Set(shown) : undefined;
    this.curves.clear();
    this.views = [];
    this.lastStep = 0;
    this.cards.clear();
    this.layout.grid.replaceChildren();
    this.layout.formula.textContent = '';
    delete this.layout.formula.dataset.value;
    this.layout.warning.hidden = true;
    buildModelControls(this.layout.modelControls, model.controls ?? [], (s) => this.tr(s), this.onInput);
    this.charts.forEach((c, i) => {
      const card = addCard(this.layout.grid, c.id, this.tr(c.title), i === 0);
      card.canvas.classList.add('chart');
      this.cards.set(c.id, card);
      if (i === 0) card.caption.after(this.layout.formula);
    });
    this.drawCharts();
  }

  /** Adds per-step loss terms, updates the formula and the warning. */
  addSteps(rows: StepRow[]): void {
    for (const r of rows) {
      for (const [term, value] of Object.entries(r.values)) this.curve('train', term).push([r.step, value]);
    }
    const last = rows[rows.length - 1];
    if (!last) return;
    this.lastStep = last.step;
    if (this.formula) {
      const values = this.formula.terms.map((term) => formatNumber(last.values[term]));
      this.layout.formula.textContent = format(this.tr(this.formula.template), ...values);
      this.layout.formula.dataset.value = String(last.values[this.formula.terms[0]]);
    }
    const warning = this.model?.watch?.(rows);
    this.layout.warning.hidden = warning === undefined;
    this.layout.warning.textContent = warning === undefined ? '' : this.tr(warning);
    this.scheduleCharts();
  }

  /** Adds held-out loss terms at the end of an epoch. */
  addEpoch(row: EpochRow): void {
    for (const [term, value] of Object.entries(row.heldout)) this.curve('heldout', term).push([row.step, value]);
    this.scheduleCharts();
  }

  /** Shows new views; `focus` is the held-out example chosen in the latent scatter. */
  async setViews(views: View[], focus: number): Promise<void> {
    this.focus = focus;
    this.views = views.filter((v) => v.kind !== 'metrics' && (!this.shown || this.shown.has(v.id)));
    for (const v of views) {
      if (v.kind === 'metrics') for (const [term, value] of Object.entries(v.values)) this.curve('metric', term).push([this.lastStep, value]);
    }
    if (views.some((v) => v.kind === 'metrics')) this.scheduleCharts();
    await this.drawViews();
  }

  /** Redraws everything (after a resize or theme change). */
  redraw(): void {
    this.drawCharts();
    void this.drawViews();
  }

  private tr(s: string): string {
    return this.t(s as WebviewString);
  }

  private curve(source: string, term: string): Point[] {
    const key = `${source}:${term}`;
    let c = this.curves.get(key);
    if (!c) this.curves.set(key, (c = []));
    return c;
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
    for (const chart of this.charts) {
      const canvas = this.cards.get(chart.id)?.canvas;
      if (!canvas) continue;
      const series = chart.series.map((s) => ({
        name: this.tr(s.name),
        points: this.curves.get(`${s.source}:${s.term}`) ?? [],
        ...(s.source === 'train' ? {} : { markers: true, dashed: true }),
      }));
      drawLineChart(canvas, series, { xLabel: this.t('Step'), yLabel: this.tr(chart.yLabel) });
    }
  }

  private card(view: View): Card {
    let card = this.cards.get(view.id);
    if (!card) {
      const wide = (view.kind === 'images' && view.cols >= 10 && view.count / view.cols <= 3) || view.kind === 'text' || view.kind === 'planes';
      card = addCard(this.layout.grid, view.id, this.tr(view.title), wide, view.kind === 'text');
      card.canvas.classList.add(view.kind);
      this.cards.set(view.id, card);
      this.onCard(view.id, card);
    } else if (card.caption.firstChild?.textContent !== this.tr(view.title)) {
      card.caption.firstChild!.textContent = this.tr(view.title);
      card.canvas.setAttribute('aria-label', this.tr(view.title));
    }
    if (view.kind === 'images') {
      const rows = Math.ceil(view.count / view.cols);
      card.canvas.style.aspectRatio = `${(view.cols * view.width) / (rows * view.height)}`;
    }
    return card;
  }

  /** Draws each view in its own task, so that no task grows long. */
  private async drawViews(): Promise<void> {
    for (const v of this.views) {
      await yieldToEventLoop();
      if (v.kind === 'metrics') continue;
      const canvas = this.card(v).canvas;
      switch (v.kind) {
        case 'images':
          drawImageGrid(canvas, v);
          break;
        case 'scatter':
          drawScatter(canvas, { points: v.points, labels: v.labels, xLabel: v.xLabel, yLabel: v.yLabel, highlight: this.focus });
          break;
        case 'histogram':
          drawHistogram(canvas, v, this.tr.bind(this));
          break;
        case 'plane':
          drawPlane(canvas, v, this.tr.bind(this));
          break;
        case 'bars':
          drawBars(canvas, v, this.tr.bind(this));
          break;
        case 'text':
          showText(this.card(v).text as HTMLPreElement, v.lines, v.prompt);
          break;
        case 'planes':
          drawPlanes(this.card(v), v, this.tr.bind(this));
          break;
      }
    }
  }
}

/** Fills `pre` with one block per line, the prompt part (if any) set apart. */
function showText(pre: HTMLPreElement, lines: readonly string[], prompt?: string): void {
  pre.replaceChildren(...lines.map((line) => {
    const block = document.createElement('div');
    block.className = 'text-line';
    if (prompt && line.startsWith(prompt)) {
      const given = document.createElement('span');
      given.className = 'prompt';
      given.textContent = prompt;
      block.append(given, line.slice(prompt.length));
    } else {
      block.textContent = line;
    }
    return block;
  }));
}

/** Draws small multiples: one canvas per panel in a row under the card's caption (its own canvas stays hidden). */
function drawPlanes(card: Card, view: PlanesView, t: (s: string) => string): void {
  card.canvas.hidden = true;
  let row = card.section.querySelector<HTMLElement>('.plane-row');
  if (!row) {
    row = document.createElement('div');
    row.className = 'plane-row';
    card.canvas.id = `view-${view.id}-canvas`;
    row.id = `view-${view.id}`;
    card.section.append(row);
  }
  while (row.children.length > view.panels.length) row.lastElementChild?.remove();
  view.panels.forEach((panel, i) => {
    let cell = row!.children[i] as HTMLElement | undefined;
    if (!cell) {
      cell = document.createElement('figure');
      cell.append(document.createElement('canvas'), document.createElement('figcaption'));
      (cell.firstElementChild as HTMLCanvasElement).className = 'view plane-cell';
      row!.append(cell);
    }
    (cell.lastElementChild as HTMLElement).textContent = panel.caption;
    // One legend for the row, on the last panel (which usually has the most layers).
    drawPlane(cell.firstElementChild as HTMLCanvasElement, { extent: view.extent, layers: panel.layers }, t, { legend: i === view.panels.length - 1 });
  });
}

/** A loss value for the formula line: one decimal, or three significant digits when small. */
function formatNumber(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(3);
}
