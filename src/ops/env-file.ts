import fs from 'node:fs';

/**
 * Reads a systemd EnvironmentFile (KEY=VALUE lines, # comments, optional quotes) such as
 * /etc/chargeyard/env. Only simple assignments are understood; anything else is an error naming
 * the line, so a typo is reported rather than silently ignored.
 */
function parseEnvFile(text: string, file = 'env file'): Map<string, string> {
  const values = new Map<string, string>();
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`${file}:${index + 1}: expected KEY=VALUE, got ${JSON.stringify(rawLine)}`);
    values.set(match[1]!, unquote(match[2]!.trim()));
  });
  return values;
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
    const inner = value.slice(1, -1);
    return value[0] === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return value;
}

/**
 * Adds the file's variables to `env` where they are not set already: the environment a command
 * is given always wins over the file (CONTRACT: a config file may add, never contradict).
 */
export function applyEnvFile(file: string, env: NodeJS.ProcessEnv = process.env): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file is fine (a checkout); an unreadable one is not (run as the wrong user).
    if (code === 'ENOENT') return;
    throw new Error(`cannot read ${file} (${code ?? String(error)}); run as root or as the chargeyard user`);
  }
  for (const [key, value] of parseEnvFile(text, file)) {
    if (env[key] === undefined) env[key] = value;
  }
}
