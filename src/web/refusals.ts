import type { Response } from 'express';
import type { FieldErrors } from './forms';
import { hasMessage, pageLanguage, translator } from './i18n';

/**
 * A refusal of the domain code as the web layer receives it: an AppError, or the `error` of a stored
 * idempotent outcome. Its `message` is English for the JSON API and the logs (CONTRACT keeps it);
 * pages say it in their own language, by the code and the field it names.
 */
export interface Refusal {
  code: string;
  message: string;
  details?: unknown;
}

/** The field a validation refusal names (parseInput's `details.field`), if any. */
function fieldOf(refusal: Refusal): string | undefined {
  const field = (refusal.details as { field?: unknown } | undefined)?.field;
  return typeof field === 'string' && field !== 'body' ? field : undefined;
}

/** The catalogue key of a refusal: the named field's own message where it has one, else the code's. */
function catalogueKeyOf(refusal: Refusal): string | undefined {
  const field = fieldOf(refusal);
  if (field && hasMessage(`validation.${field}`)) return `validation.${field}`;
  return hasMessage(`domainErrors.${refusal.code}`) ? `domainErrors.${refusal.code}` : undefined;
}

/**
 * What a field error holds for a refusal: the catalogue key (validation.<field> or
 * domainErrors.<code>), which the field partial translates. A code the catalogue lacks keeps the
 * domain's English words (refusals.test.ts fails for every such code the source can throw).
 */
export function refusalKey(refusal: Refusal): string {
  return catalogueKeyOf(refusal) ?? refusal.message;
}

/** A refusal in the page's language, for messages printed as they are (a flash, a failure line). */
export function refusalText(refusal: Refusal, response: Response): string {
  const key = catalogueKeyOf(refusal);
  return key ? translator(pageLanguage(response))(key) : refusal.message;
}


/**
 * Every problem of a form the domain found, by field (e.g. SettingsService.problems): each field's own
 * message where the catalogue has one, else the code's. The domain's English rule text is not shown.
 */
export function problemKeys(problems: Record<string, string>, code = 'invalid_request'): FieldErrors {
  return Object.fromEntries(Object.keys(problems).map((field) => [field, refusalKey({ code, message: problems[field]!, details: { field } })]));
}
