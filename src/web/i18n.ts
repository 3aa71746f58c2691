import type { Response } from 'express';
import i18next, { type TFunction } from 'i18next';
import { en } from './locales/en';
import { hi } from './locales/hi';
import { pa } from './locales/pa';

export const UI_LANGUAGES = ['en', 'pa', 'hi'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

/** Intl locales per UI language; all use Indian digit grouping (lakh, crore). */
export const INTL_LOCALE: Record<UiLanguage, string> = { en: 'en-IN', pa: 'pa-IN', hi: 'hi-IN' };

const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  resources: { en: { translation: en }, pa: { translation: pa }, hi: { translation: hi } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...UI_LANGUAGES],
  // Handlebars escapes every value it prints; escaping here too would show &amp; to people.
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function isUiLanguage(value: unknown): value is UiLanguage {
  return typeof value === 'string' && (UI_LANGUAGES as readonly string[]).includes(value);
}

/** The message function for one language: `t('login.title')`, `t('login.locked', {minutes: 15})`. */
export function translator(language: UiLanguage): TFunction {
  return instance.getFixedT(language);
}

/** Whether a message key exists (in English, the fallback of every language). */
export function hasMessage(key: string): boolean {
  return instance.exists(key, { lng: 'en' });
}

/** The language of the page being answered (set by the locals middleware; English before it ran). */
export function pageLanguage(response: Response): UiLanguage {
  const language: unknown = response.locals.lang;
  return isUiLanguage(language) ? language : 'en';
}
