import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';
import type { DriverService, StartTagHold } from '../drivers';
import type { Ledger, TransferRow } from '../ledger';
import { conflict, nowIso, randomCode, type AmountMinor } from '../shared';

/**
 * CONTRACT QR start: no answer within the command timeout (30 s) or no transaction within 120 s of
 * the charger accepting releases the hold. The QR flow releases it at those moments; this is the
 * backstop after which the expiry job releases a hold no session took.
 */
const START_HOLD_TIMEOUT_MS = (30 + 120 + 30) * 1000;

/**
 * A QR start's idTag: `#Q` and 18 random letters or digits (93 bits), 20 characters in all, the
 * most an OCPP 1.6 idTag holds. Upper case only, because idTags are compared case-insensitively
 * (CiString20) and chargers may change their case; `#` keeps it apart from every card UID.
 */
const START_TAG_PREFIX = '#Q';
const START_TAG_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const START_TAG_RANDOM_LENGTH = 18;

function newStartTag(): string {
  return START_TAG_PREFIX + randomCode(START_TAG_ALPHABET, START_TAG_RANDOM_LENGTH);
}

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
  place(input: PlaceStartHoldInput): Promise<TransferRow & { idTag: string }> {
    return this.db.write(() => this.placeWithin(input));
  }

  /**
   * `place` inside the caller's write, for a caller that records its own row in the same
   * transaction as the hold (the QR start: its one-start-per-connector rule and the hold commit together).
   */
  placeWithin(input: PlaceStartHoldInput): TransferRow & { idTag: string } {
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
      const idTag = newStartTag();
      this.db.orm
        .insert(schema.startHolds)
        .values({ holdTransferId: hold.id, userId: user.id, chargerId: input.chargerId, connectorId: input.connectorId, idTag, createdAt: nowIso() })
        .run();
      return { ...hold, idTag };
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

  /**
   * The hold a QR start's idTag stands for, as the authorizer weighs it: usable only while it is
   * open and no session took it yet. Undefined for any other tag.
   */
  forTag(rawIdTag: string): StartTagHold | undefined {
    const idTag = rawIdTag.trim().toUpperCase();
    if (!idTag.startsWith(START_TAG_PREFIX)) return undefined;
    const row = this.db.orm.select().from(schema.startHolds).where(eq(schema.startHolds.idTag, idTag)).get();
    if (!row) return undefined;
    const hold = this.ledger.transferById(row.holdTransferId)!;
    return {
      userId: row.userId,
      chargerId: row.chargerId,
      connectorId: row.connectorId,
      holdTransferId: row.holdTransferId,
      amountMinor: hold.amountMinor,
      usable: row.sessionId === null && this.ledger.isHoldOpen(row.holdTransferId),
    };
  }

  /** The idTag RemoteStart sends for a hold. */
  idTagOf(holdTransferId: number): string | undefined {
    return this.startHoldOf(holdTransferId)?.idTag ?? undefined;
  }

  /**
   * Inside a StartTransaction the authorizer accepted the hold's tag for: the session takes the
   * hold, and with it the tag is used up. Null when another session took it first.
   */
  attach(holdTransferId: number, sessionId: number): number | null {
    const taken = this.db.orm
      .update(schema.startHolds)
      .set({ sessionId })
      .where(and(eq(schema.startHolds.holdTransferId, holdTransferId), isNull(schema.startHolds.sessionId)))
      .run();
    return taken.changes === 1 ? holdTransferId : null;
  }

  private startHoldOf(holdTransferId: number) {
    return this.db.orm.select().from(schema.startHolds).where(eq(schema.startHolds.holdTransferId, holdTransferId)).get();
  }
}
