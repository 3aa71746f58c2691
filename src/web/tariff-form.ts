import { z } from 'zod';
import type { TariffVersionRow } from '../tariffs';
import { fieldErrorsOf, formInteger, type FieldErrors } from './forms';

/** The tariff form (prices in minor units, the idle grace in minutes) shared by settings and charger pages. */
const tariffForm = z.object({
  energyPricePerKwh: formInteger,
  sessionFee: formInteger,
  timePricePerHour: formInteger,
  idleFeePerHour: formInteger,
  idleGraceMinutes: formInteger,
});

export function parseTariffForm(form: Record<string, string>): { ok: true; input: Record<string, number> } | { ok: false; errors: FieldErrors } {
  const withDefaults = { sessionFee: '0', timePricePerHour: '0', idleFeePerHour: '0', idleGraceMinutes: '0', ...Object.fromEntries(Object.entries(form).filter(([, value]) => value.trim() !== '')) };
  const parsed = tariffForm.safeParse(withDefaults);
  if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error) };
  const { idleGraceMinutes, ...prices } = parsed.data;
  return { ok: true, input: { ...prices, idleGraceS: idleGraceMinutes * 60 } };
}

/** A stored tariff version as the form shows it. */
export function tariffFormValues(version: TariffVersionRow | null | undefined): Record<string, string> {
  return {
    energyPricePerKwh: String(version?.energyPricePerKwhMinor ?? 0),
    sessionFee: String(version?.sessionFeeMinor ?? 0),
    timePricePerHour: String(version?.timePricePerHourMinor ?? 0),
    idleFeePerHour: String(version?.idleFeePerHourMinor ?? 0),
    idleGraceMinutes: String(Math.round((version?.idleGraceS ?? 0) / 60)),
  };
}
