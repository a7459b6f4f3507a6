/**
 * The reference side of bench/firstSample.ts, in Node: the digit classifier that defines a
 * recognizable grid (bench/recognizer.ts), its calibration on real held-out digits, and the
 * panel's own VAE ("GenLab: Train VAE": vaeSpec(VAE_DEFAULTS) on the bundled MNIST, 10% held
 * out, seed 1) trained here on wasm, its sample grid (the very 'samples' view the panel draws)
 * scored at chosen steps: at which step the rule first holds when nothing but training counts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shapeOfData, splitData, type ImageSet } from '../src/core/data/dataset';
import { uploadSplit } from '../src/core/data/deviceData';
import { createModel } from '../src/core/families';
import { VAE_DEFAULTS, vaeSpec } from '../src/core/families/vaeConfig';
import { Trainer } from '../src/core/loop';
import type { ImagesView } from '../src/core/views';
import { loadBundledMnist } from '../src/node/bundledData';
import { gridPng } from '../src/node/png';
import { DigitClassifier, realDigitScore, type GridScore } from './recognizer';

/** The bundled MNIST split as the panel splits it (10% held out). */
export function panelData(root: string): { train: ImageSet; heldout: ImageSet; all: ImageSet } {
  const all = loadBundledMnist(root);
  return { ...splitData(all, 0.1), all };
}

/** The classifier, trained on the panel's training split, with its held-out accuracy and the score of real digits. */
export function trainRecognizer(root: string): { classifier: DigitClassifier; accuracy: number; real: ReturnType<typeof realDigitScore>; seconds: number } {
  const t0 = performance.now();
  const { train, heldout } = panelData(root);
  const classifier = new DigitClassifier(1);
  classifier.train(train, 10, 1);
  return { classifier, accuracy: classifier.accuracy(heldout), real: realDigitScore(classifier, heldout), seconds: (performance.now() - t0) / 1000 };
}

/** One scored grid of the Node reference run. */
export interface ReferenceRow extends GridScore {
  step: number;
  /** Seconds of training (views excluded) up to this step. */
  trainSeconds: number;
}

/**
 * Trains the panel's VAE in Node for `maxStep` steps and scores its sample grid at each of `at`
 * (and step 0); writes the grids as PNGs into `pngDir` when given. The backend must be started.
 * Returns the scores and the untrained (step 0) grid's pixels.
 */
export async function referenceRun(root: string, classifier: DigitClassifier, at: readonly number[], pngDir?: string): Promise<{ rows: ReferenceRow[]; step0: Float32Array<ArrayBufferLike> }> {
  const { train, heldout, all } = panelData(root);
  const spec = vaeSpec({}, shapeOfData(all));
  const model = createModel(spec, shapeOfData(all));
  const tr = uploadSplit(train, 'train', spec.transformer.context), ho = uploadSplit(heldout, 'heldout', spec.transformer.context);
  const trainer = new Trainer(model, tr, ho, { batchSize: VAE_DEFAULTS.batchSize, readEvery: 1e9, seed: spec.training.seed });
  if (pngDir) mkdirSync(pngDir, { recursive: true });
  const rows: ReferenceRow[] = [];
  let trainSeconds = 0, step0: Float32Array<ArrayBufferLike> = new Float32Array(0);
  for (const step of [0, ...at.filter((s) => s > 0)].sort((a, b) => a - b)) {
    const t0 = performance.now();
    await trainer.runSteps(step - trainer.step);
    await trainer.flush();
    trainSeconds += (performance.now() - t0) / 1000;
    const view = (await model.views(ho, { focusIndex: 0 })).find((v) => v.id === 'samples') as ImagesView;
    rows.push({ step, trainSeconds, ...classifier.score(view.pixels, view.count) });
    if (step === 0) step0 = view.pixels;
    if (pngDir) writeFileSync(join(pngDir, `node-step${String(step).padStart(4, '0')}.png`), gridPng(view));
  }
  trainer.dispose(); model.dispose(); tr.dispose(); ho.dispose();
  return { rows, step0 };
}
