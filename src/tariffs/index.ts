export { sessionCost, findBand, minuteOfDay } from './cost';
export type { CostBreakdown, CostInput, MeterReading, TariffPrices, TimeBand } from './cost';
export { Rational } from './rational';
export { TariffService, pricesOf, tariffInputSchema, tariffView } from './service';
export type { TariffInput, TariffVersionRow, TariffView } from './service';
