/** Builds the playground's DOM: header stats, controls, hyperparameters, and a grid the view cards go into. */
import { button, numberField, type Button, type TextField } from './controls';
import type { VaeHyperparameters } from '../shared/protocol';
import type { WebviewString } from '../shared/strings';

/** Handlers the controls call. */
export interface LayoutHandlers {
  onStartPause(): void;
  onStep(): void;
  onReset(): void;
  onLearningRate(field: TextField): void;
}

/** References to everything the panel updates. */
export interface Layout {
  stats: HTMLElement;
  message: HTMLElement;
  notice: HTMLElement;
  formula: HTMLElement;
  startPause: Button;
  stepOnce: Button;
  reset: Button;
  learningRate: TextField;
  hyper: Record<keyof VaeHyperparameters, TextField>;
  /** The hyperparameter form (hidden when a model file defines the model). */
  hyperBox: HTMLElement;
  /** A one-line warning about training going wrong (hidden when there is none). */
  warning: HTMLElement;
  /** Where the cards of charts and views go, in order. */
  grid: HTMLElement;
  /** The inputs of the current model's views (a prompt, sliders); hidden when it has none. */
  modelControls: HTMLElement;
}

/** One card: a caption above a canvas, or above text (`pre`) for text views. */
export interface Card {
  section: HTMLElement;
  caption: HTMLElement;
  canvas: HTMLCanvasElement;
  /** The text of a text view, when the card holds one (its canvas is then hidden). */
  text?: HTMLPreElement;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Appends a card to `parent` whose canvas has the id `view-<id>`; `wide` spans both columns. */
export function addCard(parent: HTMLElement, id: string, caption: string, wide = false, text = false): Card {
  const section = el('section', wide ? 'card wide' : 'card');
  section.dataset.view = id;
  const cap = el('h2', 'caption', caption);
  const canvas = el('canvas', 'view');
  canvas.id = `view-${id}`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', caption);
  section.append(cap, canvas);
  parent.append(section);
  if (!text) return { section, canvas, caption: cap };
  canvas.hidden = true;
  canvas.id = `view-${id}-canvas`;
  const pre = el('pre', 'text-view');
  pre.id = `view-${id}`;
  section.append(pre);
  return { section, canvas, caption: cap, text: pre };
}

/** Creates the layout inside `root`, with `t` translating every string. */
export function buildLayout(root: HTMLElement, t: (s: WebviewString) => string, hp: VaeHyperparameters, h: LayoutHandlers): Layout {
  root.replaceChildren();
  const header = el('header', 'header');
  const stats = el('div', 'stats');
  stats.id = 'stats';
  stats.setAttribute('aria-live', 'polite');
  const message = el('div', 'message');
  message.id = 'message';
  header.append(stats, message);

  const notice = el('div', 'notice');
  notice.id = 'backend-notice';
  notice.setAttribute('role', 'alert');
  notice.hidden = true;

  const controls = el('div', 'controls');
  const startPause = button('btn-start', t('Pause'), h.onStartPause);
  const stepOnce = button('btn-step', t('Step once'), h.onStep, true);
  const reset = button('btn-reset', t('Reset'), h.onReset, true);
  const learningRate = numberField('lr-live', t('Learning rate'), hp.learningRate, h.onLearningRate);
  controls.append(startPause, stepOnce, reset, learningRate);

  const hyperBox = el('details', 'hyper');
  hyperBox.id = 'hyperparameters';
  const summary = el('summary', undefined, t('Hyperparameters'));
  const hint = el('p', 'hint', t('Apply these values with Reset; they are used when training starts.'));
  const hyper = {
    latentDim: numberField('hp-latent', t('Latent size'), hp.latentDim),
    hiddenUnits: numberField('hp-hidden', t('Hidden units'), hp.hiddenUnits),
    batchSize: numberField('hp-batch', t('Batch size'), hp.batchSize),
    learningRate: numberField('hp-lr', t('Learning rate'), hp.learningRate),
    beta: numberField('hp-beta', t('β (KL weight)'), hp.beta),
  };
  const fields = el('div', 'fields');
  fields.append(...Object.values(hyper));
  hyperBox.append(summary, hint, fields);

  const formula = el('p', 'formula');
  formula.id = 'formula';
  const warning = el('div', 'warning');
  warning.id = 'training-warning';
  warning.setAttribute('role', 'status');
  warning.hidden = true;
  const grid = el('div', 'grid');
  const modelControls = el('div', 'model-controls');
  modelControls.id = 'model-controls';
  modelControls.hidden = true;
  root.append(header, notice, controls, hyperBox, warning, formula, modelControls, grid);
  root.setAttribute('aria-busy', 'false');
  return {
    stats, message, notice, formula, startPause, stepOnce, reset, learningRate, hyper, hyperBox,
    warning, grid, modelControls,
  };
}
