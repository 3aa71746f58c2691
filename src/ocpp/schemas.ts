import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { OcppError, type OcppErrorKind, type OcppVersion } from './errors';

/** One message schema as the official files spell it: `$id` is `urn:Action.req` or `urn:Action.conf`. */
export interface OfficialSchema {
  $id: string;
  [keyword: string]: unknown;
}

/**
 * The official OCPP JSON schemas, as shipped by the maintained `ocpp-rpc` package (OCPP 1.6 with
 * the security whitepaper messages, and 2.0.1). We only read its schema files; validation, error
 * mapping and transport are ours. src/ocpp/generate-types.ts makes the TypeScript types in
 * generated/ from the same files.
 */
export const SCHEMA_FILES: Record<OcppVersion, { path: string; schemas: readonly OfficialSchema[] }> = {
  '1.6': { path: 'ocpp-rpc/lib/schemas/ocpp1_6.json', schemas: require('ocpp-rpc/lib/schemas/ocpp1_6.json') },
  '2.0.1': { path: 'ocpp-rpc/lib/schemas/ocpp2_0_1.json', schemas: require('ocpp-rpc/lib/schemas/ocpp2_0_1.json') },
};

export type Direction = 'req' | 'conf';

/** Which schema keyword failure means which CALLERROR (OCPP-J 1.6 §4.2.3 / 2.0.1 part 4 §4.3). */
const KIND_BY_KEYWORD: Record<string, OcppErrorKind> = {
  type: 'TypeConstraintViolation',
  format: 'TypeConstraintViolation',
  required: 'OccurrenceConstraintViolation',
  minItems: 'OccurrenceConstraintViolation',
  maxItems: 'OccurrenceConstraintViolation',
  minProperties: 'OccurrenceConstraintViolation',
  maxProperties: 'OccurrenceConstraintViolation',
  additionalProperties: 'PropertyConstraintViolation',
  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
};

export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction | null>();
  private readonly sources = new Map<string, object>();
  readonly actions: ReadonlySet<string>;

  constructor(readonly version: OcppVersion) {
    // Written out: no type coercion, no defaults inserted, no removal of extra properties; the
    // payload is judged exactly as the charger sent it.
    this.ajv = new Ajv({
      coerceTypes: false,
      useDefaults: false,
      removeAdditional: false,
      allErrors: false,
      strict: false,
      validateSchema: false,
    });
    addFormats(this.ajv, ['date-time', 'uri']);
    // Decimal steps like 0.1 are not exact in binary floating point; compare with a tolerance.
    this.ajv.removeKeyword('multipleOf');
    this.ajv.addKeyword({
      keyword: 'multipleOf',
      type: 'number',
      errors: false,
      compile: (step: number) => (value: number) => {
        const quotient = value / step;
        return Math.abs(Math.round(quotient) - quotient) < 1e-9;
      },
    });
    // The files name each schema `urn:Action.req`, which current URI libraries refuse as a URN,
    // so schemas are keyed by that name here and compiled one by one without their $id.
    for (const { $id, ...schema } of SCHEMA_FILES[version].schemas) this.sources.set($id.replace(/^urn:/, ''), schema);
    this.actions = new Set([...this.sources.keys()].map((key) => key.replace(/\.(req|conf)$/, '')));
  }

  has(action: string): boolean {
    return this.actions.has(action);
  }

  /** Throws an OcppError with the matching kind when `payload` does not match the schema. */
  validate(action: string, direction: Direction, payload: unknown): void {
    const validate = this.compile(action, direction);
    if (!validate) throw new OcppError('NotImplemented', `No ${direction} schema for action ${action}`);
    if (validate(payload)) return;
    const first = validate.errors![0]!;
    throw new OcppError(KIND_BY_KEYWORD[first.keyword] ?? 'FormationViolation', describe(first), {
      path: first.instancePath || '/',
      keyword: first.keyword,
    });
  }

  private compile(action: string, direction: Direction): ValidateFunction | null {
    const key = `${action}.${direction}`;
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      const source = this.sources.get(key);
      validate = source ? this.ajv.compile(source) : null;
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || 'payload';
  if (error.keyword === 'required') return `${where} is missing required property ${String(error.params.missingProperty)}`;
  if (error.keyword === 'additionalProperties') {
    return `${where} has unknown property ${String(error.params.additionalProperty)}`;
  }
  if (error.keyword === 'enum') {
    return `${where} must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

const validators = new Map<OcppVersion, SchemaValidator>();

/** One validator per version for the whole process (compiled schemas are shared by all chargers). */
export function schemaValidator(version: OcppVersion): SchemaValidator {
  let validator = validators.get(version);
  if (!validator) {
    validator = new SchemaValidator(version);
    validators.set(version, validator);
  }
  return validator;
}
