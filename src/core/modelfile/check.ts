/**
 * The model-file checker: JSON syntax, the JSON Schema (through a validator the caller passes,
 * since Ajv compiles with eval and so runs on the host and in the CLI, never in the webview),
 * and the checks a schema cannot express: shapes through every network, latent sizes, data.
 * The same function feeds the Problems panel and `genlab check`.
 */
import type { DataShape } from '../family';
import { BUNDLED_SHAPES, resolveModelFile } from './defaults';
import { inferShapes, LayerError, takesImages, type Shape } from './layers';
import { parseModelText, rangeAt, type Problem } from './parse';
import { FAMILIES, FAMILY_VIEWS, REQUIRED_NETWORKS, TRAINABLE_FAMILIES, type LayerSpec, type ModelFile } from './types';

/** A JSON Schema error: where (a JSON pointer path) and what. */
export interface SchemaError {
  path: Array<string | number>;
  message: string;
  /** Point at the property key rather than its value (e.g. an unknown property). */
  atKey?: boolean;
}

/** What the checker may ask its caller. */
export interface CheckOptions {
  /** Validates the parsed value against the model-file JSON Schema. */
  validateSchema?: (value: unknown) => SchemaError[];
  /** Whether a data path (relative to the model file) exists; omit to skip the check. */
  pathExists?: (path: string) => boolean;
  /** Whether a data path has labels, when known (for conditional families). */
}

type Path = Array<string | number>;

/** Checks model-file text and returns every problem found, with exact ranges. Never throws. */
export function checkModelText(text: string, options: CheckOptions = {}): Problem[] {
  const parsed = parseModelText(text);
  if (parsed.problems.length) return parsed.problems;
  const { root, value } = parsed;
  const problems: Problem[] = [];
  const report = (severity: Problem['severity'], message: string, path: Path, key = false) => problems.push({ severity, message, ...rangeAt(root, path, key) });

  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report('error', 'a model file is a JSON object, such as { "family": "vae" }', []);
    return problems;
  }
  const schemaErrors = options.validateSchema?.(value) ?? [];
  for (const e of schemaErrors) report('error', e.message, e.path, e.atKey);
  if (schemaErrors.length) return problems; // shapes need well-typed input

  const file = value as ModelFile;
  if (!FAMILIES.includes(file.family)) return problems;
  if (!TRAINABLE_FAMILIES.includes(file.family)) {
    report('error', `the "${file.family}" family does not train in this version of GenLab yet; families that train: ${TRAINABLE_FAMILIES.join(', ')}`, ['family']);
  }
  const shape = checkData(file, options, report);
  checkNetworks(file, shape, report);
  checkViews(file, report);
  return problems;
}

type Report = (severity: Problem['severity'], message: string, path: Path, key?: boolean) => void;

function checkData(file: ModelFile, options: CheckOptions, report: Report): DataShape | undefined {
  const d = file.data;
  if (d === undefined || typeof d === 'string') return BUNDLED_SHAPES[d ?? 'mnist'];
  if (d.dataset && d.path) report('error', 'give either "dataset" (a bundled set) or "path" (your own files), not both', ['data']);
  const labelled = d.dataset !== undefined || d.labels !== undefined;
  if ((file.family === 'cgan' || file.family === 'acgan') && !labelled) {
    report('error', `the ${file.family} family is conditioned on class labels, but this data has none; add "labels": "path/to/labels-idx1-ubyte.gz" or use a labelled bundled dataset such as "mnist"`, ['data']);
  }
  for (const key of ['path', 'labels'] as const) {
    const p = d[key];
    if (typeof p === 'string' && options.pathExists && !options.pathExists(p)) {
      report('error', `${key === 'path' ? 'data' : 'labels'} file "${p}" does not exist (paths are relative to this model file)`, ['data', key]);
    }
  }
  if (d.dataset) return BUNDLED_SHAPES[d.dataset];
  return undefined; // the shape of the user's files is known only once they are read
}

function checkNetworks(file: ModelFile, shape: DataShape | undefined, report: Report): void {
  const required = REQUIRED_NETWORKS[file.family];
  if (file.networks) {
    for (const name of required) {
      if (!(name in file.networks)) {
        report('error', `the ${file.family} family needs a "${name}" network; add "${name}": [ … ] to "networks", or remove "networks" to use the defaults`, ['networks'], true);
      }
    }
    for (const name of Object.keys(file.networks)) {
      if (!required.includes(name)) report('warning', `the ${file.family} family does not use a network named "${name}"; it uses ${required.map((r) => `"${r}"`).join(' and ')}`, ['networks', name], true);
    }
  }
  if (file.family !== 'vae' || !shape) return;
  const spec = resolveModelFile(file, shape);
  const features = shape.height * shape.width * shape.channels;
  const latent = spec.latentDim;
  const enc = spec.networks.encoder, dec = spec.networks.decoder;
  if (!enc || !dec) return;
  const encIn: Shape = takesImages(enc) ? [shape.height, shape.width, shape.channels] : [features];
  const encOut = walk(enc, encIn, ['networks', 'encoder'], report);
  if (encOut && !(encOut.length === 1 && encOut[0] === 2 * latent)) {
    report('error', `the encoder outputs [${encOut.join(', ')}], but a VAE with latentDim ${latent} needs ${2 * latent} values: μ and log σ² for each latent dimension; make its last layer { "type": "dense", "units": ${2 * latent} }`, lastLayerPath('encoder', enc));
  }
  const decOut = walk(dec, [latent], ['networks', 'decoder'], report);
  if (decOut && decOut.reduce((a, b) => a * b, 1) !== features) {
    report('error', `the decoder outputs [${decOut.join(', ')}], but the data has ${features} values per example (${shape.height}×${shape.width}×${shape.channels}); make its last layer { "type": "dense", "units": ${features} }`, lastLayerPath('decoder', dec));
  }
  const last = dec[dec.length - 1];
  if (last && spec.loss.reconstruction === 'bernoulli' && (last.activation === 'sigmoid' || last.activation === 'softmax')) {
    report('warning', `the Bernoulli decoder's last layer must output logits: GenLab applies the sigmoid inside the loss; remove "activation": "${String(last.activation)}"`, ['networks', 'decoder', dec.length - 1, 'activation'], true);
  }
}

function lastLayerPath(network: string, specs: readonly LayerSpec[]): Path {
  return ['networks', network, Math.max(0, specs.length - 1)];
}

/** Infers shapes through `specs`, reporting the first layer that breaks; undefined if it broke. */
function walk(specs: readonly LayerSpec[], input: Shape, path: Path, report: Report): Shape | undefined {
  if (specs.length === 0) {
    report('error', 'a network needs at least one layer', path);
    return undefined;
  }
  try {
    const shapes = inferShapes(specs, input);
    return shapes[shapes.length - 1];
  } catch (e) {
    if (e instanceof LayerError) {
      const written = e.option !== undefined && e.option in (specs[e.index] ?? {});
      report('error', `layer ${e.index} (${String(specs[e.index]?.type)}): ${e.message}`, written ? [...path, e.index, e.option as string] : [...path, e.index], written);
      return undefined;
    }
    report('error', `this network could not be checked: ${e instanceof Error ? e.message : String(e)}`, path);
    return undefined;
  }
}

function checkViews(file: ModelFile, report: Report): void {
  const known = FAMILY_VIEWS[file.family];
  if (!known || !file.views) return;
  file.views.forEach((v, i) => {
    if (!known.includes(v)) report('warning', `the ${file.family} family has no view "${v}"; its views are ${known.join(', ')}`, ['views', i]);
  });
}
