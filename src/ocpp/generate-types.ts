import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import type { OcppVersion } from './errors';
import { SCHEMA_FILES, type OfficialSchema } from './schemas';

/**
 * Writes src/ocpp/generated/v16.ts and v201.ts: the request and response types of every OCPP
 * message, made by json-schema-to-typescript from the same official schema files the validator
 * reads (schemas.ts). Types only, so the hot path pays nothing for them; the staleness test
 * (generate-types.test.ts) generates in memory and compares with the checked-in files. Run it with `npm run ocpp:types` after upgrading ocpp-rpc or this generator.
 */

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  text: string;
}

const OUTPUT: Record<OcppVersion, string> = {
  '1.6': 'src/ocpp/generated/v16.ts',
  '2.0.1': 'src/ocpp/generated/v201.ts',
};

/** The generator's options written out rather than trusted as defaults. */
const COMPILE_OPTIONS = {
  bannerComment: '',
  // Every message type hangs off Requests/Responses, so nothing unreachable needs declaring.
  declareExternallyReferenced: true,
  unreachableDefinitions: false,
  // A schema without `additionalProperties` allows more, as JSON Schema says.
  additionalProperties: true,
  // minItems/maxItems would turn arrays into long tuple unions; the validator enforces them.
  ignoreMinAndMaxItems: true,
  strictIndexSignatures: false,
  unknownAny: true,
  enableConstEnums: false,
  inferStringEnumKeysFromValues: false,
  format: true,
  style: { singleQuote: true, printWidth: 140, trailingComma: 'all' as const },
};

export async function generateOcppTypes(): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const version of Object.keys(OUTPUT) as OcppVersion[]) {
    files.push({ path: OUTPUT[version], text: await generateVersion(version) });
  }
  return files;
}

async function generateVersion(version: OcppVersion): Promise<string> {
  const { path: schemaPath, schemas } = SCHEMA_FILES[version];
  const root = messageSetSchema(schemas);
  const body = await compile(root, 'OcppMessages', COMPILE_OPTIONS);
  const ocppRpcVersion = (JSON.parse(fs.readFileSync(require.resolve('ocpp-rpc/package.json'), 'utf8')) as { version: string }).version;
  const banner = [
    '/**',
    ` * GENERATED FILE, do not edit. OCPP ${version} request and response types, made by`,
    ` * src/ocpp/generate-types.ts (json-schema-to-typescript) from the official JSON schemas in`,
    ` * ${schemaPath} (ocpp-rpc ${ocppRpcVersion}), the same files the validator reads.`,
    ' * Regenerate with `npm run ocpp:types`; src/ocpp/generate-types.test.ts fails when it is stale.',
    ' */',
  ].join('\n');
  const footer = ['', '/** Every action of this OCPP version (CALLs in either direction). */', 'export type Action = keyof Requests & keyof Responses;', ''].join(
    '\n',
  );
  return `${banner}\n\n${body.trimEnd()}\n${footer}`;
}

/**
 * One schema for the whole version: `Requests` and `Responses` map each action to its message
 * type (`AuthorizeRequest`, `AuthorizeResponse`, ...), and the definitions the 2.0.1 files repeat
 * in every message (IdTokenType, ...) are declared once.
 */
function messageSetSchema(schemas: readonly OfficialSchema[]): JSONSchema {
  const messages: Record<string, JSONSchema> = {};
  const sharedDefinitions = new SharedDefinitions();
  const requests: Record<string, JSONSchema> = {};
  const responses: Record<string, JSONSchema> = {};
  for (const { $id, $schema: _draft, definitions: messageDefinitions, ...schema } of [...schemas].sort((a, b) => compareText(a.$id, b.$id))) {
    const { action, direction } = schemaName($id);
    const typeName = `${action}${direction === 'req' ? 'Request' : 'Response'}`;
    for (const [name, definition] of Object.entries((messageDefinitions ?? {}) as Record<string, JSONSchema>)) {
      sharedDefinitions.add(name, definition, $id);
    }
    messages[typeName] = cleanDescriptions({ ...schema, title: typeName }) as JSONSchema;
    (direction === 'req' ? requests : responses)[action] = { $ref: `#/definitions/${typeName}` };
  }
  const inlineTypes = new RepeatedInlineTypes(messages, new Set([...Object.keys(messages), ...Object.keys(sharedDefinitions.all())]));
  const actions = Object.keys(requests).sort();
  if (!isDeepStrictEqual(actions, Object.keys(responses).sort())) throw new Error('Every action needs both a .req and a .conf schema');
  const actionMap = (title: string, byAction: Record<string, JSONSchema>): JSONSchema => ({
    title,
    type: 'object',
    additionalProperties: false,
    required: actions,
    properties: Object.fromEntries(actions.map((action) => [action, byAction[action]!])),
  });
  return {
    title: 'OcppMessages',
    type: 'object',
    additionalProperties: false,
    required: ['requests', 'responses'],
    properties: { requests: actionMap('Requests', requests), responses: actionMap('Responses', responses) },
    definitions: { ...inlineTypes.messages, ...inlineTypes.definitions, ...sharedDefinitions.all() },
  };
}

/** `urn:Authorize.req` → Authorize, req. */
function schemaName($id: string): { action: string; direction: 'req' | 'conf' } {
  const match = /^urn:(\w+)\.(req|conf)$/.exec($id);
  if (!match) throw new Error(`Unexpected OCPP schema id ${$id}`);
  return { action: match[1]!, direction: match[2] as 'req' | 'conf' };
}

/**
 * The 2.0.1 files repeat each shared type in every message that uses it, sometimes with another
 * description. The shapes must agree (the generator refuses otherwise); a description is kept
 * only when every copy says the same.
 */
class SharedDefinitions {
  private readonly byName = new Map<string, { definition: JSONSchema; source: string }>();

  add(name: string, raw: JSONSchema, source: string): void {
    const definition = cleanDescriptions(raw) as JSONSchema;
    const known = this.byName.get(name);
    if (!known) {
      this.byName.set(name, { definition, source });
      return;
    }
    const { description: knownDescription, ...knownShape } = known.definition;
    const { description, ...shape } = definition;
    if (!isDeepStrictEqual(knownShape, shape)) throw new Error(`Definition ${name} differs between ${known.source} and ${source}`);
    if (knownDescription !== description) known.definition = knownShape;
  }

  all(): Record<string, JSONSchema> {
    return Object.fromEntries([...this.byName.keys()].sort().map((name) => [name, this.byName.get(name)!.definition]));
  }
}

/**
 * 2.0.1 descriptions open with the data dictionary name and its urn (`Device. Model. CI20_ Text`,
 * `urn:x-oca:ocpp:uid:1:569325`); those two lines are dropped, the sentence that follows is kept.
 */
function cleanDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cleanDescriptions);
  if (value === null || typeof value !== 'object') return value;
  const cleaned: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'description' && typeof child === 'string') {
      const text = cleanDescription(child);
      if (text) cleaned.description = text;
    } else {
      cleaned[key] = cleanDescriptions(child);
    }
  }
  return cleaned;
}

function cleanDescription(description: string): string {
  const lines = description.split(/\r?\n/).map((line) => line.trimEnd());
  const kept = lines.filter((line, index) => !isUrn(line) && !isUrn(lines[index + 1] ?? ''));
  return kept.join('\n').trim();
}

function isUrn(line: string): boolean {
  return /^urn:x-[\w-]+:[\w-]+:uid:\d+:\d+$/.test(line.trim());
}

/**
 * The 1.6 files write nested types inline, so IdTagInfo, MeterValue, ChargingProfile, ... are
 * spelled out again in every message that carries them. An inline object type that occurs more
 * than once (same shape, descriptions aside) is declared once, named after the property that
 * first holds it (`idTagInfo` → IdTagInfo).
 */
class RepeatedInlineTypes {
  readonly messages: Record<string, JSONSchema>;
  readonly definitions: Record<string, JSONSchema> = {};
  private readonly nameByShape = new Map<string, string>();

  constructor(
    messages: Record<string, JSONSchema>,
    private readonly takenNames: ReadonlySet<string>,
  ) {
    const occurrences = new Map<string, number>();
    for (const message of Object.values(messages)) {
      inlineObjects(message, '', true, (schema, shape) => {
        occurrences.set(shape, (occurrences.get(shape) ?? 0) + 1);
        return schema;
      });
    }
    this.messages = Object.fromEntries(
      Object.entries(messages).map(([name, message]) => [
        name,
        inlineObjects(message, '', true, (schema, shape, holder) => ((occurrences.get(shape) ?? 0) > 1 ? this.refTo(schema, shape, holder) : schema)).schema,
      ]),
    );
  }

  private refTo(schema: JSONSchema, shape: string, holder: string): JSONSchema {
    let name = this.nameByShape.get(shape);
    if (name === undefined) {
      name = holder.charAt(0).toUpperCase() + holder.slice(1);
      if (this.takenNames.has(name) || name in this.definitions) throw new Error(`Two different inline types would both be named ${name}`);
      this.nameByShape.set(shape, name);
      this.definitions[name] = schema;
    }
    return { $ref: `#/definitions/${name}` };
  }
}

type InlineObjectVisitor = (schema: JSONSchema, shape: string, holder: string) => JSONSchema;

/**
 * Rebuilds `node` bottom-up, passing each nested inline object type to `visit` with its shape (a
 * canonical text of it without descriptions, the same whether or not its own children were
 * replaced) and the name of the property that holds it.
 */
function inlineObjects(node: JSONSchema, holder: string, isRoot: boolean, visit: InlineObjectVisitor): { schema: JSONSchema; shape: string } {
  const { description: _description, ...shapeParts } = node as Record<string, unknown>;
  const schema: JSONSchema = { ...node };
  if (node.properties) {
    const properties: Record<string, JSONSchema> = {};
    const propertyShapes: Record<string, string> = {};
    for (const [key, child] of Object.entries(node.properties)) {
      const result = inlineObjects(child, key, false, visit);
      properties[key] = result.schema;
      propertyShapes[key] = result.shape;
    }
    schema.properties = properties;
    shapeParts.properties = propertyShapes;
  }
  if (node.items && !Array.isArray(node.items)) {
    const result = inlineObjects(node.items, holder, false, visit);
    schema.items = result.schema;
    shapeParts.items = result.shape;
  }
  const shape = canonicalJson(shapeParts);
  if (isRoot || node.type !== 'object' || !node.properties) return { schema, shape };
  return { schema: visit(schema, shape, holder), shape };
}

/** JSON with object keys sorted, so two equal shapes give the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value).sort(([a], [b]) => compareText(a, b));
  return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `npm run ocpp:types` writes the files (npm runs it from the repository root). With `--json` it
 * prints them instead, for the staleness test: prettier, which formats the output, loads itself
 * with a dynamic import() that jest's module sandbox cannot run, so the test runs this in a
 * child process.
 */
async function main(): Promise<void> {
  const files = await generateOcppTypes();
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(files));
    return;
  }
  for (const file of files) {
    const target = path.resolve(file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.text);
    process.stdout.write(`wrote ${file.path}\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
