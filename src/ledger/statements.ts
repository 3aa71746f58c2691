import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';

/** The ledger's hot statements (every transfer writes a transfer row, two entries and two balances). */
export function prepareStatements(db: Db) {
  const { ledgerAccounts, ledgerTransfers, ledgerEntries } = schema;
  const accountById = db.orm.select().from(ledgerAccounts).where(eq(ledgerAccounts.id, sql.placeholder('id'))).prepare();
  const insertTransfer = db.orm
    .insert(ledgerTransfers)
    .values({
      kind: sql.placeholder('kind'),
      debitAccountId: sql.placeholder('debitAccountId'),
      creditAccountId: sql.placeholder('creditAccountId'),
      amountMinor: sql.placeholder('amountMinor'),
      currency: sql.placeholder('currency'),
      code: sql.placeholder('code'),
      reference: sql.placeholder('reference'),
      pendingId: sql.placeholder('pendingId'),
      correctsTransferId: sql.placeholder('correctsTransferId'),
      reason: sql.placeholder('reason'),
      timeoutAt: sql.placeholder('timeoutAt'),
      createdBy: sql.placeholder('createdBy'),
      createdAt: sql.placeholder('createdAt'),
    })
    .returning()
    .prepare();
  const insertEntry = db.orm
    .insert(ledgerEntries)
    .values({
      transferId: sql.placeholder('transferId'),
      accountId: sql.placeholder('accountId'),
      amountMinor: sql.placeholder('amountMinor'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare();
  const addToNet = db.orm
    .update(ledgerAccounts)
    .set({ netMinor: sql`${ledgerAccounts.netMinor} + ${sql.placeholder('deltaMinor')}` })
    .where(eq(ledgerAccounts.id, sql.placeholder('id')))
    .prepare();
  const addToPending = db.orm
    .update(ledgerAccounts)
    .set({ pendingDebitsMinor: sql`${ledgerAccounts.pendingDebitsMinor} + ${sql.placeholder('deltaMinor')}` })
    .where(eq(ledgerAccounts.id, sql.placeholder('id')))
    .prepare();
  const resolutionOf = db.orm
    .select()
    .from(ledgerTransfers)
    .where(eq(ledgerTransfers.pendingId, sql.placeholder('pendingId')))
    .prepare();
  return { accountById, insertTransfer, insertEntry, addToNet, addToPending, resolutionOf };
}

export type LedgerStatements = ReturnType<typeof prepareStatements>;
