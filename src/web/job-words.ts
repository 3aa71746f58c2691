import type { JobRun } from '../jobs';
import { hasMessage, translator, type UiLanguage } from './i18n';

/** A job's name for people (maintenance.jobName.<name>), or its machine name where the catalogue has none. */
export function jobTitle(name: string, language: UiLanguage): string {
  return translator(language)(`maintenance.jobName.${name}`, { defaultValue: name });
}

/**
 * What a run did in the page's language: its parts said by their keys (maintenance.jobSummary.<key>).
 * A failure's error message, a plain-text job or a part the catalogue lacks keeps the English text.
 */
export function jobSummaryText(run: Pick<JobRun, 'summary' | 'summaryParts'>, language: UiLanguage): string {
  const parts = run.summaryParts;
  if (!parts || parts.length === 0 || !parts.every((part) => hasMessage(`maintenance.jobSummary.${part.key}`))) return run.summary;
  const t = translator(language);
  return parts.map((part) => t(`maintenance.jobSummary.${part.key}`, part.values)).join('; ');
}
