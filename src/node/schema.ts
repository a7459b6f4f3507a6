/** The model-file JSON Schema through Ajv (Node only: Ajv compiles validators with eval). */
import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../schemas/genlab.schema.json';
import type { SchemaError } from '../core/modelfile/check';
import { closest, describePath, showValue } from '../core/modelfile/hints';
import { TRAINABLE_FAMILIES } from '../core/modelfile/types';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validate = ajv.compile(schema);

type Json = Record<string, unknown>;
type Path = Array<string | number>;

/** Where a property written at the top level by mistake belongs, e.g. "epochs" → "training". */
const HOME: Record<string, string> = (() => {
  const home: Record<string, string> = { encoder: 'networks', decoder: 'networks', generator: 'networks', discriminator: 'networks' };
  const props = schema.properties as unknown as Record<string, Json>;
  const sections: Array<[string, Json | undefined]> = [
    ['data', (props.data.else as Json | undefined)?.properties as Json | undefined],
    ...(['loss', 'optimizer', 'training', 'transformer', 'flow', 'diffusion'] as const).map((k) => [k, props[k].properties as Json | undefined] as [string, Json | undefined]),
  ];
  for (const [section, children] of sections) for (const child of Object.keys(children ?? {})) home[child] ??= section;
  delete home.type; // optimizer.type would shadow the meaning of a stray "type"
  return home;
})();

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number', number: 'a number', string: 'text in double quotes', object: 'an object { … }', array: 'a list [ … ]', boolean: 'true or false', null: 'null',
};
const COMPARISONS: Record<string, string> = { '>=': 'at least', '>': 'greater than', '<=': 'at most', '<': 'less than' };

function pathOf(e: ErrorObject): Path {
  return e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

const isLayer = (path: Path) => path[0] === 'networks' && path.length === 3 && typeof path[2] === 'number';
const quoteAll = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** A suggested value from the schema: its default or first example. */
function example(s: Json): string {
  if (s.default !== undefined) return `${JSON.stringify(s.default)} (the default)`;
  const examples = s.examples as unknown[] | undefined;
  return examples?.length ? JSON.stringify(examples[0]) : '';
}

function unknownProperty(path: Path, name: string, s: Json): SchemaError {
  const where = describePath(path);
  const known = Object.keys((s.properties as Json | undefined) ?? {}).filter((k) => !k.startsWith('$'));
  const hint = closest(name, known);
  const homeKey = path.length === 0 && !hint ? (HOME[name] ? name : closest(name, Object.keys(HOME))) : undefined;
  let fix: string;
  if (hint) fix = `did you mean "${hint}"?`;
  else if (homeKey) fix = `it belongs inside "${HOME[homeKey]}": write "${HOME[homeKey]}": { "${homeKey}": … }`;
  else fix = `remove it; ${where} takes ${known.map((k) => `"${k}"`).join(', ')}`;
  return { path: [...path, name], atKey: true, message: `${where} has no property "${name}": ${fix}` };
}

function wrongType(path: Path, data: unknown, want: string[], s: Json): string {
  const where = describePath(path);
  if (isLayer(path)) return `${where} must be an object such as { "type": "dense", "units": 128 }, not ${showValue(data)}`;
  if (path.length === 1 && path[0] === 'networks') return `"networks" must be an object that names each network, such as { "encoder": [ … ], "decoder": [ … ] }, not ${Array.isArray(data) ? 'a list' : showValue(data)}: put each list of layers under its network's name`;
  if (path[0] === 'networks' && path.length === 2) return `${where} must be a list of layers, not ${Array.isArray(data) ? 'a list' : showValue(data)}: put its layers in [ … ], such as [{ "type": "dense", "units": 128 }]`;
  const words = want.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
  if (typeof data === 'string' && (want.includes('number') || want.includes('integer')) && data.trim() !== '' && Number.isFinite(Number(data))) {
    return `${where} must be ${words}, not the text "${data}": remove the quotes`;
  }
  if (typeof data === 'number' && want.includes('integer') && !want.includes('number')) {
    const lo = Math.floor(data), hi = Math.ceil(data);
    return `${where} must be a whole number, not ${data}: use ${lo >= 1 ? `${lo} or ${hi}` : hi}`;
  }
  if (typeof data === 'number' && want.includes('string')) return `${where} must be ${words}, not ${data}: write "${data}"`;
  const eg = example(s);
  return `${where} must be ${words}, not ${showValue(data)}: ${eg ? `use e.g. ${eg}` : `write ${words} here`}`;
}

function badEnum(path: Path, data: unknown, allowed: unknown[]): string {
  const where = describePath(path);
  const strings = allowed.filter((v): v is string => typeof v === 'string');
  const hint = typeof data === 'string' ? closest(data, strings) : undefined;
  const meant = hint ? `did you mean "${hint}"? ` : '';
  if (path.length === 1 && path[0] === 'family') {
    return `${JSON.stringify(data)} is not a model family: ${meant}The families are ${strings.join(', ')}; in this version only ${TRAINABLE_FAMILIES.map((f) => `"${f}"`).join(', ')} trains`;
  }
  if (path[0] === 'data') {
    return `${where} cannot be ${JSON.stringify(data)}: ${meant}${meant ? 'The' : 'the'} bundled datasets are ${quoteAll(allowed)}; for your own IDX files write "data": { "path": "images-idx3-ubyte.gz" }`;
  }
  if (path[path.length - 1] === 'activation' && typeof data === 'string' && /leaky|prelu/i.test(data)) {
    return `${where} cannot be ${JSON.stringify(data)}: leaky ReLU is a layer in tf.layers, not an activation; remove "activation" and add { "type": "leakyReLU" } after this layer`;
  }
  return `${where} cannot be ${JSON.stringify(data)}: ${meant}${meant ? 'It' : 'it'} must be one of ${quoteAll(allowed)}`;
}

function describe(e: ErrorObject): SchemaError {
  const path = pathOf(e);
  const where = describePath(path);
  const p = e.params as Record<string, unknown>;
  const s = (e.parentSchema ?? {}) as Json;
  switch (e.keyword) {
    case 'additionalProperties':
      return unknownProperty(path, String(p.additionalProperty), s);
    case 'required': {
      const name = String(p.missingProperty);
      if (path.length === 0 && name === 'family') return { path, message: `the model file has no "family": add "family": "vae" (families that train: ${TRAINABLE_FAMILIES.join(', ')})` };
      if (isLayer(path) && name === 'type') return { path, message: `${where} has no "type": add one, such as "type": "dense"` };
      return { path, message: `${where} needs "${name}": add it` };
    }
    case 'enum':
      return { path, message: badEnum(path, e.data, (p.allowedValues as unknown[]) ?? []) };
    case 'type':
      return { path, message: wrongType(path, e.data, String(p.type).split(','), s) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const bound = `${COMPARISONS[String(p.comparison)] ?? String(p.comparison)} ${String(p.limit)}`;
      const eg = example(s);
      return { path, message: `${where} must be ${bound}, but is ${JSON.stringify(e.data)}: use ${eg ? `e.g. ${eg}` : `a value that is ${bound}`}` };
    }
    case 'minLength':
      return { path, message: `${where} is empty: give a file path relative to this model file, such as "data/train-images-idx3-ubyte.gz"` };
    case 'minItems':
    case 'maxItems':
      return { path, message: `${where} must list ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)} item${p.limit === 1 ? '' : 's'}: ${e.keyword === 'minItems' ? 'add' : 'remove'} some` };
    case 'uniqueItems': {
      const i = Math.max(Number(p.i), Number(p.j));
      return { path: [...path, i], message: `${where} lists ${JSON.stringify((e.data as unknown[])[i])} twice: remove the repeat` };
    }
    default:
      return { path, message: `${where} ${e.message ?? 'is invalid'}: fix this value` };
  }
}

/** Validates a parsed model file against the schema; one error per location, the most specific. */
export function validateModelSchema(value: unknown): SchemaError[] {
  if (validate(value)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
  const seen = new Set<string>();
  const out: SchemaError[] = [];
  for (const e of errors) {
    const d = describe(e);
    const key = d.path.join('/') + (d.atKey ? '#key' : '');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
