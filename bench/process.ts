import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts a server script (the appliance, an echo ceiling, the lean server) as its own node
 * process and resolves once it printed its port as a JSON line on stdout.
 */
export function startProcess(script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { port?: number };
        if (typeof entry.port === 'number') return resolve({ child, port: entry.port });
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${output}`)));
  });
}
