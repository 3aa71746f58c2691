import fs from 'node:fs';
import path from 'node:path';
import { en } from './locales/en';
import { hi } from './locales/hi';
import { pa } from './locales/pa';
import { translator } from './i18n';
import { viewsDir } from './paths';
import { jobSummaryText } from './job-words';

function keysOf(catalogue: object, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([key, value]) => (typeof value === 'string' ? [`${prefix}${key}`] : keysOf(value as object, `${prefix}${key}.`)));
}

function templates(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? templates(full) : entry.name.endsWith('.hbs') ? [full] : [];
  });
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]!).sort();
}

describe('message catalogue', () => {
  const english = new Set(keysOf(en));

  it('every literal key a template passes to {{t}} exists in the English catalogue', () => {
    const missing: string[] = [];
    for (const file of templates(viewsDir())) {
      const text = fs.readFileSync(file, 'utf8');
      // {{t "key"}}, (t "key") and the keys handed to the field partial as label= / hint=.
      for (const match of text.matchAll(/(?:\{\{|\()t "([a-zA-Z0-9_.]+)"|\b(?:label|hint)="([a-zA-Z0-9_.]+)"/g)) {
        const key = match[1] ?? match[2]!;
        if (!english.has(key)) missing.push(`${path.relative(viewsDir(), file)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each([
    ['pa', pa],
    ['hi', hi],
  ])('%s has only keys English has, with the same placeholders', (_language, catalogue) => {
    const enFlat = new Map(keysOf(en).map((key) => [key, key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], en) as string]));
    for (const key of keysOf(catalogue)) {
      expect(enFlat.has(key)).toBe(true);
      const translated = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue) as string;
      expect([key, placeholders(translated)]).toEqual([key, placeholders(enFlat.get(key)!)]);
    }
  });

  it.each([
    ['pa', pa],
    ['hi', hi],
  ])('%s translates every string of the QR driver pages', (_language, catalogue) => {
    expect(keysOf(catalogue.qr ?? {}).sort()).toEqual(keysOf(en.qr).sort());
  });

  it.each([
    ['pa', pa],
    ['hi', hi],
  ])('%s translates every string of walk-in payments', (_language, catalogue) => {
    expect(keysOf(catalogue.payments ?? {}).sort()).toEqual(keysOf(en.payments).sort());
    expect(keysOf(catalogue.walkIn ?? {}).sort()).toEqual(keysOf(en.walkIn).sort());
    expect(catalogue.cashier?.upi).toBe('UPI');
  });

  it.each([
    ['pa', pa],
    ['hi', hi],
  ])('%s names every background job, describes it and says every part of its runs\' summaries', (_language, catalogue) => {
    // The jobs table is read as text: a job or a summary key added there fails here until it is translated.
    const table = fs.readFileSync(path.join(__dirname, '..', 'jobs', 'table.ts'), 'utf8');
    const jobNames = [...table.matchAll(/name: '([a-z-]+)'|expiryEveryMinute\('([a-z-]+)'/g)].map((match) => match[1] ?? match[2]!);
    const summaryKeys = [...table.matchAll(/said\('(\w+)'|key: '(\w+)'/g)].map((match) => match[1] ?? match[2]!);
    expect(jobNames.length).toBeGreaterThanOrEqual(7);
    expect(summaryKeys).toContain('logsPruned');
    const maintenance = catalogue.maintenance ?? {};
    expect(jobNames.filter((name) => !maintenance.jobName?.[name as keyof typeof en.maintenance.jobName] || !maintenance.jobText?.[name as keyof typeof en.maintenance.jobText])).toEqual([]);
    expect(summaryKeys.filter((key) => !maintenance.jobSummary?.[key as keyof typeof en.maintenance.jobSummary])).toEqual([]);
  });

  it.each(['en', 'pa', 'hi'] as const)('%s groups the numbers of a job summary as the language writes them', (language) => {
    const text = jobSummaryText({ summary: 'logs pruned', summaryParts: [{ key: 'logsPruned', values: { messages: 1234567, events: 0, days: 90 } }] }, language);
    expect(text).toContain('12,34,567');
    expect(text).not.toContain('1234567');
  });

  it('a key missing in Punjabi falls back to English; values are not HTML-escaped twice', () => {
    expect(translator('pa')('login.title')).toBe('ਸਾਈਨ ਇਨ');
    expect(translator('pa')('app.name')).toBe('Chargeyard');
    expect(translator('en')('cashier.unknownCard', { uid: '<b>' })).toBe('Card <b> is not registered.');
  });
});
