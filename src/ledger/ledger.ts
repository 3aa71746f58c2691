import { and, asc, desc, eq, gt, isNull, lt, lte, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db';
import { schema } from '../db';
import { AppError, assert, assertAmount, conflict, notFound, nowIso, type AmountMinor } from '../shared';
import { balanceOf, SYSTEM_ACCOUNTS, type AccountRow, type BalanceView, type SystemAccountKind } from './accounts';
import { checkLedger, type LedgerCheck } from './check';
import { prepareStatements, type LedgerStatements } from './statements';

export type TransferRow = typeof schema.ledgerTransfers.$inferSelect;

interface TransferInput {
  debitAccountId: number;
  creditAccountId: number;
  amountMinor: AmountMinor;
  /** What kind of movement: topup, session_charge, topup_refund, adjustment, ... */
  code: string;
  reference?: string | null | undefined;
  correctsTransferId?: number | null | undefined;
  reason?: string | null | undefined;
  createdBy?: string | null | undefined;
  /**
   * Billing a session that already delivered energy may take a balance below zero (CONTRACT
   * "Money rules": the overrun is a debt). Nothing else sets this.
   */
  allowOverdraft?: boolean | undefined;
}

interface HoldInput extends Omit<TransferInput, 'allowOverdraft' | 'correctsTransferId'> {
  timeoutAt: string;
}

const insufficientFunds = (accountId: number) =>
  conflict('insufficient_funds', `Account ${accountId} does not have enough available balance for this transfer`);

/**
 * The double-entry ledger (TigerBeetle's model on SQLite). Every public method that moves money is
 * one call = one transaction (a SAVEPOINT when the caller already holds one), checks its rules
 * inside it, and writes balanced, append-only rows. Nothing else writes the ledger tables.
 */
export class Ledger {
  private readonly systemAccountIds = new Map<SystemAccountKind, number>();
  /** Prepared once: the ledger runs inside every top-up and every billed stop. */
  private readonly statements: LedgerStatements;

  constructor(
    private readonly db: Db,
    private readonly currency: () => string,
  ) {
    this.statements = prepareStatements(db);
  }

  // ---- accounts -------------------------------------------------------------------------------

  /** A driver or card balance: a liability of the site, never below zero unless billing overruns. */
  openBalanceAccount(kind: 'driver' | 'card', name: string): AccountRow {
    return this.db.tx(() =>
      this.db.orm
        .insert(schema.ledgerAccounts)
        .values({ kind, name, normalSide: 'credit', allowNegative: false, currency: this.currency(), createdAt: nowIso() })
        .returning()
        .get(),
    );
  }

  systemAccountId(kind: SystemAccountKind): number {
    const cached = this.systemAccountIds.get(kind);
    if (cached !== undefined) return cached;
    const id = this.db.tx(() => {
      const existing = this.db.orm
        .select()
        .from(schema.ledgerAccounts)
        .where(eq(schema.ledgerAccounts.kind, kind))
        .orderBy(asc(schema.ledgerAccounts.id))
        .get();
      if (existing) return existing.id;
      const spec = SYSTEM_ACCOUNTS[kind];
      return this.db.orm
        .insert(schema.ledgerAccounts)
        .values({ kind, name: spec.name, normalSide: spec.normalSide, allowNegative: true, currency: this.currency(), createdAt: nowIso() })
        .returning()
        .get().id;
    });
    this.systemAccountIds.set(kind, id);
    // A top-up refused after creating the account (balance_limit, a full disk) rolls the row
    // back, and the id with it.
    this.db.onRollback(() => this.systemAccountIds.delete(kind));
    return id;
  }

  account(id: number): AccountRow | undefined {
    return this.statements.accountById.get({ id });
  }

  accounts(): AccountRow[] {
    return this.db.orm.select().from(schema.ledgerAccounts).orderBy(asc(schema.ledgerAccounts.id)).all();
  }

  /** Accounts newest first, keyset-paginated on id. */
  accountsPage(limit: number, beforeId?: number): AccountRow[] {
    return this.db.orm
      .select()
      .from(schema.ledgerAccounts)
      .where(beforeId !== undefined ? lt(schema.ledgerAccounts.id, beforeId) : undefined)
      .orderBy(desc(schema.ledgerAccounts.id))
      .limit(limit)
      .all();
  }

  /** The cached balance; `check()` proves it equals the sum of the entries. */
  balance(accountId: number): BalanceView {
    const account = this.account(accountId);
    if (!account) throw notFound('account', accountId);
    return balanceOf(account);
  }

  /** The balance recomputed from the entries alone (for checks and the ledger view). */
  balanceFromEntries(accountId: number): AmountMinor {
    const account = this.account(accountId);
    if (!account) throw notFound('account', accountId);
    const row = this.db.orm
      .select({ net: sql<number>`coalesce(sum(${schema.ledgerEntries.amountMinor}), 0)` })
      .from(schema.ledgerEntries)
      .where(eq(schema.ledgerEntries.accountId, accountId))
      .get();
    const net = row?.net ?? 0;
    return account.normalSide === 'credit' ? 0 - net : net;
  }

  /**
   * The balance of an account right after one of its transfers (a receipt's "new balance",
   * reprinted later): its entries up to that transfer. Transfers are numbered in commit order.
   */
  balanceAfterTransfer(accountId: number, transferId: number): AmountMinor {
    const account = this.account(accountId);
    if (!account) throw notFound('account', accountId);
    const row = this.db.orm
      .select({ net: sql<number>`coalesce(sum(${schema.ledgerEntries.amountMinor}), 0)` })
      .from(schema.ledgerEntries)
      .where(and(eq(schema.ledgerEntries.accountId, accountId), lte(schema.ledgerEntries.transferId, transferId)))
      .get();
    const net = row?.net ?? 0;
    return account.normalSide === 'credit' ? 0 - net : net;
  }

  /**
   * A new site may still change its currency (CONTRACT `PATCH /settings`): accounts opened before
   * that carry no money yet, so they simply adopt the new code.
   */
  adoptCurrency(currency: string): void {
    this.db.tx(() => {
      assert(!this.hasMoneyMoved(), 'the currency changes only while no money has moved');
      this.db.orm.update(schema.ledgerAccounts).set({ currency }).run();
    });
  }

  hasMoneyMoved(): boolean {
    return this.db.orm.select({ id: schema.ledgerTransfers.id }).from(schema.ledgerTransfers).limit(1).get() !== undefined;
  }

  // ---- transfers ------------------------------------------------------------------------------

  /** Posts one debit and one credit, checked and balanced, in one transaction. */
  transfer(input: TransferInput): TransferRow {
    return this.db.tx(() => {
      const { debit, credit, currency } = this.accountsFor(input);
      const amountMinor = positiveAmount(input.amountMinor);
      if (!input.allowOverdraft) {
        this.requireAvailable(debit, amountMinor, 'debit');
        this.requireAvailable(credit, amountMinor, 'credit');
      }
      if (input.correctsTransferId != null) {
        const corrected = this.db.orm
          .select({ id: schema.ledgerTransfers.id })
          .from(schema.ledgerTransfers)
          .where(eq(schema.ledgerTransfers.id, input.correctsTransferId))
          .get();
        if (!corrected) throw notFound('transfer', input.correctsTransferId);
      }
      requireSafeBalances(debit, credit, amountMinor);
      const transfer = this.insert({ ...input, kind: 'posted', amountMinor, currency, pendingId: null, timeoutAt: null });
      this.post(transfer, debit.id, credit.id, amountMinor);
      return transfer;
    });
  }

  /** A pending transfer: reserves `amountMinor` of the debit account's available balance. */
  createHold(input: HoldInput): TransferRow {
    return this.db.tx(() => {
      const { debit, currency } = this.accountsFor(input);
      const amountMinor = positiveAmount(input.amountMinor);
      this.requireAvailable(debit, amountMinor, 'debit');
      const hold = this.insert({ ...input, kind: 'pending', amountMinor, currency, pendingId: null, correctsTransferId: null });
      this.statements.addToPending.run({ id: debit.id, deltaMinor: amountMinor });
      return hold;
    });
  }

  /** Posts up to the held amount; the rest of the hold is released in the same transaction. */
  postHold(pendingId: number, amountMinor: AmountMinor, details: { reference?: string | null; createdBy?: string | null } = {}): TransferRow {
    return this.db.tx(() => {
      const hold = this.openHold(pendingId);
      positiveAmount(amountMinor);
      if (amountMinor > hold.amountMinor) {
        throw new AppError('amount_exceeds_hold', `Cannot post ${amountMinor}: hold ${pendingId} reserves only ${hold.amountMinor}`, 409);
      }
      this.statements.addToPending.run({ id: hold.debitAccountId, deltaMinor: -hold.amountMinor });
      const posted = this.insert({
        kind: 'post_pending',
        debitAccountId: hold.debitAccountId,
        creditAccountId: hold.creditAccountId,
        amountMinor,
        currency: hold.currency,
        code: hold.code,
        reference: details.reference ?? hold.reference,
        pendingId,
        correctsTransferId: null,
        reason: null,
        timeoutAt: null,
        createdBy: details.createdBy ?? null,
      });
      this.post(posted, hold.debitAccountId, hold.creditAccountId, amountMinor);
      return posted;
    });
  }

  /** Releases a hold entirely (a refused remote start, a session that cost nothing). */
  voidHold(pendingId: number, reason: string, createdBy: string | null = null): TransferRow {
    return this.db.tx(() => this.release(this.openHold(pendingId), 'void_pending', reason, createdBy));
  }

  /** Expires every open hold whose timeout passed; returns how many. */
  expireHolds(nowIsoTime: string = nowIso()): number {
    return this.db.tx(() => {
      const due = this.dueHolds(nowIsoTime);
      for (const hold of due) this.release(hold, 'expire_pending', 'hold timed out', null);
      return due.length;
    });
  }

  /** Open holds whose timeout passed by `nowIsoTime` (their owner decides which of them to expire). */
  dueHolds(nowIsoTime: string): TransferRow[] {
    const resolution = alias(schema.ledgerTransfers, 'resolution');
    return this.db.orm
      .select({ hold: schema.ledgerTransfers })
      .from(schema.ledgerTransfers)
      .leftJoin(resolution, eq(resolution.pendingId, schema.ledgerTransfers.id))
      .where(and(eq(schema.ledgerTransfers.kind, 'pending'), isNull(resolution.id), lte(schema.ledgerTransfers.timeoutAt, nowIsoTime)))
      .all()
      .map((row) => row.hold);
  }

  /** Expires one open hold (its owner decided its time is up). */
  expireHold(pendingId: number, reason = 'hold timed out'): TransferRow {
    return this.db.tx(() => this.release(this.openHold(pendingId), 'expire_pending', reason, null));
  }

  /** The hold if it is still open; 404 for an unknown one, 409 once resolved. */
  openHold(pendingId: number): TransferRow {
    const hold = this.transferById(pendingId);
    if (!hold || hold.kind !== 'pending') throw notFound('hold', pendingId);
    const resolution = this.statements.resolutionOf.get({ pendingId });
    if (resolution) throw conflict('hold_resolved', `Hold ${pendingId} was already resolved (${resolution.kind})`);
    return hold;
  }

  isHoldOpen(pendingId: number): boolean {
    return this.statements.resolutionOf.get({ pendingId }) === undefined;
  }

  transferById(id: number): TransferRow | undefined {
    return this.db.orm.select().from(schema.ledgerTransfers).where(eq(schema.ledgerTransfers.id, id)).get();
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Entries oldest first, keyset-paginated on id, with their transfer's code and reference. */
  entries(filter: { accountId?: number | undefined }, limit: number, afterId = 0) {
    const { ledgerEntries, ledgerTransfers } = schema;
    return this.db.orm
      .select({
        id: ledgerEntries.id,
        transferId: ledgerEntries.transferId,
        accountId: ledgerEntries.accountId,
        amountMinor: ledgerEntries.amountMinor,
        code: ledgerTransfers.code,
        reference: ledgerTransfers.reference,
        createdAt: ledgerEntries.createdAt,
      })
      .from(ledgerEntries)
      .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
      .where(and(filter.accountId !== undefined ? eq(ledgerEntries.accountId, filter.accountId) : undefined, gt(ledgerEntries.id, afterId)))
      .orderBy(asc(ledgerEntries.id))
      .limit(limit)
      .all();
  }

  /** Proves the ledger sums to zero and every cached balance matches its entries (see checkLedger). */
  check(): LedgerCheck {
    return checkLedger(this.db);
  }

  // ---- internals ------------------------------------------------------------------------------

  private accountsFor(input: { debitAccountId: number; creditAccountId: number }) {
    if (input.debitAccountId === input.creditAccountId) {
      throw new AppError('same_account', 'A transfer needs two different accounts', 400);
    }
    const debit = this.account(input.debitAccountId);
    if (!debit) throw notFound('account', input.debitAccountId);
    const credit = this.account(input.creditAccountId);
    if (!credit) throw notFound('account', input.creditAccountId);
    const currency = this.currency();
    // One currency per transfer (TigerBeetle ledgers): an account in another currency is a bug.
    assert(debit.currency === currency && credit.currency === currency, `accounts ${debit.id}/${credit.id} are not in ${currency}`);
    return { debit, credit, currency };
  }

  /** A balance that may not go negative must keep `amountMinor` available after this side moves. */
  private requireAvailable(account: AccountRow, amountMinor: number, side: 'debit' | 'credit'): void {
    if (account.allowNegative) return;
    const shrinks = (side === 'debit') === (account.normalSide === 'credit');
    if (!shrinks) return;
    const { availableMinor } = balanceOf(account);
    if (availableMinor < amountMinor) throw insufficientFunds(account.id);
  }

  private insert(row: NewTransfer): TransferRow {
    return this.statements.insertTransfer.get({
      kind: row.kind,
      debitAccountId: row.debitAccountId,
      creditAccountId: row.creditAccountId,
      amountMinor: row.amountMinor,
      currency: row.currency,
      code: row.code,
      reference: row.reference ?? null,
      pendingId: row.pendingId ?? null,
      correctsTransferId: row.correctsTransferId ?? null,
      reason: row.reason ?? null,
      timeoutAt: row.timeoutAt ?? null,
      createdBy: row.createdBy ?? null,
      createdAt: row.createdAt ?? nowIso(),
    })!;
  }

  private post(transfer: TransferRow, debitAccountId: number, creditAccountId: number, amountMinor: number): void {
    this.statements.insertEntry.run({ transferId: transfer.id, accountId: debitAccountId, amountMinor, createdAt: transfer.createdAt });
    this.statements.insertEntry.run({ transferId: transfer.id, accountId: creditAccountId, amountMinor: -amountMinor, createdAt: transfer.createdAt });
    this.statements.addToNet.run({ id: debitAccountId, deltaMinor: amountMinor });
    this.statements.addToNet.run({ id: creditAccountId, deltaMinor: -amountMinor });
  }

  private release(hold: TransferRow, kind: 'void_pending' | 'expire_pending', reason: string, createdBy: string | null): TransferRow {
    this.statements.addToPending.run({ id: hold.debitAccountId, deltaMinor: -hold.amountMinor });
    return this.insert({
      kind,
      debitAccountId: hold.debitAccountId,
      creditAccountId: hold.creditAccountId,
      amountMinor: 0,
      currency: hold.currency,
      code: hold.code,
      reference: hold.reference,
      pendingId: hold.id,
      correctsTransferId: null,
      reason,
      timeoutAt: null,
      createdBy,
    });
  }
}

type NewTransfer = Pick<TransferRow, 'kind' | 'debitAccountId' | 'creditAccountId' | 'amountMinor' | 'currency' | 'code'> & {
  [K in 'reference' | 'pendingId' | 'correctsTransferId' | 'reason' | 'timeoutAt' | 'createdBy']?: TransferRow[K] | undefined;
} & { createdAt?: string };

/** Balances are read back into JavaScript numbers: a transfer that would leave the safe range is refused. */
function requireSafeBalances(debit: AccountRow, credit: AccountRow, amountMinor: number): void {
  if (!Number.isSafeInteger(debit.netMinor + amountMinor) || !Number.isSafeInteger(credit.netMinor - amountMinor)) {
    throw conflict('balance_limit', 'This transfer would take a balance beyond 2^53-1 minor units');
  }
}

function positiveAmount(amountMinor: number): AmountMinor {
  assertAmount(amountMinor, 'transfer amount');
  assert(amountMinor > 0, `a transfer moves a positive amount, got ${amountMinor}`);
  return amountMinor;
}
