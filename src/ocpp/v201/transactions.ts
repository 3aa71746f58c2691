import type { V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block E, Transactions: every start, update and end of a transaction is a
 * TransactionEvent (E01-E15), applied by transaction-events.ts; staff may ask a station about a
 * transaction (E14 GetTransactionStatus).
 */
export const transactions: V201Profile = {
  name: 'E Transactions',
  allowedBeforeAcceptance: [],
  outbound: ['GetTransactionStatus'],
  handlers: ({ sessions, transactionEvents, runningCost }) => ({
    async TransactionEvent(connection, request) {
      const response = await transactionEvents.handle(connection.chargerId, request);
      // I02: after our answer is on the wire, as a CALL of ours must not overtake it.
      setImmediate(() => runningCost.afterEvent(connection, sessions.byTransaction(connection.chargerId, request.transactionInfo.transactionId)));
      return response;
    },
  }),
};
