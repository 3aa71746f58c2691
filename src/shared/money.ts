import { assert } from './assert';

/** An amount of money in integer minor units (paise, cents) of the site currency. */
export type AmountMinor = number;

/** Money on the wire (CONTRACT "Units, everywhere"). */
export interface Money {
  amount: AmountMinor;
  currency: string;
}

/** Asserts an internal amount is a safe integer; a failure is a programmer error. */
export function assertAmount(amountMinor: number, what = 'amount'): AmountMinor {
  assert(Number.isSafeInteger(amountMinor), `${what} must be a safe integer, got ${amountMinor}`);
  return amountMinor;
}

export function money(amountMinor: AmountMinor, currency: string): Money {
  return { amount: assertAmount(amountMinor), currency };
}

/** Whether the text is a currency code Intl can format (three capital letters). */
export function isCurrencyCode(text: unknown): text is string {
  if (typeof text !== 'string' || !/^[A-Z]{3}$/.test(text)) return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: text });
    return true;
  } catch {
    return false;
  }
}

/** Number of minor-unit digits of an ISO 4217 currency, from Intl. */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** 1063 INR → "10.63"; exact, no float arithmetic. */
export function minorToDecimalString(amountMinor: AmountMinor, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = amountMinor < 0;
  const text = Math.abs(amountMinor).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${text.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * An amount as people type it, in major units → minor units; undefined when it is not one.
 * "12.34" → 1234 for a 2-digit currency. Grouping commas are read as people write them, Western
 * ("1,000", "12,500.50") or Indian ("1,00,000"); a comma before one or two final digits is a
 * decimal comma ("12,50"). A leading currency sign or code ("₹", "Rs.", "INR") is allowed.
 */
export function decimalStringToMinor(text: string, currency: string): AmountMinor | undefined {
  const digits = currencyDigits(currency);
  const plain = text.trim().replace(new RegExp(`^(₹|rs\\.?|${currency})\\s*`, 'i'), '');
  const grouped = /^(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3})(\.\d+)?$/.test(plain);
  const normalised = grouped ? plain.replace(/,/g, '') : plain.replace(/^(\d+),(\d{1,2})$/, '$1.$2');
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(normalised);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  const minor = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : undefined;
}

/** Formats for people with Intl (en-IN groups INR in lakhs: ₹12,34,567.50). */
export function formatMoney(amountMinor: AmountMinor, currency: string, locale = 'en-IN'): string {
  const digits = currencyDigits(currency);
  // Format the exact decimal string so large amounts never pass through a float division.
  const decimal = minorToDecimalString(amountMinor, currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(decimal as unknown as number);
}
