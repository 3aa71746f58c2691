import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { schema } from '../db';
import { PAYMENT_METHODS } from '../db/schema/till';
import { normaliseUid, type DriverService } from '../drivers';
import { requestHash, type IdempotencyKey, type IdempotencyStore, type Ledger, type StoredOutcome, type SystemAccountKind } from '../ledger';
import type { SettingsService } from '../settings';
import { badRequest, conflict, money, notFound, parseInput, type Actor, type AmountMinor, type Money, type RecordAudit } from '../shared';
import type { PaymentMethod, ShiftService } from './shifts';

type TopupRow = typeof schema.topups.$inferSelect;

const METHOD_ACCOUNTS: Record<PaymentMethod, SystemAccountKind> = {
  cash: 'cash_drawer',
  card: 'card_terminal',
  transfer: 'bank_transfer',
  upi: 'upi_payments',
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

const topupInputSchema = z
  .object({ amount: amountSchema, method: z.enum(PAYMENT_METHODS), note: z.string().max(500).nullish(), currency: z.string().optional() })
  .strict();
const refundInputSchema = z.object({ amount: amountSchema.optional(), reason: reasonSchema, currency: z.string().optional() }).strict();
const adjustmentInputSchema = z.object({ amount: signedAmountSchema, reason: reasonSchema, currency: z.string().optional() }).strict();

/** A parsed top-up: amount in minor units, how it was paid, an optional note for the receipt. */
export type TopupInput = Omit<z.infer<typeof topupInputSchema>, 'currency'>;

/** Top-ups and their refunds per method over a period (the daily report). */
export interface TopupTotals {
  method: PaymentMethod;
  topups: number;
  amountMinor: AmountMinor;
  refundedMinor: AmountMinor;
}

/** A client's Idempotency-Key: the same key from another client is another key (CONTRACT). */
export function clientKeyOf(actor: Actor, idempotencyKey: string | undefined): IdempotencyKey | undefined {
  return idempotencyKey === undefined ? undefined : { client: actor.id, key: idempotencyKey };
}

export interface TopupResult {
  topupId: number;
  receiptNo: number;
  balance: Money;
}

/**
 * The till: top-ups with gapless receipt numbers, refunds of top-ups and manual adjustments, each
 * counted in the cashier's open shift. Each money write is one transaction, keyed by an optional
 * Idempotency-Key.
 */
export class TillService {
  /** The statements of every top-up, prepared once (the till must keep up with a queue at the desk and bulk imports). */
  private readonly lastReceipt;
  private readonly insertTopup;

  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly drivers: DriverService,
    private readonly settings: SettingsService,
    private readonly shifts: ShiftService,
    private readonly idempotency: IdempotencyStore,
    /** The audit log: every money write is on the record in its own transaction (a replay adds nothing). */
    private readonly audit: RecordAudit,
  ) {
    const { topups } = schema;
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
  }

  /** `POST /cards/{uid}/topups`: 201 `{topupId, receiptNo, balance}` (or the stored first answer). */
  topUpCard(rawUid: string, input: unknown, actor: Actor, idempotencyKey?: string): Promise<StoredOutcome<TopupResult>> {
    const topup = this.parseMoneyInput(topupInputSchema, input);
    return this.db.write(() =>
      this.idempotency.run(clientKeyOf(actor, idempotencyKey), requestHash(`POST /cards/${normaliseUid(rawUid)}/topups`, topup), () => {
        const card = this.drivers.requireCard(rawUid);
        if (card.kind !== 'prepaid' || card.accountId === null) throw conflict('card_not_prepaid', `Card ${card.uid} is a personal card: it has no balance`);
        return { status: 201, body: this.topUpWithin(card.accountId, { cardUid: card.uid, userId: card.userId }, topup, actor) };
      }),
    );
  }

  /** `POST /users/{id}/topups`. */
  topUpUser(userId: number, input: unknown, actor: Actor, idempotencyKey?: string): Promise<StoredOutcome<TopupResult>> {
    const topup = this.parseMoneyInput(topupInputSchema, input);
    return this.db.write(() =>
      this.idempotency.run(clientKeyOf(actor, idempotencyKey), requestHash(`POST /users/${userId}/topups`, topup), () => {
        const user = this.drivers.requireUser(userId);
        return { status: 201, body: this.topUpWithin(user.accountId, { cardUid: null, userId: user.id }, topup, actor) };
      }),
    );
  }

  /**
   * One top-up inside the caller's write: the money, a gapless receipt number and the cashier's
   * shift. For a caller that records its own row with it in one transaction (a confirmed payment request).
   */
  topUpWithin(accountId: number, owner: { cardUid: string | null; userId: number | null }, topup: TopupInput, actor: Actor): TopupResult {
    const transfer = this.ledger.transfer({
      debitAccountId: this.ledger.systemAccountId(METHOD_ACCOUNTS[topup.method]),
      creditAccountId: accountId,
      amountMinor: topup.amount,
      code: 'topup',
      createdBy: actor.name,
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
        createdBy: actor.name,
        shiftId: this.shifts.openShift(actor.name)?.id ?? null,
        transferId: transfer.id,
        createdAt: transfer.createdAt,
      })!;
    const currency = this.currency();
    const result = { topupId: row.id, receiptNo, balance: money(this.ledger.balance(accountId).balanceMinor, currency) };
    this.audit(actor, {
      action: 'topup.create',
      objectType: 'topup',
      objectId: row.id,
      after: { ...result, accountId, cardUid: owner.cardUid, userId: owner.userId, amount: money(topup.amount, currency), method: topup.method, note: topup.note ?? null },
    });
    return result;
  }

  /** Refunds (part of) a top-up back through its method: a new transfer pointing at the top-up's. */
  refundTopup(topupId: number, input: unknown, actor: Actor, idempotencyKey?: string) {
    const refund = this.parseMoneyInput(refundInputSchema, input);
    return this.db.write(() =>
      this.idempotency.run(clientKeyOf(actor, idempotencyKey), requestHash(`POST /topups/${topupId}/refunds`, refund), () => {
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
          createdBy: actor.name,
        });
        const row = this.db.orm
          .insert(schema.topupRefunds)
          .values({ topupId, amountMinor, reason: refund.reason, createdBy: actor.name, shiftId: this.shifts.openShift(actor.name)?.id ?? null, transferId: transfer.id, createdAt: transfer.createdAt })
          .returning()
          .get();
        const currency = this.currency();
        const body = { refundId: row.id, topupId, amount: money(amountMinor, currency), balance: money(this.ledger.balance(topup.accountId).balanceMinor, currency) };
        this.audit(actor, { action: 'topup.refund', objectType: 'topup', objectId: topupId, after: { ...body, reason: refund.reason } });
        return { status: 201, body };
      }),
    );
  }

  /** A manual correction of a balance with a reason, against the adjustments account. */
  adjust(accountId: number, input: unknown, actor: Actor, idempotencyKey?: string) {
    const adjustment = this.parseMoneyInput(adjustmentInputSchema, input);
    return this.db.write(() =>
      this.idempotency.run(clientKeyOf(actor, idempotencyKey), requestHash(`POST /accounts/${accountId}/adjustments`, adjustment), () => {
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
          createdBy: actor.name,
        });
        const currency = this.currency();
        const body = { transferId: transfer.id, balance: money(this.ledger.balance(accountId).balanceMinor, currency) };
        this.audit(actor, { action: 'ledger.adjust', objectType: 'account', objectId: accountId, after: { ...body, amount: money(adjustment.amount, currency), reason: adjustment.reason } });
        return { status: 201, body };
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

  /** Top-ups made in [fromIso, toIso) and refunds made then, per method; every method is listed, zeros included. */
  totalsByMethod(fromIso: string, toIso: string): TopupTotals[] {
    const { topups, topupRefunds } = schema;
    const made = this.db.orm
      .select({ method: topups.method, count: sql<number>`count(*)`, sum: sql<number>`sum(${topups.amountMinor})` })
      .from(topups)
      .where(and(gte(topups.createdAt, fromIso), lt(topups.createdAt, toIso)))
      .groupBy(topups.method)
      .all();
    const refunded = this.db.orm
      .select({ method: topups.method, sum: sql<number>`sum(${topupRefunds.amountMinor})` })
      .from(topupRefunds)
      .innerJoin(topups, eq(topups.id, topupRefunds.topupId))
      .where(and(gte(topupRefunds.createdAt, fromIso), lt(topupRefunds.createdAt, toIso)))
      .groupBy(topups.method)
      .all();
    return PAYMENT_METHODS.map((method) => {
      const row = made.find((candidate) => candidate.method === method);
      return { method, topups: row?.count ?? 0, amountMinor: row?.sum ?? 0, refundedMinor: refunded.find((candidate) => candidate.method === method)?.sum ?? 0 };
    });
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

