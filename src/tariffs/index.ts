export { sessionCost } from './cost';
export type { CostBreakdown, CostInput } from './cost';

export { TariffService, pricesOf, tariffView } from './service';
export type { TariffInput, TariffVersionRow } from './service';
export { costLines } from './cost-lines';
