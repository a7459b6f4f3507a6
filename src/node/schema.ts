/** The model-file JSON Schema through Ajv (Node only: Ajv compiles validators with eval). */
import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../schemas/genlab.schema.json';
import type { SchemaError } from '../core/modelfile/check';

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

function pathOf(e: ErrorObject): Array<string | number> {
  return e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function describe(e: ErrorObject): SchemaError {
  const path = pathOf(e);
  const where = path.length ? `"${path.join('.')}"` : 'the model file';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(p.additionalProperty)], atKey: true, message: `${where} has no property "${String(p.additionalProperty)}"` };
    case 'required':
      return { path, message: `${where} needs "${String(p.missingProperty)}"${p.missingProperty === 'family' ? ', e.g. "family": "vae"' : ''}` };
    case 'enum':
      return { path, message: `${where} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'type':
      return { path, message: `${where} must be ${p.type === 'integer' ? 'a whole number' : `of type ${String(p.type)}`}` };
    default:
      return { path, message: `${where} ${e.message ?? 'is invalid'}` };
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
