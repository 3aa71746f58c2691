export { TillService } from './service';
export type { TopupResult } from './service';
export { ShiftService } from './shifts';

