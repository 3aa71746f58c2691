export { TillService } from './service';
export type { TopupResult, TopupTotals } from './service';
export { PaymentRequestService, upiPaymentLink } from './payment-requests';
export type { PaymentRequestChange, PaymentRequestRow, PaymentRequestStatus, PaymentRequestView } from './payment-requests';
export { ShiftService } from './shifts';

