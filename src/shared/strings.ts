/**
 * Every user-visible string of the webview, in English. The host translates each with
 * vscode.l10n.t (l10n/bundle.l10n.*.json) and sends the table in the init message, so the
 * webview never carries its own translations. Placeholders are {0}, {1}, ….
 */
export const WEBVIEW_STRINGS = [
  'Step',
  'Epoch',
  'samples/s',
  'Backend',
  'Start',
  'Pause',
  'Resume',
  'Step once',
  'Reset',
  'Learning rate',
  'Set',
  'Latent size',
  'Hidden units',
  'Batch size',
  'β (KL weight)',
  'Hyperparameters',
  'Apply these values with Reset; they are used when training starts.',
  'Loss (nats per image)',
  'KL term (nats per image)',
  '−ELBO = reconstruction + KL',
  'train −ELBO',
  'train reconstruction',
  'train KL',
  'held-out −ELBO (per epoch)',
  'held-out KL (per epoch)',
  'Samples from fixed z ~ N(0, I)',
  'Reconstructions: held-out inputs (top) and their reconstructions (bottom)',
  'Latent manifold: decoded grid of z (Kingma & Welling, Fig. 4)',
  'Latent traversal: each row varies one dimension from −3 to +3 around the chosen point',
  'Held-out examples encoded to latent space (μ), coloured by label',
  'Click a point to centre the traversal on it.',
  'Loading data…',
  'Starting the {0} backend…',
  'WebGL is not available here ({0}). Training runs on {1} instead, which is slower.',
  'No TensorFlow.js backend could start: {0}',
  'Training stopped with an error: {0}',
  'Invalid value for {0}: {1}',
  'running',
  'paused',
  'Data: {0} training and {1} held-out images ({2} MB on the backend)',
  'Model: {0} parameters',
] as const;

/** One translatable webview string (its English text). */
export type WebviewString = (typeof WEBVIEW_STRINGS)[number];

/** Fills {0}, {1}, … in `template` with `args`. */
export function format(template: string, ...args: Array<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (m, i) => (Number(i) < args.length ? String(args[Number(i)]) : m));
}
