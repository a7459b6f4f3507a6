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

/** One view of a model. */
export type View = ImagesView | ScatterView;

/** Every view kind, for checks. */
export const VIEW_KINDS = ['images', 'scatter'] as const;
