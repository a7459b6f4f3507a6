/**
 * What a model family shows, as plain data (no tensors, no DOM): the webview draws these,
 * and the CLI writes them to files, so every family's views go through one path.
 */

/** A grid of images with values in [0, 1], stored HWC per image. */
export interface ImagesView {
  kind: 'images';
  id: string;
  title: string;
  pixels: Float32Array;
  count: number;
  height: number;
  width: number;
  channels: 1 | 3;
  cols: number;
  rowLabels?: string[];
  colLabels?: string[];
}

/** Points in two dimensions, coloured by label. */
export interface ScatterView {
  kind: 'scatter';
  id: string;
  title: string;
  points: Float32Array;
  labels: Uint8Array;
  xLabel: string;
  yLabel: string;
}

/** A histogram: `counts[i]` values fell in [edges[i], edges[i + 1]). */
export interface HistogramView {
  kind: 'histogram';
  id: string;
  title: string;
  edges: Float32Array;
  counts: Uint32Array;
  xLabel: string;
  /** An x value to mark with a vertical line (a threshold, say), if any. */
  marker?: number;
  /** What the marker stands for. */
  markerLabel?: string;
}

/** Point clouds in a 2-D plane, over an optional heatmap of a scalar field on a regular grid. */
export interface PlaneView {
  kind: 'plane';
  id: string;
  title: string;
  /** The plotted region, [xMin, xMax, yMin, yMax]. */
  extent: [number, number, number, number];
  /** A field sampled on a res×res grid, row 0 at yMax (top), column 0 at xMin; values row-major. */
  heat?: { res: number; values: Float32Array; min: number; max: number; label: string };
  /** Point clouds drawn in order, each in its own colour: e.g. real, then generated. */
  layers: { name: string; points: Float32Array }[];
}

/** Scalar measurements computed with the views (e.g. a divergence), charted over steps. */
export interface MetricsView {
  kind: 'metrics';
  id: string;
  title: string;
  values: Record<string, number>;
}

/** Labelled bars, e.g. the model's most likely next characters with their probabilities. */
export interface BarsView {
  kind: 'bars';
  id: string;
  title: string;
  labels: string[];
  values: Float32Array;
  yLabel: string;
}

/** Lines of text, e.g. generated samples; `prompt` (if any) is the given part of each line, shown apart. */
export interface TextView {
  kind: 'text';
  id: string;
  title: string;
  lines: string[];
  prompt?: string;
}

/** Small multiples: a row of planes with shared extent, e.g. a diffusion's x_t at several t. */
export interface PlanesView {
  kind: 'planes';
  id: string;
  title: string;
  extent: [number, number, number, number];
  /** One panel per entry, captioned (e.g. "t = 200"), each with its point clouds. */
  panels: { caption: string; layers: { name: string; points: Float32Array }[] }[];
}

/** One view of a model. */
export type View = ImagesView | ScatterView | HistogramView | PlaneView | MetricsView | BarsView | TextView | PlanesView;

/** Every view kind, for checks. */
export const VIEW_KINDS = ['images', 'scatter', 'histogram', 'plane', 'metrics', 'bars', 'text', 'planes'] as const;

/** An input the panel shows next to a model's views: a text box or a slider; its value goes to ViewOptions.inputs[id]. */
export interface ControlSpec {
  id: string;
  /** The English label (translated by the webview). */
  label: string;
  kind: 'text' | 'range';
  default: string | number;
  min?: number;
  max?: number;
  step?: number;
}

/** One curve of a chart: a loss term per step ('train'), per epoch ('heldout'), or a metric from the views ('metric'). */
export interface ChartSeries {
  term: string;
  source: 'train' | 'heldout' | 'metric';
  /** The legend entry (English; the webview translates it). */
  name: string;
}

/** A line chart of loss terms or metrics over steps. */
export interface ChartSpec {
  id: string;
  title: string;
  yLabel: string;
  series: ChartSeries[];
}

/**
 * The formula a loss chart plots, with the current value of each term: `template` has {0}, {1}, …
 * for `terms` in order, e.g. "−ELBO = reconstruction + KL: {0} = {1} + {2}".
 */
export interface FormulaSpec {
  template: string;
  terms: string[];
}
