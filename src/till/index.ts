export { TillService, topupInputSchema } from './service';
export type { TopupResult, TopupRow } from './service';
export { ShiftService } from './shifts';
export type { PaymentMethod, ShiftRow, ShiftView } from './shifts';
