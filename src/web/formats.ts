import { INTL_LOCALE, type UiLanguage } from './i18n';

/*
 * An Intl formatter takes far longer to build than to use (a date formatter about 70 times as
 * long), and a page formats hundreds of values: one formatter per language and time zone or
 * precision, kept. Their number is bounded by the languages, the site's time zone and the
 * precisions below.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatDateTime(iso: string, lang: UiLanguage, timeZone: string): string {
  const key = `${lang} ${timeZone}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(INTL_LOCALE[lang], { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    dateTimeFormats.set(key, format);
  }
  return format.format(new Date(iso));
}

/** A number in the page's language, with at most `maximumFractionDigits` decimals (Intl's default 3 when not given). */
export function formatNumber(value: number, lang: UiLanguage, maximumFractionDigits?: number): string {
  const key = `${lang} ${maximumFractionDigits ?? ''}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(INTL_LOCALE[lang], maximumFractionDigits === undefined ? {} : { maximumFractionDigits });
    numberFormats.set(key, format);
  }
  return format.format(value);
}
