import fs from 'node:fs';
import path from 'node:path';
import { PAYMENT_REQUEST_STATUSES } from '../db/schema/till';
import { START_REFUSALS } from '../qrstart';
import { AppError, badRequest, conflict, notFound } from '../shared';
import { translator } from './i18n';
import { en } from './locales/en';
import { hi } from './locales/hi';
import { pa } from './locales/pa';
import { problemKeys, refusalKey } from './refusals';

const SOURCE_ROOT = path.join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/**
 * The codes built at run time, by the expression that builds them: a new one fails the test below
 * until it is listed here with every code it can make.
 */
const CODES_BUILT_AT_RUN_TIME: Record<string, readonly string[]> = {
  // The generic helpers themselves (src/shared), which pass a caller's literal code on.
  code: [],
  // A cancel of a request that is confirmed or expired (an open one is cancelled, a cancelled one stays so).
  '`payment_request_${row.status}`': PAYMENT_REQUEST_STATUSES.filter((status) => status !== 'open' && status !== 'cancelled').map((status) => `payment_request_${status}`),
  // QR start refusals (refusalError).
  refusal: START_REFUSALS,
};

/** Every AppError code the source (domain and web layer) can throw, literal or built. */
function codesInSource(): { codes: Set<string>; unlisted: string[] } {
  const codes = new Set<string>(['not_found', 'forbidden']);
  const unlisted: string[] = [];
  for (const file of sourceFiles(SOURCE_ROOT)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:new AppError|badRequest|conflict)\(\s*([^,)]+)/g)) {
      const first = match[1]!.trim();
      const literal = /^'([a-z0-9_]+)'$/.exec(first);
      if (literal) codes.add(literal[1]!);
      else if (first in CODES_BUILT_AT_RUN_TIME) CODES_BUILT_AT_RUN_TIME[first]!.forEach((code) => codes.add(code));
      else unlisted.push(`${path.relative(SOURCE_ROOT, file)}: ${first}`);
    }
    for (const match of text.matchAll(/parseInput\([^;]*?,\s*'([a-z0-9_]+)'\s*\)/g)) codes.add(match[1]!);
  }
  return { codes, unlisted };
}

describe('refusals of the domain on pages', () => {
  const { codes, unlisted } = codesInSource();

  test('the source is searched: the codes of a phone taken, a refused top-up and a QR start refusal are found, none is built unseen', () => {
    expect(unlisted).toEqual([]);
    for (const code of ['phone_taken', 'card_not_prepaid', 'insufficient_funds', 'invalid_uid', 'connector_unavailable', 'payment_request_expired', 'not_found']) expect(codes).toContain(code);
    expect(codes.size).toBeGreaterThan(45);
  });

  test.each([
    ['en', en],
    ['pa', pa],
    ['hi', hi],
  ] as const)('every code the source can throw has a %s message', (_language, catalogue) => {
    const missing = [...codes].filter((code) => typeof (catalogue.domainErrors as Record<string, string | undefined>)[code] !== 'string');
    expect(missing).toEqual([]);
  });

  test.each([
    ['pa', pa],
    ['hi', hi],
  ] as const)('the %s messages are translated, not English copied', (_language, catalogue) => {
    const untranslated = Object.entries(catalogue.domainErrors ?? {}).filter(([code, text]) => text === (en.domainErrors as Record<string, string>)[code] || /[a-z]{4,} [a-z]{4,}/.test(text));
    expect(untranslated).toEqual([]);
  });

  test('a refusal naming a field with its own message gets that message; otherwise the code decides', () => {
    const phoneRule = badRequest('invalid_request', 'phone: Invalid phone number', { field: 'phone' });
    expect(refusalKey(phoneRule)).toBe('validation.phone');
    expect(refusalKey(badRequest('invalid_request', 'body: bad', { field: 'body' }))).toBe('domainErrors.invalid_request');
    expect(refusalKey(badRequest('invalid_request', 'label: too long', { field: 'label' }))).toBe('domainErrors.invalid_request');
    expect(refusalKey(conflict('phone_taken', 'Another driver has this phone number'))).toBe('domainErrors.phone_taken');
    expect(refusalKey(notFound('Driver', 9))).toBe('domainErrors.not_found');
    // The stored answer of an idempotent write carries the code and message only.
    expect(refusalKey({ code: 'card_not_prepaid', message: 'Card X is a personal card: it has no balance' })).toBe('domainErrors.card_not_prepaid');
    // A code no catalogue knows (refused by the tests above) would keep the domain's own words.
    expect(refusalKey(new AppError('made_up_code', 'Made-up words'))).toBe('Made-up words');
    expect(translator('pa')(refusalKey(conflict('phone_taken', 'x')))).toBe('ਇਹ ਫ਼ੋਨ ਨੰਬਰ ਕਿਸੇ ਹੋਰ ਡਰਾਈਵਰ ਦਾ ਹੈ।');
  });

  test("a form's problems become each field's message, or the code's where the field has none", () => {
    expect(problemKeys({ siteName: 'Too big: expected string to have <=100 characters', receiptPaper: 'Invalid option' })).toEqual({
      siteName: 'validation.siteName',
      receiptPaper: 'domainErrors.invalid_request',
    });
  });
});
