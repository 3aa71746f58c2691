import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';

export interface LedgerCheck {
  ok: boolean;
  /** Sum of every entry; zero in a sound ledger. */
  totalMinor: number;
  transfers: number;
  entries: number;
  problems: string[];
}

/**
 * Proves the ledger: all entries sum to zero, every posted transfer has exactly its two entries,
 * every cached balance and pending sum equals what the rows say, and no balance that may not go
 * negative is negative except through a recorded overdraft.
 */
export function checkLedger(db: Db): LedgerCheck {
  const problems: string[] = [];
  const totals = db.orm
    .select({ total: sql<number>`coalesce(sum(${schema.ledgerEntries.amountMinor}), 0)`, count: sql<number>`count(*)` })
    .from(schema.ledgerEntries)
    .get()!;
  if (totals.total !== 0) problems.push(`entries sum to ${totals.total}, not 0`);
  const transferCount = db.orm.select({ count: sql<number>`count(*)` }).from(schema.ledgerTransfers).get()!.count;

  const unbalanced = db.orm.all<{ id: number; kind: string; amount: number; n: number; sum: number; debit: number; credit: number }>(sql`
    SELECT t.id, t.kind, t.amount_minor AS amount, count(e.id) AS n, coalesce(sum(e.amount_minor), 0) AS sum,
           coalesce(sum(CASE WHEN e.account_id = t.debit_account_id AND e.amount_minor = t.amount_minor THEN 1 ELSE 0 END), 0) AS debit,
           coalesce(sum(CASE WHEN e.account_id = t.credit_account_id AND e.amount_minor = -t.amount_minor THEN 1 ELSE 0 END), 0) AS credit
    FROM ledger_transfers t LEFT JOIN ledger_entries e ON e.transfer_id = t.id
    GROUP BY t.id
    HAVING (t.kind IN ('posted', 'post_pending') AND (n <> 2 OR sum <> 0 OR debit <> 1 OR credit <> 1))
        OR (t.kind NOT IN ('posted', 'post_pending') AND n <> 0)
    LIMIT 20`);
  for (const row of unbalanced) problems.push(`transfer ${row.id} (${row.kind}) has ${row.n} entries summing to ${row.sum}`);

  const cached = db.orm.all<{ id: number; cachedNet: number; net: number; cachedPending: number; pending: number }>(sql`
    SELECT a.id, a.net_minor AS cachedNet,
           (SELECT coalesce(sum(amount_minor), 0) FROM ledger_entries WHERE account_id = a.id) AS net,
           a.pending_debits_minor AS cachedPending,
           (SELECT coalesce(sum(h.amount_minor), 0) FROM ledger_transfers h
              WHERE h.debit_account_id = a.id AND h.kind = 'pending'
                AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = h.id)) AS pending
    FROM ledger_accounts a`);
  for (const row of cached) {
    if (row.cachedNet !== row.net) problems.push(`account ${row.id}: cached net ${row.cachedNet} but entries sum to ${row.net}`);
    if (row.cachedPending !== row.pending) problems.push(`account ${row.id}: cached holds ${row.cachedPending} but open holds sum to ${row.pending}`);
  }

  const posts = db.orm.all<{ id: number }>(sql`
    SELECT r.id FROM ledger_transfers r JOIN ledger_transfers h ON h.id = r.pending_id
    WHERE h.kind <> 'pending' OR r.amount_minor > h.amount_minor OR r.debit_account_id <> h.debit_account_id
       OR r.credit_account_id <> h.credit_account_id`);
  for (const row of posts) problems.push(`transfer ${row.id} resolves a hold it does not match`);

  return { ok: problems.length === 0, totalMinor: totals.total, transfers: transferCount, entries: totals.count, problems };
}
