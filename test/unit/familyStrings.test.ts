// Every caption, legend entry, formula and warning a family shows goes through the webview's
// translation table: each must be in WEBVIEW_STRINGS (and so, by the l10n test, in Japanese).
import { strict as assert } from 'node:assert';
import { shapeOfData, splitData, sliceData, textOf, textSetFromString, type DataSet } from '../../src/core/data/dataset';
import { uploadSplit } from '../../src/core/data/deviceData';
import { toyDataset, type ToyDataset } from '../../src/core/data/toy';
import { createModel } from '../../src/core/families';
import { DEFAULT_DATA, resolveModelFile } from '../../src/core/modelfile/defaults';
import { TRAINABLE_FAMILIES, type Family } from '../../src/core/modelfile/types';
import { DISCRIMINATOR_WINNING } from '../../src/core/metrics';
import { ganFormula } from '../../src/core/families/gan';
import { conditionalFormula } from '../../src/core/families/conditionalViews';
import type { View } from '../../src/core/views';
import { loadBundledMnist } from '../../src/node/bundledData';
import { loadBundledText } from '../../src/node/bundledText';
import { WEBVIEW_STRINGS } from '../../src/shared/strings';
import { testBackend } from './setup';

/** The strings of `views` that the webview translates. */
function viewStrings(views: View[]): string[] {
  return views.flatMap((v) => {
    if (v.kind === 'metrics') return []; // charted by the series that name them, never captioned
    const own = [v.title];
    if (v.kind === 'histogram') own.push(v.xLabel, ...(v.markerLabel ? [v.markerLabel] : []));
    if (v.kind === 'plane') own.push(...v.layers.map((l) => l.name), ...(v.heat ? [v.heat.label] : []));
    if (v.kind === 'bars') own.push(v.yLabel);
    return own;
  });
}

describe('family strings', () => {
  before(testBackend);

  const cases: Array<[Family, string]> = [
    ...TRAINABLE_FAMILIES.map((f) => [f, DEFAULT_DATA[f] ?? 'mnist'] as [Family, string]),
    ['gan', 'ring'], ['autoencoder', 'ring'], ['vae', 'ring'], ['diffusion', 'ring'], ['flow', 'mnist'],
  ];
  for (const [family, dataset] of cases) {
    it(`${family} on ${dataset}: every chart, series, formula and view caption is translatable`, async () => {
      const set: DataSet = dataset === 'mnist' ? loadBundledMnist('.') : dataset === 'shakespeare' ? textSetFromString('text', textOf(loadBundledText('.'), 0, 20000)) : toyDataset(dataset as ToyDataset);
      const shape = shapeOfData(set);
      const spec = resolveModelFile({ family, data: dataset as 'mnist', latentDim: family === 'vae' ? 3 : undefined }, shape);
      const model = createModel(spec, shape);
      const heldout = uploadSplit(sliceData(splitData(set, 0.1).heldout, 0, 300), 'heldout', spec.transformer.context);
      const views = await model.views(heldout, { focusIndex: 0 });
      const strings = [
        ...model.charts.flatMap((c) => [c.title, c.yLabel, ...c.series.map((s) => s.name)]),
        ...(model.formula ? [model.formula.template] : []),
        ...(model.controls ?? []).map((c) => c.label),
        ...viewStrings(views),
      ];
      const known = new Set<string>(WEBVIEW_STRINGS);
      assert.deepEqual([...new Set(strings.filter((s) => !known.has(s)))], []);
      model.dispose();
      heldout.dispose();
    });
  }

  it('the GAN warning is translatable', () => {
    assert.ok((WEBVIEW_STRINGS as readonly string[]).includes(DISCRIMINATOR_WINNING));
  });
});

describe('GAN formulas', () => {
  it('every generator loss × label smoothing formula of every GAN family is translatable', () => {
    const known = new Set<string>(WEBVIEW_STRINGS);
    for (const kind of ['minimax', 'non-saturating'] as const) {
      for (const s of [0, 0.1]) {
        for (const f of [ganFormula(kind, s), conditionalFormula('cgan', kind, s), conditionalFormula('acgan', kind, s)]) assert.ok(known.has(f.template), f.template);
      }
    }
  });
});
