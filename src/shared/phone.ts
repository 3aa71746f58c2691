import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCallingCode } from 'libphonenumber-js/min';

/** A phone number in E.164: `+` and 8–15 digits, country code first (`+919814012345`). */
export type E164Phone = string;

/** Every calling code the numbering-plan data knows (1, 44, 91, 971...). */
const CALLING_CODES: ReadonlySet<string> = new Set(getCountries().map((country) => getCountryCallingCode(country)));

export function isCallingCode(code: string): boolean {
  return CALLING_CODES.has(code);
}

/**
 * A phone number as people write it → E.164 (CONTRACT `/users`): spaces, dashes, dots and brackets
 * dropped, `00` read as `+`, a trunk `0` dropped, and a number written without its country code
 * given the site's `phoneCountryCode`. Undefined when it cannot be a number of that plan.
 *
 * The check is the plan's number lengths ("possible"), not its current number ranges ("valid"):
 * an appliance that is never updated must not refuse a newly opened mobile range.
 */
export function normalisePhone(raw: string, countryCallingCode: string): E164Phone | undefined {
  const text = raw.trim();
  if (text.length === 0 || text.length > 40 || !/^[+\d\s\-.()]+$/.test(text)) return undefined;
  const international = text.replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(international, { defaultCallingCode: countryCallingCode as CountryCallingCode });
  if (!parsed || !parsed.isPossible()) return undefined;
  return parsed.number;
}

/** E.164 grouped for reading on a page (`+91 98140 12345`); anything else is shown as stored. */
export function formatPhone(phone: string): string {
  const parsed = phone.startsWith('+') ? parsePhoneNumberFromString(phone) : undefined;
  return parsed ? parsed.formatInternational() : phone;
}
