import fs from 'node:fs';
import path from 'node:path';

/** The repository (or install) root: the folder with package.json above src/ or dist/src/. */
function projectRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`package.json not found above ${__dirname}`);
}

export const viewsDir = (): string => path.join(projectRoot(), 'views');

/** A file inside an installed package (htmx and its SSE extension are served from node_modules). */
export function packageFile(packageName: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${packageName}/package.json`)), file);
}
