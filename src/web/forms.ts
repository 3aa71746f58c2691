import type { Request } from 'express';
import { z } from 'zod';

/** Field errors by field name, as the templates show them (message next to the field, aria-invalid). */
export type FieldErrors = Record<string, string>;

/** Reads a urlencoded form body as strings only (repeated fields keep the last value). */
export function formBody(request: Request): Record<string, string> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && typeof value[value.length - 1] === 'string') out[key] = value[value.length - 1] as string;
  }
  return out;
}

/** zod issues → one message per field (the first one). */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
}

/** An integer from a form field: digits only, or undefined. */
export const formInteger = z
  .string()
  .trim()
  .regex(/^\d{1,15}$/, 'must be a whole number')
  .transform(Number);
