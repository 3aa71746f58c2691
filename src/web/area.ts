import type express from 'express';
import type { AppServices } from '../services';
import type { CsrfTools } from './security';
import type { LiveHub } from './sse';

/** What a group of web routes gets: the domain services and the CSRF tools (for sign-in rotation). */
export interface WebContext {
  services: AppServices;
  csrf: CsrfTools;
  live: LiveHub;
}

/** A group of web routes (one area: pages plus their fragments), registered on a router. */
export type WebArea = (router: express.Router, context: WebContext) => void;
