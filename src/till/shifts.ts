import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { schema } from '../db';
import type { SettingsService } from '../settings';
import { conflict, money, nowIso, parseInput, type AuditActor, type Money, type RecordAudit } from '../shared';

type ShiftRow = typeof schema.cashierShifts.$inferSelect;
/** How a top-up was paid; each method has its own drawer total in a shift. */
export type PaymentMethod = (typeof schema.topups.$inferSelect)['method'];

const shiftOpenSchema = z.object({ openingFloat: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0) }).strict();
const shiftCloseSchema = z.object({ countedCash: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), note: z.string().max(500).nullish() }).strict();

interface ShiftView {
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
 * Cashier shifts: a cashier opens one with the float in the drawer; top-ups and refunds made
 * meanwhile count towards it; closing it records the cash counted and the difference (Z-report).
 */
export class ShiftService {
  /** Read on every top-up (the shift it counts in): prepared once. */
  private readonly openShiftOf;

  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    /** The audit log: opening and closing a shift is on the record in the same write. */
    private readonly audit: RecordAudit,
  ) {
    const { cashierShifts } = schema;
    this.openShiftOf = db.orm
      .select()
      .from(cashierShifts)
      .where(and(eq(cashierShifts.cashier, sql.placeholder('cashier')), isNull(cashierShifts.closedAt)))
      .prepare();
  }

  openShift(cashier: string): ShiftRow | undefined {
    return this.openShiftOf.get({ cashier });
  }

  /** Opens a shift of the actor (a cashier's shifts go by the name people read, as on receipts). */
  startShift(actor: AuditActor, input: unknown): Promise<ShiftView> {
    const { openingFloat } = parseInput(shiftOpenSchema, input);
    const cashier = actor.name;
    return this.db.write(() => {
      if (this.openShift(cashier)) throw conflict('shift_open', 'Close your open shift before opening another');
      const row = this.db.orm.insert(schema.cashierShifts).values({ cashier, openingFloatMinor: openingFloat, openedAt: nowIso() }).returning().get();
      const view = this.shiftView(row);
      this.audit(actor, { action: 'shift.open', objectType: 'shift', objectId: row.id, after: view });
      return view;
    });
  }

  /** Closes the cashier's shift with the cash counted in the drawer; the difference is recorded. */
  closeShift(actor: AuditActor, input: unknown): Promise<ShiftView> {
    const { countedCash, note } = parseInput(shiftCloseSchema, input);
    const cashier = actor.name;
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
      const view = this.shiftView(row);
      this.audit(actor, { action: 'shift.close', objectType: 'shift', objectId: row.id, after: view });
      return view;
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
      totals: { cash: money(totals.cash, currency), card: money(totals.card, currency), transfer: money(totals.transfer, currency), upi: money(totals.upi, currency) },
      expectedCash: money(expectedCashMinor, currency),
      countedCash: shift.countedCashMinor === null ? null : money(shift.countedCashMinor, currency),
      difference: shift.differenceMinor === null ? null : money(shift.differenceMinor, currency),
      note: shift.note,
    };
  }

  private totalsMinor(shiftId: number): Record<PaymentMethod, number> {
    const totals: Record<PaymentMethod, number> = { cash: 0, card: 0, transfer: 0, upi: 0 };
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

  private currency(): string {
    return this.settings.get().currency;
  }
}
