import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';
import type { DriverService } from '../drivers';
import type { Ledger, TransferRow } from '../ledger';
import { conflict, nowIso, type AmountMinor } from '../shared';

/**
 * CONTRACT QR start: no answer within the command timeout (30 s) or no transaction within 120 s of
 * the charger accepting releases the hold. The QR flow releases it at those moments; this is the
 * backstop after which the expiry job releases a hold no session took.
 */
const START_HOLD_TIMEOUT_MS = (30 + 120 + 30) * 1000;

interface PlaceStartHoldInput {
  userId: number;
  chargerId: string;
  connectorId: number;
  amountMinor: AmountMinor;
  createdBy?: string | null;
}

/**
 * Holds for QR starts (TigerBeetle pending transfers): the amount a driver chose is reserved
 * before RemoteStartTransaction is sent, taken by the session the charger then starts, and
 * posted (up to the cost) when that session is billed.
 */
export class StartHoldService {
  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly drivers: DriverService,
  ) {}

  /** Reserves the amount from the driver's available balance (409 insufficient_funds otherwise). */
  place(input: PlaceStartHoldInput): Promise<TransferRow> {
    return this.db.write(() => this.placeWithin(input));
  }

  /**
   * `place` inside the caller's write, for a caller that records its own row in the same
   * transaction as the hold (the QR start: its one-start-per-connector rule and the hold commit together).
   */
  placeWithin(input: PlaceStartHoldInput): TransferRow {
    return this.db.tx(() => {
      const user = this.drivers.requireUser(input.userId);
      const hold = this.ledger.createHold({
        debitAccountId: user.accountId,
        creditAccountId: this.ledger.systemAccountId('charging_revenue'),
        amountMinor: input.amountMinor,
        code: 'session_charge',
        reference: `qr:${input.chargerId}/${input.connectorId}`,
        timeoutAt: new Date(Date.now() + START_HOLD_TIMEOUT_MS).toISOString(),
        createdBy: input.createdBy ?? null,
      });
      this.db.orm
        .insert(schema.startHolds)
        .values({ holdTransferId: hold.id, userId: user.id, chargerId: input.chargerId, connectorId: input.connectorId, createdAt: nowIso() })
        .run();
      return hold;
    });
  }

  /** Releases a hold no session took (refused or unanswered remote start). */
  release(holdTransferId: number, reason: string): Promise<void> {
    return this.db.write(() => {
      const row = this.startHoldOf(holdTransferId);
      if (row?.sessionId != null) throw conflict('hold_in_use', 'A session already took this hold; it is settled when the session ends');
      if (this.ledger.isHoldOpen(holdTransferId)) this.ledger.voidHold(holdTransferId, reason);
    });
  }

  /** Expires holds past their timeout that no session took; returns how many. */
  expireDue(now: string = nowIso()): Promise<number> {
    return this.db.write(() => {
      const due = this.ledger.dueHolds(now).filter((hold) => this.startHoldOf(hold.id)?.sessionId === null);
      for (const hold of due) this.ledger.expireHold(hold.id, 'no session started in time');
      return due.length;
    });
  }

  /** Inside a StartTransaction: the newest open hold of this driver at this charger becomes the session's. */
  attachToSession(userId: number, chargerId: string, connectorId: number, sessionId: number): number | null {
    const candidates = this.openUnattached(userId, chargerId);
    const chosen = candidates.find((row) => row.connectorId === connectorId) ?? candidates[0];
    if (!chosen) return null;
    this.db.orm.update(schema.startHolds).set({ sessionId }).where(eq(schema.startHolds.id, chosen.id)).run();
    return chosen.holdTransferId;
  }

  /** What open, untaken holds reserve for this driver at this charger (the authorizer lets them spend it there). */
  heldAtChargerMinor(userId: number, chargerId: string): number {
    return this.openUnattached(userId, chargerId).reduce((sum, row) => sum + this.ledger.transferById(row.holdTransferId)!.amountMinor, 0);
  }

  private startHoldOf(holdTransferId: number) {
    return this.db.orm.select().from(schema.startHolds).where(eq(schema.startHolds.holdTransferId, holdTransferId)).get();
  }

  private openUnattached(userId: number, chargerId: string) {
    return this.db.orm
      .select()
      .from(schema.startHolds)
      .where(and(eq(schema.startHolds.userId, userId), eq(schema.startHolds.chargerId, chargerId), isNull(schema.startHolds.sessionId)))
      .orderBy(desc(schema.startHolds.id))
      .all()
      .filter((row) => this.ledger.isHoldOpen(row.holdTransferId));
  }
}
