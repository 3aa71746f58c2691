import path from 'node:path';
import express from 'express';
import { packageFile, viewsDir } from '../paths';

/** Cache static files for an hour; they change only with a new release. */
const ASSET_MAX_AGE_MS = 60 * 60 * 1000;

/** /assets: our CSS and JS from views/assets, htmx and its SSE extension from node_modules. No CDN. */
export function assetRoutes(web: express.Express): void {
  const options = { maxAge: ASSET_MAX_AGE_MS, immutable: false, index: false, fallthrough: false } as const;
  web.get('/assets/htmx.min.js', (_request, response) => response.sendFile(packageFile('htmx.org', 'dist/htmx.min.js'), { maxAge: ASSET_MAX_AGE_MS }));
  web.get('/assets/sse.min.js', (_request, response) => response.sendFile(packageFile('htmx-ext-sse', 'dist/sse.min.js'), { maxAge: ASSET_MAX_AGE_MS }));
  // Browsers ask for /favicon.ico whatever the page says; the pages link the SVG icon.
  web.get('/favicon.ico', (_request, response) => response.redirect(301, '/assets/favicon.svg'));
  web.use('/assets', express.static(path.join(viewsDir(), 'assets'), options));
}
