import { schema } from '../db';
import type { AmountMinor } from '../shared';

export type AccountRow = typeof schema.ledgerAccounts.$inferSelect;

/** Accounts the site has exactly one of; created on first use. */
export const SYSTEM_ACCOUNTS = {
  cash_drawer: { name: 'Cash drawer', normalSide: 'debit' },
  card_terminal: { name: 'Card terminal', normalSide: 'debit' },
  bank_transfer: { name: 'Bank transfers', normalSide: 'debit' },
  upi_payments: { name: 'UPI payments', normalSide: 'debit' },
  charging_revenue: { name: 'Charging revenue', normalSide: 'credit' },
  adjustments: { name: 'Adjustments', normalSide: 'debit' },
} as const satisfies Record<string, { name: string; normalSide: 'debit' | 'credit' }>;
export type SystemAccountKind = keyof typeof SYSTEM_ACCOUNTS;

export interface BalanceView {
  /** Posted balance on the account's normal side (a driver's money is positive). */
  balanceMinor: AmountMinor;
  /** Open holds debiting the account. */
  pendingMinor: AmountMinor;
  /** The balance less open holds. */
  availableMinor: AmountMinor;
}

export function balanceOf(account: AccountRow): BalanceView {
  const balanceMinor = account.normalSide === 'credit' ? 0 - account.netMinor : account.netMinor;
  return { balanceMinor, pendingMinor: account.pendingDebitsMinor, availableMinor: balanceMinor - account.pendingDebitsMinor };
}
