import type { V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block I, TariffAndCost: the running cost of a session is shown on the
 * station with CostUpdated (I02, sent by running-cost.ts after each TransactionEvent); the final
 * cost goes in the answer to the Ended event (I03, transaction-events.ts).
 */
export const tariffAndCost: V201Profile = {
  name: 'I TariffAndCost',
  allowedBeforeAcceptance: [],
  outbound: ['CostUpdated'],
  handlers: () => ({}),
};
