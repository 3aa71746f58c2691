import { z } from 'zod';
import { decimalStringToMinor, minorToDecimalString } from '../shared';
import { pricesOf, type TariffInput, type TariffVersionRow } from '../tariffs';
import { fieldErrorsOf, formInteger, type FieldErrors } from './forms';

/** How many time-of-day band rows the form offers empty; a site rarely needs more than six. */
const TARIFF_BAND_ROWS = 6;
/** The most bands the tariff domain takes (set through the API): shown and read back so a form save keeps them all. */
const MAX_BAND_ROWS = 24;
const MINUTES_PER_DAY = 1440;
const clockPattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The tariff form (prices in minor units, the idle grace in minutes) shared by settings and charger pages. */
const tariffForm = z.object({
  energyPricePerKwh: formInteger,
  sessionFee: formInteger,
  timePricePerHour: formInteger,
  idleFeePerHour: formInteger,
  idleGraceMinutes: formInteger,
});

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
  const withDefaults = { sessionFee: '0', timePricePerHour: '0', idleFeePerHour: '0', idleGraceMinutes: '0', ...Object.fromEntries(Object.entries(form).filter(([, value]) => value.trim() !== '')) };
  const parsed = tariffForm.safeParse(withDefaults);
  const errors: FieldErrors = parsed.success ? {} : fieldErrorsOf(parsed.error);
  const bands = parseBandRows(form, currency, errors);
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  const { idleGraceMinutes, ...prices } = parsed.data;
  return { ok: true, input: { ...prices, idleGraceS: idleGraceMinutes * 60, bands } };
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
    energyPricePerKwh: String(version?.energyPricePerKwhMinor ?? 0),
    sessionFee: String(version?.sessionFeeMinor ?? 0),
    timePricePerHour: String(version?.timePricePerHourMinor ?? 0),
    idleFeePerHour: String(version?.idleFeePerHourMinor ?? 0),
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
