import { decimalStringToMinor, minorToDecimalString } from '../shared';
import { pricesOf, type TariffInput, type TariffVersionRow } from '../tariffs';
import { formInteger, type FieldErrors } from './forms';

/** How many time-of-day band rows the form offers empty; a site rarely needs more than six. */
const TARIFF_BAND_ROWS = 6;
/** The most bands the tariff domain takes (set through the API): shown and read back so a form save keeps them all. */
const MAX_BAND_ROWS = 24;
const MINUTES_PER_DAY = 1440;
const clockPattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The money fields of a tariff form: typed in major units of the site currency ("18" is ₹18.00, not 18 paise). */
const PRICE_FIELDS = ['energyPricePerKwh', 'sessionFee', 'timePricePerHour', 'idleFeePerHour'] as const;
type PriceField = (typeof PRICE_FIELDS)[number];

/** The preview under a tariff form: what a charge of this size costs at the base prices. */
const PREVIEW_ENERGY_KWH = 20;
const PREVIEW_HOURS = 1;

/**
 * Reads the price fields in major units (an empty optional field is 0); a bad one gets its error.
 * Shared by the tariff forms and the setup wizard, so an owner never types paise anywhere.
 */
export function parsePriceFields<Field extends string>(form: Record<string, string>, fields: readonly Field[], currency: string, errors: FieldErrors, required: readonly Field[] = []): Record<Field, number> | undefined {
  const prices = {} as Record<Field, number>;
  for (const field of fields) {
    const text = (form[field] ?? '').trim();
    const minor = text === '' && !required.includes(field) ? 0 : decimalStringToMinor(text, currency);
    if (minor === undefined) errors[field] = 'tariffs.badPrice';
    else prices[field] = minor;
  }
  return fields.some((field) => errors[field] !== undefined) ? undefined : prices;
}

/** The preview under a tariff form (stored or typed prices); no cost while one is not a price. */
export function tariffPreview(values: Record<string, string>, currency: string): { costMinor: number | undefined; energyKwh: number; hours: number } {
  const prices = parsePriceFields(values, ['energyPricePerKwh', 'sessionFee', 'timePricePerHour'] as const, currency, {});
  return { costMinor: prices ? previewCostMinor(prices) : undefined, energyKwh: PREVIEW_ENERGY_KWH, hours: PREVIEW_HOURS };
}

/** The base cost of a PREVIEW_ENERGY_KWH, PREVIEW_HOURS charge (minor units), from minor-unit prices. */
export function previewCostMinor(prices: { energyPricePerKwh: number; sessionFee: number; timePricePerHour: number }): number {
  return prices.energyPricePerKwh * PREVIEW_ENERGY_KWH + prices.timePricePerHour * PREVIEW_HOURS + prices.sessionFee;
}

type BandInput = NonNullable<TariffInput['bands']>[number];

/** One band row as the template shows it: field names, values and the field errors (message keys). */
interface TariffBandRow {
  number: number;
  startName: string;
  endName: string;
  priceName: string;
  timePriceName: string;
  start: string;
  end: string;
  price: string;
  timePrice: string;
  startError?: string | undefined;
  endError?: string | undefined;
  priceError?: string | undefined;
}

const bandField = (index: number, part: 'Start' | 'End' | 'Price' | 'TimePrice') => `band${index}${part}`;

export function parseTariffForm(form: Record<string, string>, currency: string): { ok: true; input: TariffInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const prices = parsePriceFields<PriceField>(form, PRICE_FIELDS, currency, errors, ['energyPricePerKwh']);
  const grace = formInteger.safeParse((form.idleGraceMinutes ?? '').trim() || '0');
  if (!grace.success) errors.idleGraceMinutes = grace.error.issues[0]!.message;
  const bands = parseBandRows(form, currency, errors);
  if (!prices || !grace.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { ...prices, idleGraceS: grace.data * 60, bands } };
}

/**
 * Band rows → bands, with an error on the field at fault. A row left wholly empty is no band. A
 * band's price is in major units like the minimum balance; the hidden time price only carries a
 * band time price set through the API, so saving the form does not drop it.
 */
function parseBandRows(form: Record<string, string>, currency: string, errors: FieldErrors): BandInput[] {
  const bands: BandInput[] = [];
  const coveredBy = new Array<number | undefined>(MINUTES_PER_DAY).fill(undefined);
  for (let index = 0; index < MAX_BAND_ROWS; index++) {
    const text = (part: 'Start' | 'End' | 'Price' | 'TimePrice') => (form[bandField(index, part)] ?? '').trim();
    const [start, end, price, timePrice] = [text('Start'), text('End'), text('Price'), text('TimePrice')];
    if (start === '' && end === '' && price === '') continue;
    const startMatch = clockPattern.exec(start);
    const endMatch = clockPattern.exec(end);
    if (!startMatch) errors[bandField(index, 'Start')] = 'tariffs.bandTime';
    if (!endMatch) errors[bandField(index, 'End')] = 'tariffs.bandTime';
    const energyPricePerKwh = price === '' ? undefined : decimalStringToMinor(price, currency);
    const timePricePerHour = /^\d{1,15}$/.test(timePrice) ? Number(timePrice) : undefined;
    if (energyPricePerKwh === undefined && (price !== '' || timePricePerHour === undefined)) errors[bandField(index, 'Price')] = 'tariffs.bandBadPrice';
    if (!startMatch || !endMatch) continue;
    const startMinute = Number(startMatch[1]) * 60 + Number(startMatch[2]);
    const endMinute = Number(endMatch[1]) * 60 + Number(endMatch[2]);
    if (startMinute === endMinute) {
      errors[bandField(index, 'End')] = 'tariffs.bandEmpty';
      continue;
    }
    // A band with end ≤ start runs over midnight, as the tariff domain reads it.
    for (let minute = startMinute; minute !== endMinute; minute = (minute + 1) % MINUTES_PER_DAY) {
      if (coveredBy[minute] !== undefined) {
        errors[bandField(index, 'Start')] ??= 'tariffs.bandOverlap';
        break;
      }
      coveredBy[minute] = index;
    }
    bands.push({ start, end, ...(energyPricePerKwh === undefined ? {} : { energyPricePerKwh }), ...(timePricePerHour === undefined ? {} : { timePricePerHour }) });
  }
  return bands;
}

/** A stored tariff version as the form shows it. */
export function tariffFormValues(version: TariffVersionRow | null | undefined, currency: string): Record<string, string> {
  const values: Record<string, string> = {
    energyPricePerKwh: minorToDecimalString(version?.energyPricePerKwhMinor ?? 0, currency),
    sessionFee: minorToDecimalString(version?.sessionFeeMinor ?? 0, currency),
    timePricePerHour: minorToDecimalString(version?.timePricePerHourMinor ?? 0, currency),
    idleFeePerHour: minorToDecimalString(version?.idleFeePerHourMinor ?? 0, currency),
    idleGraceMinutes: String(Math.round((version?.idleGraceS ?? 0) / 60)),
  };
  const bands = version ? pricesOf(version).bands : [];
  bands.slice(0, MAX_BAND_ROWS).forEach((band, index) => {
    values[bandField(index, 'Start')] = clockText(band.startMinute);
    values[bandField(index, 'End')] = clockText(band.endMinute);
    values[bandField(index, 'Price')] = band.energyPricePerKwhMinor === undefined ? '' : minorToDecimalString(band.energyPricePerKwhMinor, currency);
    values[bandField(index, 'TimePrice')] = band.timePricePerHourMinor === undefined ? '' : String(band.timePricePerHourMinor);
  });
  return values;
}

/** The band rows of the form, filled from the values (stored or as typed) with their errors. */
export function tariffBandRows(values: Record<string, string>, errors: FieldErrors): TariffBandRow[] {
  let rows = TARIFF_BAND_ROWS;
  for (let index = TARIFF_BAND_ROWS; index < MAX_BAND_ROWS; index++) {
    if ((['Start', 'End', 'Price', 'TimePrice'] as const).some((part) => (values[bandField(index, part)] ?? '') !== '')) rows = index + 1;
  }
  return Array.from({ length: rows }, (_unused, index) => ({
    number: index + 1,
    startName: bandField(index, 'Start'),
    endName: bandField(index, 'End'),
    priceName: bandField(index, 'Price'),
    timePriceName: bandField(index, 'TimePrice'),
    start: values[bandField(index, 'Start')] ?? '',
    end: values[bandField(index, 'End')] ?? '',
    price: values[bandField(index, 'Price')] ?? '',
    timePrice: values[bandField(index, 'TimePrice')] ?? '',
    startError: errors[bandField(index, 'Start')],
    endError: errors[bandField(index, 'End')],
    priceError: errors[bandField(index, 'Price')],
  }));
}

const clockText = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
