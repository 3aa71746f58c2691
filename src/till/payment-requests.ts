import { and, asc, desc, eq, gt, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { schema } from '../db';
import { PAYMENT_METHODS, PAYMENT_REQUEST_STATUSES } from '../db/schema/till';
import type { DriverRow, DriverService } from '../drivers';
import { requestHash, type IdempotencyStore, type StoredOutcome } from '../ledger';
import { refusalError, type QrStartService } from '../qrstart';
import type { SettingsService } from '../settings';
import { AppError, conflict, currencyDigits, minorToDecimalString, money, notFound, parseInput, randomCode, type Actor, type AmountMinor, type AuditActor, type Money, type RecordAudit } from '../shared';
import { clientKeyOf, type TillService } from './service';

export type PaymentRequestRow = typeof schema.paymentRequests.$inferSelect;
export type PaymentRequestStatus = (typeof PAYMENT_REQUEST_STATUSES)[number];

/** CONTRACT `/payment-requests`: an open request expires after 15 minutes. */
const DEFAULT_TTL_MS = 15 * 60 * 1000;
/**
 * References are read out at the desk and typed from a phone screen: digits and capitals without
 * 0/O and 1/I, six of them (32^6, about a billion). They are not secrets: a driver sees and
 * cancels only their own requests (by their sign-in), and only staff confirm.
 */
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const REFERENCE_LENGTH = 6;
/** Tries at a reference no open request has; with a billion references, more than one is rare. */
const REFERENCE_TRIES = 20;
/** The most one walk-in payment may be, in major units: a typo must not become a lakh at the desk. */
const MAX_REQUEST_MAJOR = 10_000;

const confirmInputSchema = z.object({ method: z.enum(PAYMENT_METHODS) }).strict();

/** What the API and the pages show of one request (CONTRACT `/payment-requests` rows, plus what followed). */
export interface PaymentRequestView {
  id: number;
  reference: string;
  userId: number;
  name: string;
  phone: string;
  amount: Money;
  status: PaymentRequestStatus;
  chargerId: string;
  connectorId: number;
  createdAt: string;
  expiresAt: string;
  method: PaymentRequestRow['method'];
  confirmedAt: string | null;
  confirmedBy: string | null;
  topupId: number | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
  /** The QR start that followed the confirmation; null when the driver had left or the start was refused. */
  startId: number | null;
  /** Why no start followed a confirmation while the driver was waiting (a QR start refusal code). */
  startRefusal: string | null;
}

/** One change of a request, for the live pages (the cashier's list, the driver's page). */
export interface PaymentRequestChange {
  request: PaymentRequestRow;
}

interface PaymentRequestDependencies {
  db: Db;
  drivers: DriverService;
  settings: SettingsService;
  till: TillService;
  idempotency: IdempotencyStore;
  /** The QR start: a confirmed request whose driver is still waiting starts through it. */
  qrStart: QrStartService;
  /** How long a request stays open (CONTRACT 15 minutes; tests shorten it). */
  ttlMs?: number | undefined;
  clock?: () => number;
  onError: (error: unknown, context: string) => void;
  /** The audit log: confirming and cancelling are on the record in the write that makes them. */
  audit: RecordAudit;
}

/** Who the audit log names when drivers cancel their own request on the QR page. */
const DRIVER: AuditActor = { userId: null, name: 'driver' };

/**
 * Walk-in payments (CONTRACT "Web pages" and `/payment-requests`). A driver on a connector's QR
 * page asks to pay an amount; the request waits, with a reference, until a cashier confirms that
 * the money arrived (cash at the desk, or UPI seen on the site's phone). Confirming is a normal
 * top-up (receipt, shift, Idempotency-Key), made once however often it is confirmed, and if the
 * driver is still waiting the QR start follows at once: the hold on the new balance, then the
 * remote start. An open request expires after 15 minutes; a request confirmed after the driver
 * left (expired or cancelled) leaves the money as balance.
 */
export class PaymentRequestService {
  private readonly ttlMs: number;
  private readonly clock: () => number;
  private readonly listeners: ((change: PaymentRequestChange) => void)[] = [];

  constructor(private readonly deps: PaymentRequestDependencies) {
    this.ttlMs = deps.ttlMs ?? DEFAULT_TTL_MS;
    this.clock = deps.clock ?? Date.now;
  }

  /** Listeners hear of each change once it is durable (the live pages then read it). */
  onChange(listener: (change: PaymentRequestChange) => void): void {
    this.listeners.push(listener);
  }

  // ---- the driver's side -------------------------------------------------------------------------

  /** The largest amount one request may ask for, in minor units. */
  maxAmountMinor(): AmountMinor {
    return MAX_REQUEST_MAJOR * 10 ** currencyDigits(this.currency());
  }

  /**
   * Opens a request for the driver at a connector. The same form key returns the request it made
   * (a double tap); a driver with an open request gets that one back (409 payment_request_open
   * when it was for another connector or amount). Refused when the connector cannot be started
   * for reasons paying would not change (offline, out of order, occupied, no price).
   */
  async create(input: { formKey: string; user: DriverRow; chargerId: string; connectorId: number; amountMinor: AmountMinor }): Promise<PaymentRequestRow> {
    const { amountMinor } = input;
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 1) throw new AppError('invalid_amount', 'Choose an amount above zero', 400);
    if (amountMinor > this.maxAmountMinor()) throw new AppError('amount_too_large', 'The amount is more than one payment here may be', 400);
    const repeated = this.byFormKey(input.formKey);
    if (repeated) return this.ownedBy(repeated, input.user.id);
    const refusal = this.deps.qrStart.refusalFor(input.chargerId, input.connectorId, input.user);
    // Paying is the answer to a short balance; every other refusal stands.
    if (refusal && refusal !== 'balance_below_minimum') throw refusalError(refusal);

    const created = await this.deps.db.write(() => {
      const again = this.byFormKey(input.formKey);
      if (again) return this.ownedBy(again, input.user.id);
      const now = this.clock();
      this.expireDueWithin(new Date(now).toISOString());
      const open = this.openOf(input.user.id);
      if (open) {
        if (open.chargerId === input.chargerId && open.connectorId === input.connectorId && open.amountMinor === amountMinor) return open;
        throw conflict('payment_request_open', `Payment ${open.reference} is still waiting; cancel it before asking for another`);
      }
      const createdAt = new Date(now).toISOString();
      return this.deps.db.orm
        .insert(schema.paymentRequests)
        .values({
          formKey: input.formKey,
          reference: this.freeReference(),
          userId: input.user.id,
          chargerId: input.chargerId,
          connectorId: input.connectorId,
          amountMinor,
          status: 'open',
          createdAt,
          expiresAt: new Date(now + this.ttlMs).toISOString(),
          updatedAt: createdAt,
        })
        .returning()
        .get();
    });
    this.announce(created);
    return created;
  }

  /** The driver cancels their own open request; an already cancelled one stays so. */
  async cancelByDriver(id: number, userId: number): Promise<PaymentRequestRow> {
    const row = this.get(id);
    if (!row || row.userId !== userId) throw notFound('Payment request', id);
    return this.cancel(id, DRIVER);
  }

  /** The driver's open request, if any (the connector page shows it instead of the amounts). */
  openOf(userId: number): PaymentRequestRow | undefined {
    return this.deps.db.orm
      .select()
      .from(schema.paymentRequests)
      .where(and(eq(schema.paymentRequests.userId, userId), this.statusIs('open')))
      .get();
  }

  /**
   * Requests of this driver confirmed after they had left (no start followed) within the last
   * `sinceMs`: the page tells them at their next sign-in that the money is in their balance.
   */
  keptAsBalance(userId: number, sinceMs: number): PaymentRequestRow[] {
    const since = new Date(this.clock() - sinceMs).toISOString();
    return this.deps.db.orm
      .select()
      .from(schema.paymentRequests)
      .where(
        and(
          eq(schema.paymentRequests.userId, userId),
          eq(schema.paymentRequests.status, 'confirmed'),
          isNull(schema.paymentRequests.startId),
          gt(schema.paymentRequests.confirmedAt, since),
        ),
      )
      .orderBy(desc(schema.paymentRequests.id))
      .all();
  }

  // ---- the cashier's side ------------------------------------------------------------------------

  /**
   * Confirms that the money arrived: a top-up of the request's amount to the driver by `method`
   * (receipt, the cashier's shift), in the same transaction as the request's new state, so however
   * many times and by however many cashiers it is confirmed, it tops up once. The same
   * Idempotency-Key from the same client replays the first answer. A request confirmed again with
   * the same method answers as the first time; with another method it is 409 already_confirmed.
   * If the driver was still waiting (the request open and not past its time), the QR start follows.
   */
  async confirm(id: number, input: unknown, actor: Actor, idempotencyKey?: string): Promise<StoredOutcome<PaymentRequestView>> {
    const { method } = parseInput(confirmInputSchema, input);
    let confirmedNow: PaymentRequestRow | undefined;
    const outcome = await this.deps.db.write(() =>
      this.deps.idempotency.run(clientKeyOf(actor, idempotencyKey), requestHash(`POST /payment-requests/${id}/confirm`, { method }), () => {
        confirmedNow = undefined;
        const row = this.get(id);
        if (!row) throw notFound('Payment request', id);
        if (row.status === 'confirmed') {
          if (row.method !== method) throw conflict('already_confirmed', `Payment ${row.reference} was already confirmed (${row.method}) by ${row.confirmedBy}`);
          return { status: 200, body: this.view(row) };
        }
        const now = this.clock();
        const driverWaiting = row.status === 'open' && Date.parse(row.expiresAt) > now;
        const user = this.deps.drivers.requireUser(row.userId);
        const topup = this.deps.till.topUpWithin(user.accountId, { cardUid: null, userId: user.id }, { amount: row.amountMinor, method, note: `Payment ${row.reference}` }, actor);
        const confirmedAt = new Date(now).toISOString();
        const confirmed = this.deps.db.orm
          .update(schema.paymentRequests)
          .set({
            // A request that ran out of time is confirmed all the same: the money did arrive.
            status: 'confirmed',
            method,
            topupId: topup.topupId,
            confirmedAt,
            confirmedBy: actor.name,
            driverWaiting,
            updatedAt: confirmedAt,
          })
          .where(eq(schema.paymentRequests.id, id))
          .returning()
          .get()!;
        confirmedNow = confirmed;
        const view = this.view(confirmed);
        this.deps.audit(actor, { action: 'payment_request.confirm', objectType: 'payment_request', objectId: id, after: view });
        return { status: 200, body: view };
      }),
    );
    // Only the confirmation that moved the money starts the charge: a second cashier, a retry or
    // a replayed key finds it confirmed and starts nothing.
    const fresh = confirmedNow as PaymentRequestRow | undefined;
    if (!fresh || outcome.replayed) return outcome;
    this.announce(fresh);
    if (!fresh.driverWaiting) return outcome;
    const followed = await this.startFor(fresh);
    return { ...outcome, body: this.view(followed) };
  }

  /** Staff cancel an open request (the driver said they will not pay). */
  cancelByStaff(id: number, actor: AuditActor): Promise<PaymentRequestRow> {
    if (!this.get(id)) throw notFound('Payment request', id);
    return this.cancel(id, actor);
  }

  /** Open requests still in time, oldest first: the queue at the desk. */
  openQueue(): PaymentRequestRow[] {
    return this.deps.db.orm
      .select()
      .from(schema.paymentRequests)
      .where(this.statusIs('open'))
      .orderBy(asc(schema.paymentRequests.id))
      .all();
  }

  /** Newest first, optionally of one status (an open request past its time counts as expired). */
  list(filter: { status?: PaymentRequestStatus | undefined }, limit: number, beforeId?: number): PaymentRequestRow[] {
    return this.deps.db.orm
      .select()
      .from(schema.paymentRequests)
      .where(and(beforeId !== undefined ? sql`${schema.paymentRequests.id} < ${beforeId}` : undefined, filter.status ? this.statusIs(filter.status) : undefined))
      .orderBy(desc(schema.paymentRequests.id))
      .limit(limit)
      .all();
  }

  get(id: number): PaymentRequestRow | undefined {
    return this.deps.db.orm.select().from(schema.paymentRequests).where(eq(schema.paymentRequests.id, id)).get();
  }

  /** The status as of now: an open request past its time is expired even before the job marks it. */
  statusOf(row: PaymentRequestRow): PaymentRequestStatus {
    return row.status === 'open' && Date.parse(row.expiresAt) <= this.clock() ? 'expired' : row.status;
  }

  view(row: PaymentRequestRow): PaymentRequestView {
    const driver = this.deps.drivers.user(row.userId);
    return {
      id: row.id,
      reference: row.reference,
      userId: row.userId,
      name: driver?.name ?? '',
      phone: driver?.phone ?? '',
      amount: money(row.amountMinor, this.currency()),
      status: this.statusOf(row),
      chargerId: row.chargerId,
      connectorId: row.connectorId,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      method: row.method,
      confirmedAt: row.confirmedAt,
      confirmedBy: row.confirmedBy,
      topupId: row.topupId,
      cancelledAt: row.cancelledAt,
      cancelledBy: row.cancelledBy,
      startId: row.startId,
      startRefusal: row.startRefusal,
    };
  }

  // ---- expiry ------------------------------------------------------------------------------------

  /** Marks open requests past their time expired (the cron job); returns how many. */
  async expireDue(nowIso: string = new Date(this.clock()).toISOString()): Promise<number> {
    const expired = await this.deps.db.write(() => this.expireDueWithin(nowIso));
    for (const row of expired) this.announce(row);
    return expired.length;
  }

  /**
   * After a restart: a confirmation whose start was under way when the process stopped has no
   * start to follow; it is marked so the driver's page offers the start itself (the money is in
   * the balance).
   */
  async resumeInterrupted(): Promise<void> {
    const { paymentRequests } = schema;
    const interrupted = await this.deps.db.write(() =>
      this.deps.db.orm
        .update(paymentRequests)
        .set({ startRefusal: 'interrupted', updatedAt: new Date(this.clock()).toISOString() })
        .where(and(eq(paymentRequests.status, 'confirmed'), eq(paymentRequests.driverWaiting, true), isNull(paymentRequests.startId), isNull(paymentRequests.startRefusal)))
        .returning()
        .all(),
    );
    for (const row of interrupted) this.announce(row);
  }

  // ---- inside ------------------------------------------------------------------------------------

  private expireDueWithin(nowIso: string): PaymentRequestRow[] {
    const { paymentRequests } = schema;
    return this.deps.db.orm
      .update(paymentRequests)
      .set({ status: 'expired', updatedAt: nowIso })
      .where(and(eq(paymentRequests.status, 'open'), lte(paymentRequests.expiresAt, nowIso)))
      .returning()
      .all();
  }

  /**
   * The hold and the remote start through the QR start service, for what the payment made
   * available (a debt is paid first). Its form key is the request's, so however often this runs
   * it starts once. A refusal (the connector taken meanwhile, the charger gone) is recorded: the
   * money stays as balance and the driver's page says why.
   */
  private async startFor(request: PaymentRequestRow): Promise<PaymentRequestRow> {
    const user = this.deps.drivers.requireUser(request.userId);
    const amountMinor = Math.min(request.amountMinor, this.deps.qrStart.availableMinor(user));
    let outcome: { startId: number } | { startRefusal: string };
    try {
      const start = await this.deps.qrStart.start({ formKey: `pay-${request.id}`, user, chargerId: request.chargerId, connectorId: request.connectorId, amountMinor });
      outcome = { startId: start.id };
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus >= 500) this.deps.onError(error, `start after payment ${request.reference}`);
      outcome = { startRefusal: error instanceof AppError ? error.code : 'failed' };
    }
    const updated = await this.deps.db.write(() =>
      this.deps.db.orm
        .update(schema.paymentRequests)
        .set({ ...outcome, updatedAt: new Date(this.clock()).toISOString() })
        .where(eq(schema.paymentRequests.id, request.id))
        .returning()
        .get()!,
    );
    this.announce(updated);
    return updated;
  }

  private async cancel(id: number, by: AuditActor): Promise<PaymentRequestRow> {
    const cancelled = await this.deps.db.write(() => {
      const now = new Date(this.clock()).toISOString();
      this.expireDueWithin(now);
      const row = this.get(id)!;
      if (row.status === 'cancelled') return row;
      if (row.status !== 'open') throw conflict(`payment_request_${row.status}`, `Payment ${row.reference} is ${row.status}; it can no longer be cancelled`);
      const updated = this.deps.db.orm
        .update(schema.paymentRequests)
        .set({ status: 'cancelled', cancelledAt: now, cancelledBy: by.name, updatedAt: now })
        .where(eq(schema.paymentRequests.id, id))
        .returning()
        .get()!;
      this.deps.audit(by, { action: 'payment_request.cancel', objectType: 'payment_request', objectId: id, after: this.view(updated) });
      return updated;
    });
    this.announce(cancelled);
    return cancelled;
  }

  /** The rows of a status as of now (`statusOf` in SQL): an open request past its time is expired. */
  private statusIs(status: PaymentRequestStatus): SQL | undefined {
    const { paymentRequests } = schema;
    const nowIso = new Date(this.clock()).toISOString();
    if (status === 'open') return and(eq(paymentRequests.status, 'open'), gt(paymentRequests.expiresAt, nowIso));
    if (status === 'expired') return or(eq(paymentRequests.status, 'expired'), and(eq(paymentRequests.status, 'open'), lte(paymentRequests.expiresAt, nowIso)));
    return eq(paymentRequests.status, status);
  }

  /** A reference no open request has (inside the write that inserts it). */
  private freeReference(): string {
    for (let attempt = 0; attempt < REFERENCE_TRIES; attempt++) {
      const reference = randomReference();
      const taken = this.deps.db.orm
        .select({ id: schema.paymentRequests.id })
        .from(schema.paymentRequests)
        .where(and(eq(schema.paymentRequests.reference, reference), eq(schema.paymentRequests.status, 'open')))
        .get();
      if (!taken) return reference;
    }
    throw new AppError('reference_unavailable', 'No free payment reference was found; try again', 503);
  }

  private byFormKey(formKey: string): PaymentRequestRow | undefined {
    return this.deps.db.orm.select().from(schema.paymentRequests).where(eq(schema.paymentRequests.formKey, formKey)).get();
  }

  private ownedBy(row: PaymentRequestRow, userId: number): PaymentRequestRow {
    if (row.userId !== userId) throw conflict('idempotency_key_reused', 'This payment form belongs to another driver');
    return row;
  }

  private announce(request: PaymentRequestRow): void {
    for (const listener of this.listeners) listener({ request });
  }

  private currency(): string {
    return this.deps.settings.get().currency;
  }
}

/** Six characters from REFERENCE_ALPHABET, each drawn uniformly from a CSPRNG. */
export function randomReference(): string {
  return randomCode(REFERENCE_ALPHABET, REFERENCE_LENGTH);
}

/**
 * The UPI deep link for a payment (NPCI UPI linking specification): payee address and name, the
 * exact amount in rupees with two decimals, INR, the request's reference as the transaction
 * reference and a note. UPI moves rupees only: for another currency there is no link.
 */
export function upiPaymentLink(input: { upiId: string; payeeName: string; amountMinor: AmountMinor; currency: string; reference: string; note: string }): string | undefined {
  if (input.currency !== 'INR') return undefined;
  const parameters: [string, string][] = [
    ['pa', input.upiId],
    ['pn', input.payeeName],
    ['am', minorToDecimalString(input.amountMinor, 'INR')],
    ['cu', 'INR'],
    ['tr', input.reference],
    ['tn', input.note],
  ];
  return `upi://pay?${parameters.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&')}`;
}
