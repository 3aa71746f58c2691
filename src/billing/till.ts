import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { schema } from '../db';
import { normaliseUid, type DriverService } from '../drivers';
import { IdempotencyStore, requestHash, type Ledger, type StoredOutcome, type SystemAccountKind } from '../ledger';
import type { SettingsService } from '../settings';
import { badRequest, conflict, money, notFound, nowIso, parseInput, type AmountMinor, type Money } from '../shared';

export type TopupRow = typeof schema.topups.$inferSelect;
export type ShiftRow = typeof schema.cashierShifts.$inferSelect;
export type PaymentMethod = TopupRow['method'];

const METHOD_ACCOUNTS: Record<PaymentMethod, SystemAccountKind> = {
  cash: 'cash_drawer',
  card: 'card_terminal',
  transfer: 'bank_transfer',
};

/** CONTRACT: an amount is a positive safe integer; a currency, if sent, is the site's. */
const amountSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const signedAmountSchema = z
  .number()
  .int()
  .min(-Number.MAX_SAFE_INTEGER)
  .max(Number.MAX_SAFE_INTEGER)
  .refine((value) => value !== 0, 'must not be zero');
const reasonSchema = z.string().trim().min(3, 'a reason of at least 3 characters is required').max(500);

export const topupInputSchema = z
  .object({ amount: amountSchema, method: z.enum(['cash', 'card', 'transfer']), note: z.string().max(500).nullish(), currency: z.string().optional() })
  .strict();
export const refundInputSchema = z.object({ amount: amountSchema.optional(), reason: reasonSchema, currency: z.string().optional() }).strict();
export const adjustmentInputSchema = z.object({ amount: signedAmountSchema, reason: reasonSchema, currency: z.string().optional() }).strict();
export const shiftOpenSchema = z.object({ openingFloat: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0) }).strict();
export const shiftCloseSchema = z.object({ countedCash: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), note: z.string().max(500).nullish() }).strict();

export interface TopupResult {
  topupId: number;
  receiptNo: number;
  balance: Money;
}

export interface ShiftView {
  id: number;
  cashier: string;
  openedAt: string;
  closedAt: string | null;
  openingFloat: Money;
  /** Top-ups less refunds made in this shift, per method. */
  totals: Record<PaymentMethod, Money>;
  expectedCash: Money;
  countedCash: Money | null;
  difference: Money | null;
  note: string | null;
}

/**
 * The till: top-ups with gapless receipt numbers, refunds of top-ups, manual adjustments and
 * cashier shifts. Each money write is one transaction, keyed by an optional Idempotency-Key.
 */
export class TillService {
  readonly idempotency: IdempotencyStore;
  /** The statements of every top-up, prepared once (the till must keep up with a queue at the desk and bulk imports). */
  private readonly lastReceipt;
  private readonly insertTopup;
  private readonly openShiftOf;

  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly drivers: DriverService,
    private readonly settings: SettingsService,
  ) {
    this.idempotency = new IdempotencyStore(db);
    const { topups, cashierShifts } = schema;
    this.lastReceipt = db.orm.select({ last: sql<number | null>`max(${topups.receiptNo})` }).from(topups).prepare();
    this.insertTopup = db.orm
      .insert(topups)
      .values({
        receiptNo: sql.placeholder('receiptNo'),
        accountId: sql.placeholder('accountId'),
        cardUid: sql.placeholder('cardUid'),
        userId: sql.placeholder('userId'),
        amountMinor: sql.placeholder('amountMinor'),
        method: sql.placeholder('method'),
        note: sql.placeholder('note'),
        createdBy: sql.placeholder('createdBy'),
        shiftId: sql.placeholder('shiftId'),
        transferId: sql.placeholder('transferId'),
        createdAt: sql.placeholder('createdAt'),
      })
      .returning({ id: topups.id })
      .prepare();
    this.openShiftOf = db.orm
      .select()
      .from(cashierShifts)
      .where(and(eq(cashierShifts.cashier, sql.placeholder('cashier')), isNull(cashierShifts.closedAt)))
      .prepare();
  }

  /** `POST /cards/{uid}/topups`: 201 `{topupId, receiptNo, balance}` (or the stored first answer). */
  topUpCard(rawUid: string, input: unknown, actor: string, idempotencyKey?: string): Promise<StoredOutcome<TopupResult>> {
    const topup = this.parseMoneyInput(topupInputSchema, input);
    return this.db.write(() =>
      this.idempotency.run(idempotencyKey, requestHash(`POST /cards/${normaliseUid(rawUid)}/topups`, topup), () => {
        const card = this.drivers.requireCard(rawUid);
        if (card.kind !== 'prepaid' || card.accountId === null) throw conflict('card_not_prepaid', `Card ${card.uid} is a personal card: it has no balance`);
        return { status: 201, body: this.topUp(card.accountId, { cardUid: card.uid, userId: card.userId }, topup, actor) };
      }),
    );
  }

  /** `POST /users/{id}/topups`. */
  topUpUser(userId: number, input: unknown, actor: string, idempotencyKey?: string): Promise<StoredOutcome<TopupResult>> {
    const topup = this.parseMoneyInput(topupInputSchema, input);
    return this.db.write(() =>
      this.idempotency.run(idempotencyKey, requestHash(`POST /users/${userId}/topups`, topup), () => {
        const user = this.drivers.requireUser(userId);
        return { status: 201, body: this.topUp(user.accountId, { cardUid: null, userId: user.id }, topup, actor) };
      }),
    );
  }

  private topUp(
    accountId: number,
    owner: { cardUid: string | null; userId: number | null },
    topup: z.infer<typeof topupInputSchema>,
    actor: string,
  ): TopupResult {
    const transfer = this.ledger.transfer({
      debitAccountId: this.ledger.systemAccountId(METHOD_ACCOUNTS[topup.method]),
      creditAccountId: accountId,
      amountMinor: topup.amount,
      code: 'topup',
      createdBy: actor,
    });
    // Allocated in the same transaction as the money: a rolled-back top-up uses no number, so the
    // receipt numbers stay gapless.
    const receiptNo = (this.lastReceipt.get()?.last ?? 0) + 1;
    const row = this.insertTopup.get({
        receiptNo,
        accountId,
        cardUid: owner.cardUid,
        userId: owner.userId,
        amountMinor: topup.amount,
        method: topup.method,
        note: topup.note ?? null,
        createdBy: actor,
        shiftId: this.openShift(actor)?.id ?? null,
        transferId: transfer.id,
        createdAt: transfer.createdAt,
      })!;
    return { topupId: row.id, receiptNo, balance: money(this.ledger.balance(accountId).balanceMinor, this.currency()) };
  }

  /** Refunds (part of) a top-up back through its method: a new transfer pointing at the top-up's. */
  refundTopup(topupId: number, input: unknown, actor: string, idempotencyKey?: string) {
    const refund = this.parseMoneyInput(refundInputSchema, input);
    return this.db.write(() =>
      this.idempotency.run(idempotencyKey, requestHash(`POST /topups/${topupId}/refunds`, refund), () => {
        const topup = this.db.orm.select().from(schema.topups).where(eq(schema.topups.id, topupId)).get();
        if (!topup) throw notFound('top-up', topupId);
        const refundedMinor = this.refundedMinor(topupId);
        const amountMinor = refund.amount ?? topup.amountMinor - refundedMinor;
        if (amountMinor < 1 || refundedMinor + amountMinor > topup.amountMinor) {
          throw conflict('refund_exceeds_topup', `At most ${topup.amountMinor - refundedMinor} of this top-up is left to refund`);
        }
        const transfer = this.ledger.transfer({
          debitAccountId: topup.accountId,
          creditAccountId: this.ledger.systemAccountId(METHOD_ACCOUNTS[topup.method]),
          amountMinor,
          code: 'topup_refund',
          reference: `topup:${topup.id}`,
          correctsTransferId: topup.transferId,
          reason: refund.reason,
          createdBy: actor,
        });
        const row = this.db.orm
          .insert(schema.topupRefunds)
          .values({ topupId, amountMinor, reason: refund.reason, createdBy: actor, shiftId: this.openShift(actor)?.id ?? null, transferId: transfer.id, createdAt: transfer.createdAt })
          .returning()
          .get();
        const currency = this.currency();
        return {
          status: 201,
          body: { refundId: row.id, topupId, amount: money(amountMinor, currency), balance: money(this.ledger.balance(topup.accountId).balanceMinor, currency) },
        };
      }),
    );
  }

  /** A manual correction of a balance with a reason, against the adjustments account. */
  adjust(accountId: number, input: unknown, actor: string, idempotencyKey?: string) {
    const adjustment = this.parseMoneyInput(adjustmentInputSchema, input);
    return this.db.write(() =>
      this.idempotency.run(idempotencyKey, requestHash(`POST /accounts/${accountId}/adjustments`, adjustment), () => {
        const account = this.ledger.account(accountId);
        if (!account || (account.kind !== 'driver' && account.kind !== 'card')) throw notFound('balance account', accountId);
        const adjustments = this.ledger.systemAccountId('adjustments');
        const credit = adjustment.amount > 0;
        const transfer = this.ledger.transfer({
          debitAccountId: credit ? adjustments : accountId,
          creditAccountId: credit ? accountId : adjustments,
          amountMinor: Math.abs(adjustment.amount),
          code: 'adjustment',
          reason: adjustment.reason,
          createdBy: actor,
        });
        return { status: 201, body: { transferId: transfer.id, balance: money(this.ledger.balance(accountId).balanceMinor, this.currency()) } };
      }),
    );
  }

  topup(id: number): TopupRow | undefined {
    return this.db.orm.select().from(schema.topups).where(eq(schema.topups.id, id)).get();
  }

  topups(limit: number, beforeId?: number, filter: { accountId?: number | undefined } = {}): TopupRow[] {
    return this.db.orm
      .select()
      .from(schema.topups)
      .where(
        and(
          beforeId !== undefined ? sql`${schema.topups.id} < ${beforeId}` : undefined,
          filter.accountId !== undefined ? eq(schema.topups.accountId, filter.accountId) : undefined,
        ),
      )
      .orderBy(desc(schema.topups.id))
      .limit(limit)
      .all();
  }

  refundedMinor(topupId: number): AmountMinor {
    return (
      this.db.orm
        .select({ sum: sql<number>`coalesce(sum(${schema.topupRefunds.amountMinor}), 0)` })
        .from(schema.topupRefunds)
        .where(eq(schema.topupRefunds.topupId, topupId))
        .get()?.sum ?? 0
    );
  }

  // ---- shifts -----------------------------------------------------------------------------------

  openShift(cashier: string): ShiftRow | undefined {
    return this.openShiftOf.get({ cashier });
  }

  startShift(cashier: string, input: unknown): Promise<ShiftView> {
    const { openingFloat } = parseInput(shiftOpenSchema, input);
    return this.db.write(() => {
      if (this.openShift(cashier)) throw conflict('shift_open', 'Close your open shift before opening another');
      const row = this.db.orm.insert(schema.cashierShifts).values({ cashier, openingFloatMinor: openingFloat, openedAt: nowIso() }).returning().get();
      return this.shiftView(row);
    });
  }

  /** Closes the cashier's shift with the cash counted in the drawer; the difference is recorded. */
  closeShift(cashier: string, input: unknown): Promise<ShiftView> {
    const { countedCash, note } = parseInput(shiftCloseSchema, input);
    return this.db.write(() => {
      const shift = this.openShift(cashier);
      if (!shift) throw conflict('no_open_shift', 'There is no open shift to close');
      const expectedCashMinor = shift.openingFloatMinor + this.totalsMinor(shift.id).cash;
      const row = this.db.orm
        .update(schema.cashierShifts)
        .set({ closedAt: nowIso(), countedCashMinor: countedCash, expectedCashMinor, differenceMinor: countedCash - expectedCashMinor, note: note ?? null })
        .where(eq(schema.cashierShifts.id, shift.id))
        .returning()
        .get()!;
      return this.shiftView(row);
    });
  }

  shift(id: number): ShiftRow | undefined {
    return this.db.orm.select().from(schema.cashierShifts).where(eq(schema.cashierShifts.id, id)).get();
  }

  shifts(limit: number, beforeId?: number): ShiftRow[] {
    return this.db.orm
      .select()
      .from(schema.cashierShifts)
      .where(beforeId !== undefined ? sql`${schema.cashierShifts.id} < ${beforeId}` : undefined)
      .orderBy(desc(schema.cashierShifts.id))
      .limit(limit)
      .all();
  }

  shiftView(shift: ShiftRow): ShiftView {
    const currency = this.currency();
    const totals = this.totalsMinor(shift.id);
    const expectedCashMinor = shift.expectedCashMinor ?? shift.openingFloatMinor + totals.cash;
    return {
      id: shift.id,
      cashier: shift.cashier,
      openedAt: shift.openedAt,
      closedAt: shift.closedAt,
      openingFloat: money(shift.openingFloatMinor, currency),
      totals: { cash: money(totals.cash, currency), card: money(totals.card, currency), transfer: money(totals.transfer, currency) },
      expectedCash: money(expectedCashMinor, currency),
      countedCash: shift.countedCashMinor === null ? null : money(shift.countedCashMinor, currency),
      difference: shift.differenceMinor === null ? null : money(shift.differenceMinor, currency),
      note: shift.note,
    };
  }

  private totalsMinor(shiftId: number): Record<PaymentMethod, number> {
    const totals: Record<PaymentMethod, number> = { cash: 0, card: 0, transfer: 0 };
    const topups = this.db.orm
      .select({ method: schema.topups.method, sum: sql<number>`sum(${schema.topups.amountMinor})` })
      .from(schema.topups)
      .where(eq(schema.topups.shiftId, shiftId))
      .groupBy(schema.topups.method)
      .all();
    for (const row of topups) totals[row.method] += row.sum;
    const refunds = this.db.orm
      .select({ method: schema.topups.method, sum: sql<number>`sum(${schema.topupRefunds.amountMinor})` })
      .from(schema.topupRefunds)
      .innerJoin(schema.topups, eq(schema.topups.id, schema.topupRefunds.topupId))
      .where(eq(schema.topupRefunds.shiftId, shiftId))
      .groupBy(schema.topups.method)
      .all();
    for (const row of refunds) totals[row.method] -= row.sum;
    return totals;
  }

  private parseMoneyInput<T extends z.ZodType<{ currency?: string | undefined }>>(schemaOf: T, input: unknown): z.infer<T> {
    const parsed = parseInput(schemaOf, input, 'invalid_request');
    if (parsed.currency !== undefined && parsed.currency !== this.currency()) {
      throw badRequest('currency_mismatch', `currency must be the site currency ${this.currency()}`);
    }
    // The currency only confirms the site's; it is left out so a retry with or without it is the same request.
    return { ...parsed, currency: undefined };
  }

  private currency(): string {
    return this.settings.get().currency;
  }
}

