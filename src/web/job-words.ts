import type { JobRun } from '../jobs';
import { formatNumber } from './formats';
import { hasMessage, translator, type UiLanguage } from './i18n';

/** A job's name for people (maintenance.jobName.<name>), or its machine name where the catalogue has none. */
export function jobTitle(name: string, language: UiLanguage): string {
  return translator(language)(`maintenance.jobName.${name}`, { defaultValue: name });
}

/**
 * What a run did in the page's language: its parts said by their keys (maintenance.jobSummary.<key>).
 * Numbers are grouped as the language writes them (12,34,567 in en-IN); a failure's error message, a
 * plain-text job or a part the catalogue lacks keeps the English text.
 */
export function jobSummaryText(run: Pick<JobRun, 'summary' | 'summaryParts'>, language: UiLanguage): string {
  const parts = run.summaryParts;
  if (!parts || parts.length === 0 || !parts.every((part) => hasMessage(`maintenance.jobSummary.${part.key}`))) return run.summary;
  const t = translator(language);
  return parts.map((part) => t(`maintenance.jobSummary.${part.key}`, localized(part.values, language))).join('; ');
}

function localized(values: Record<string, string | number>, language: UiLanguage): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, typeof value === 'number' ? formatNumber(value, language) : value]));
}
