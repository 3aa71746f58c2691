import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GeneratedFile } from './generate-types';
import { schemaValidator } from './schemas';

const repositoryRoot = path.resolve(__dirname, '..', '..');
const FILES = { '1.6': 'src/ocpp/generated/v16.ts', '2.0.1': 'src/ocpp/generated/v201.ts' } as const;

/** The generator in its own process (see generate-types.ts main): its output, nothing written. */
async function generateInMemory(): Promise<GeneratedFile[]> {
  const tsx = path.join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const { stdout } = await promisify(execFile)(process.execPath, [tsx, 'src/ocpp/generate-types.ts', '--json'], {
    cwd: repositoryRoot,
    maxBuffer: 32 * 1024 * 1024,
  });
  return JSON.parse(stdout) as GeneratedFile[];
}

describe('generated OCPP message types', () => {
  let generated: GeneratedFile[];
  beforeAll(async () => {
    generated = await generateInMemory();
  }, 180_000);

  const textOf = (file: string): string => generated.find((candidate) => candidate.path === file)!.text;

  test('the generator makes one file per OCPP version, each marked generated', () => {
    expect(generated.map((file) => file.path)).toEqual(Object.values(FILES));
    for (const file of generated) expect(file.text.startsWith('/**\n * GENERATED FILE, do not edit.')).toBe(true);
  });

  test.each(Object.values(FILES))('checked-in %s equals what the generator makes from the schemas (if not: npm run ocpp:types)', (file) => {
    expect(fs.readFileSync(path.join(repositoryRoot, file), 'utf8')).toBe(textOf(file));
  });

  test.each(Object.entries(FILES))('OCPP %s: every action the validator knows maps to its request and response type', (version, file) => {
    const actions = [...schemaValidator(version as keyof typeof FILES).actions].sort();
    const entries = (map: string): string[][] => {
      const body = new RegExp(`export interface ${map} \\{\\n([\\s\\S]*?)\\n\\}`).exec(textOf(file))![1]!;
      return [...body.matchAll(/^ {2}(\w+): (\w+);$/gm)].map(([, action, type]) => [action!, type!]);
    };
    expect(entries('Requests')).toEqual(actions.map((action) => [action, `${action}Request`]));
    expect(entries('Responses')).toEqual(actions.map((action) => [action, `${action}Response`]));
  });
});
