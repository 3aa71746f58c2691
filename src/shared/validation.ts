import type { z } from 'zod';
import { badRequest } from './errors';

/** Parses outside input with a zod schema into a typed value, or throws a 400 naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, code = 'invalid_request'): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  throw badRequest(code, `${field}: ${issue.message}`, { field, issues: parsed.error.issues });
}
