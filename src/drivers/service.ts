import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Statement } from '../db';
import { schema } from '../db';
import { balanceOf, type Ledger } from '../ledger';
import type { SettingsService } from '../settings';
import { conflict, hashSecret, money, normalisePhone, notFound, nowIso, parseInput, toUtcIso, verifySecret, auditedFields, type AuditActor, type E164Phone, type Money, type RecordAudit } from '../shared';
import { isValidUid, normaliseUid, uidFromReader } from './uid';

export type DriverRow = typeof schema.drivers.$inferSelect;
export type CardRow = typeof schema.cards.$inferSelect;
type UnknownCardRow = typeof schema.unknownCards.$inferSelect;

const isoTime = z.string().transform((raw, context) => {
  const iso = toUtcIso(raw);
  if (iso === undefined || !/\d{4}-\d{2}-\d{2}/.test(raw)) {
    context.addIssue({ code: 'custom', message: 'must be an ISO 8601 time' });
    return z.NEVER;
  }
  return iso;
});

/** A phone number as written, made E.164 with the site's calling code (CONTRACT `/users`). */
function phoneSchema(countryCallingCode: string) {
  return z.string().transform((raw, context) => {
    const phone = normalisePhone(raw, countryCallingCode);
    if (phone === undefined) {
      context.addIssue({ code: 'custom', message: 'must be a phone number, such as +91 98140 12345 or 98140 12345' });
      return z.NEVER;
    }
    return phone;
  });
}

/** A driver as POST /users takes it; the phone is read with the site's `phoneCountryCode`. */
function userCreateSchema(countryCallingCode: string) {
  return z
    .object({
      name: z.string().trim().min(1).max(100),
      phone: phoneSchema(countryCallingCode),
      email: z.email().max(200).nullish(),
      pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits').nullish(),
      notes: z.string().max(2000).nullish(),
    })
    .strict();
}
function userPatchSchema(countryCallingCode: string) {
  return userCreateSchema(countryCallingCode).partial().strict();
}

const cardCreateSchema = z
  .object({
    uid: z.string().min(1).max(100),
    kind: z.enum(['personal', 'prepaid']),
    userId: z.number().int().positive().nullish(),
    expiresAt: isoTime.nullish(),
    allowedChargers: z.array(z.string().min(1).max(48)).max(1000).nullish(),
    maxConcurrentSessions: z.number().int().min(1).max(100).optional(),
    label: z.string().max(100).nullish(),
  })
  .strict();
const cardPatchSchema = z
  .object({
    status: z.enum(['active', 'blocked', 'lost']),
    userId: z.number().int().positive().nullable(),
    expiresAt: isoTime.nullable(),
    allowedChargers: z.array(z.string().min(1).max(48)).max(1000).nullable(),
    maxConcurrentSessions: z.number().int().min(1).max(100),
    label: z.string().max(100).nullable(),
  })
  .partial()
  .strict();

interface CardView {
  uid: string;
  kind: CardRow['kind'];
  status: CardRow['status'];
  userId: number | null;
  accountId: number | null;
  balance: Money | null;
  available: Money | null;
  expiresAt: string | null;
  allowedChargers: string[] | null;
  maxConcurrentSessions: number;
  label: string | null;
  createdAt: string;
}

interface UserView {
  id: number;
  name: string;
  phone: string;
  email: string | null;
  notes: string | null;
  hasPin: boolean;
  accountId: number;
  balance: Money;
  available: Money;
  cards: CardView[];
  createdAt: string;
}

/** Unknown cards kept for staff to register (the most recently seen; see recordUnknownCard). */
export const MAX_UNKNOWN_CARDS = 1000;

/**
 * Drivers (CONTRACT `/users`) and their RFID cards (`/cards`). A driver owns one balance account;
 * a prepaid card spends its driver's account, or its own when it belongs to nobody.
 */
export class DriverService {
  /** Card and driver lookups run on every Authorize and top-up: prepared once. */
  private readonly cardByUidStatement;
  private readonly userByIdStatement;
  private readonly recordUnknownStatement: Statement<{ timesSeen: number }>;
  private readonly forgetOldUnknownStatement: Statement<unknown>;

  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly settings: SettingsService,
    /** Active sessions started with a card (the sessions domain): its owner cannot change meanwhile. */
    private readonly activeSessionsOfCard: (cardUid: string) => number,
    /** The audit log: every change to a driver or card is on the record in the write that makes it. */
    private readonly audit: RecordAudit,
  ) {
    this.cardByUidStatement = db.orm.select().from(schema.cards).where(eq(schema.cards.uid, sql.placeholder('uid'))).prepare();
    this.userByIdStatement = db.orm.select().from(schema.drivers).where(eq(schema.drivers.id, sql.placeholder('id'))).prepare();
    this.recordUnknownStatement = db.prepare<{ timesSeen: number }>(
      `INSERT INTO unknown_cards (uid, first_seen_at, last_seen_at, last_charger_id, times_seen) VALUES (@uid, @now, @now, @chargerId, 1)
      ON CONFLICT (uid) DO UPDATE SET last_seen_at = @now, last_charger_id = @chargerId, times_seen = times_seen + 1 RETURNING times_seen AS timesSeen`,
    );
    // Everything older than the newest MAX_UNKNOWN_CARDS (by time seen, then uid): the index finds the boundary.
    this.forgetOldUnknownStatement = db.prepare(
      `DELETE FROM unknown_cards WHERE (last_seen_at, uid) < (
        SELECT last_seen_at, uid FROM unknown_cards ORDER BY last_seen_at DESC, uid DESC LIMIT 1 OFFSET ${MAX_UNKNOWN_CARDS - 1})`,
    );
  }

  // ---- drivers ----------------------------------------------------------------------------------

  async createUser(input: unknown, actor: AuditActor): Promise<DriverRow> {
    const user = parseInput(userCreateSchema(this.phoneCountryCode()), input);
    const pinHash = user.pin ? await hashSecret(user.pin) : null;
    return this.db.write(() => {
      this.requirePhoneFree(user.phone);
      const account = this.ledger.openBalanceAccount('driver', user.name);
      const now = nowIso();
      const created = this.db.orm
        .insert(schema.drivers)
        .values({ name: user.name, phone: user.phone, email: user.email ?? null, pinHash, notes: user.notes ?? null, accountId: account.id, createdAt: now, updatedAt: now })
        .returning()
        .get();
      this.audit(actor, { action: 'driver.create', objectType: 'driver', objectId: created.id, after: auditedDriver(created) });
      return created;
    });
  }

  async updateUser(id: number, input: unknown, actor: AuditActor): Promise<DriverRow> {
    const patch = parseInput(userPatchSchema(this.phoneCountryCode()), input);
    const pinHash = patch.pin ? await hashSecret(patch.pin) : patch.pin === null ? null : undefined;
    return this.db.write(() => {
      const before = this.requireUser(id);
      if (patch.phone !== undefined) this.requirePhoneFree(patch.phone, id);
      const after = this.db.orm
        .update(schema.drivers)
        .set({
          name: patch.name,
          phone: patch.phone,
          email: patch.email,
          notes: patch.notes,
          pinHash,
          updatedAt: nowIso(),
        })
        .where(eq(schema.drivers.id, id))
        .returning()
        .get()!;
      // The PIN is never on the record, only that it changed (or was removed).
      this.audit(actor, { action: 'driver.update', objectType: 'driver', objectId: id, before: auditedDriver(before), after: { ...auditedDriver(after), pinChanged: pinHash !== undefined } });
      return after;
    });
  }

  user(id: number): DriverRow | undefined {
    return this.userByIdStatement.get({ id });
  }

  requireUser(id: number): DriverRow {
    const user = this.user(id);
    if (!user) throw notFound('user', id);
    return user;
  }

  /** A number as people write it → E.164 with the site's calling code, or undefined. */
  normalisePhone(rawPhone: string): E164Phone | undefined {
    return normalisePhone(rawPhone, this.phoneCountryCode());
  }

  /** The driver with this number, however it is written (CONTRACT: one number is one driver). */
  userByPhone(rawPhone: string): DriverRow | undefined {
    const phone = this.normalisePhone(rawPhone);
    if (phone === undefined) return undefined;
    return this.db.orm.select().from(schema.drivers).where(eq(schema.drivers.phone, phone)).get();
  }

  /**
   * Brings numbers stored before E.164 (digits as typed, no country code) to E.164 with the site's
   * calling code; run at every start, it changes nothing once done. A number that would become
   * another driver's is left as it is and reported: two accounts are never merged silently.
   */
  async normaliseStoredPhones(): Promise<{ changed: number; conflicts: { id: number; phone: string }[] }> {
    return this.db.write(() => {
      const rows = this.db.orm.select({ id: schema.drivers.id, phone: schema.drivers.phone }).from(schema.drivers).orderBy(schema.drivers.id).all();
      const taken = new Set(rows.map((row) => row.phone));
      const conflicts: { id: number; phone: string }[] = [];
      let changed = 0;
      for (const row of rows) {
        const phone = this.normalisePhone(row.phone);
        if (phone === undefined || phone === row.phone) continue;
        if (taken.has(phone)) {
          conflicts.push(row);
          continue;
        }
        this.db.orm.update(schema.drivers).set({ phone, updatedAt: nowIso() }).where(eq(schema.drivers.id, row.id)).run();
        taken.delete(row.phone);
        taken.add(phone);
        changed++;
      }
      return { changed, conflicts };
    });
  }

  /**
   * Drivers the cashier may mean by what was typed: the one with that phone number (however it is
   * written), else those whose name contains the text (any case), by name.
   */
  searchUsers(text: string, limit: number): DriverRow[] {
    const byPhone = this.userByPhone(text);
    if (byPhone) return [byPhone];
    const words = text.trim().toLowerCase();
    if (words.length < 2) return [];
    const pattern = `%${words.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    return this.db.orm
      .select()
      .from(schema.drivers)
      .where(sql`lower(${schema.drivers.name}) LIKE ${pattern} ESCAPE '\\'`)
      .orderBy(schema.drivers.name, schema.drivers.id)
      .limit(limit)
      .all();
  }

  /** The QR page's sign-in: the driver when phone and PIN match, else undefined (constant work). */
  async verifyPin(rawPhone: string, pin: string): Promise<DriverRow | undefined> {
    const user = this.userByPhone(rawPhone);
    // Hash against a dummy when there is no such driver so timing does not reveal registered phones.
    const stored = user?.pinHash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const ok = await verifySecret(pin, stored);
    return ok && user?.pinHash ? user : undefined;
  }

  /** Newest first, keyset-paginated on id. */
  users(limit: number, beforeId?: number): DriverRow[] {
    return this.db.orm
      .select()
      .from(schema.drivers)
      .where(beforeId !== undefined ? lt(schema.drivers.id, beforeId) : undefined)
      .orderBy(desc(schema.drivers.id))
      .limit(limit)
      .all();
  }

  userView(user: DriverRow): UserView {
    const account = this.ledger.account(user.accountId)!;
    const { balanceMinor, availableMinor } = balanceOf(account);
    const currency = this.settings.get().currency;
    return {
      id: user.id,
      name: user.name,
      phone: user.phone,
      email: user.email,
      notes: user.notes,
      hasPin: user.pinHash !== null,
      accountId: user.accountId,
      balance: money(balanceMinor, currency),
      available: money(availableMinor, currency),
      cards: this.cardsOfUser(user.id).map((card) => this.cardView(card)),
      createdAt: user.createdAt,
    };
  }

  // ---- cards ------------------------------------------------------------------------------------

  /** Registers a card scanned at the desk (its UID in the reader's format). */
  createCard(input: unknown, actor: AuditActor): Promise<CardRow> {
    const card = parseInput(cardCreateSchema, input);
    const uid = uidFromReader(card.uid, this.settings.get().cardReaderFormat);
    return this.db.write(() => {
      if (this.cardByUid(uid)) throw conflict('card_exists', `Card ${uid} is already registered`);
      const user = card.userId != null ? this.requireUser(card.userId) : undefined;
      let accountId: number | null = null;
      if (card.kind === 'prepaid') accountId = user ? user.accountId : this.ledger.openBalanceAccount('card', `Card ${uid}`).id;
      const now = nowIso();
      const row = this.db.orm
        .insert(schema.cards)
        .values({
          uid,
          kind: card.kind,
          status: 'active',
          userId: user?.id ?? null,
          accountId,
          expiresAt: card.expiresAt ?? null,
          allowedChargersJson: card.allowedChargers ? JSON.stringify(card.allowedChargers) : null,
          maxConcurrentSessions: card.maxConcurrentSessions ?? 1,
          label: card.label ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      const fromUnknown = this.db.orm.delete(schema.unknownCards).where(eq(schema.unknownCards.uid, uid)).run().changes > 0;
      this.audit(actor, { action: 'card.create', objectType: 'card', objectId: uid, after: { ...auditedCard(row), fromUnknown } });
      return row;
    });
  }

  updateCard(rawUid: string, input: unknown, actor: AuditActor): Promise<CardRow> {
    const patch = parseInput(cardPatchSchema, input);
    return this.db.write(() => {
      const card = this.requireCard(rawUid);
      let accountId = card.accountId;
      if (patch.userId !== undefined && patch.userId !== card.userId) {
        // Checked inside the write, so a StartTransaction cannot slip in between. The running
        // session is billed to the account it started on; moving the card's money now would
        // leave that debt on an account nobody uses (CONTRACT `PATCH /cards`).
        if (this.activeSessionsOfCard(card.uid) > 0) throw conflict('card_in_session', `Card ${card.uid} is charging now: change its owner once the session has ended`);
        accountId = this.reassignAccount(card, patch.userId);
      }
      const after = this.db.orm
        .update(schema.cards)
        .set({
          status: patch.status,
          userId: patch.userId,
          accountId,
          expiresAt: patch.expiresAt,
          allowedChargersJson: patch.allowedChargers === undefined ? undefined : patch.allowedChargers && JSON.stringify(patch.allowedChargers),
          maxConcurrentSessions: patch.maxConcurrentSessions,
          label: patch.label,
          updatedAt: nowIso(),
        })
        .where(eq(schema.cards.id, card.id))
        .returning()
        .get()!;
      // Only the fields the patch named; a status change alone (block, unblock, lost) has its own word.
      const named = Object.keys(patch).filter((field) => patch[field as keyof typeof patch] !== undefined);
      const action = named.length === 1 && named[0] === 'status' ? 'card.status' : 'card.update';
      this.audit(actor, { action, objectType: 'card', objectId: card.uid, before: auditedFields(auditedCard(card), named), after: auditedFields(auditedCard(after), named) });
      return after;
    });
  }

  /**
   * Giving a prepaid card to a driver: a card that had its own balance (an anonymous card sold at
   * the desk) brings it along as a ledger transfer into the driver's account, never by relabelling.
   * A card that owes money or has a hold open is refused; a card leaving its driver leaves the
   * money with the driver and starts again with an empty balance of its own.
   */
  private reassignAccount(card: CardRow, userId: number | null): number | null {
    const user = userId !== null ? this.requireUser(userId) : undefined;
    if (card.kind === 'personal') return null;
    const ownAccount = card.userId === null && card.accountId !== null ? this.ledger.account(card.accountId) : undefined;
    if (ownAccount) {
      const { balanceMinor, pendingMinor } = balanceOf(ownAccount);
      if (balanceMinor < 0 || pendingMinor !== 0) {
        throw conflict('card_has_balance', 'Settle the card debt or its open hold before giving the card to a driver');
      }
      if (user && balanceMinor > 0) {
        this.ledger.transfer({
          debitAccountId: ownAccount.id,
          creditAccountId: user.accountId,
          amountMinor: balanceMinor,
          code: 'card_to_driver',
          reference: `card:${card.uid}`,
          reason: `card ${card.uid} given to driver ${user.id}`,
        });
      }
    }
    return user ? user.accountId : this.ledger.openBalanceAccount('card', `Card ${card.uid}`).id;
  }

  /** Looks a card up by a UID from an API path or a charger: as sent, then as the desk reader prints. */
  cardByAnyUid(raw: string): CardRow | undefined {
    const uid = normaliseUid(raw);
    const direct = isValidUid(uid) ? this.cardByUid(uid) : undefined;
    if (direct) return direct;
    const format = this.settings.get().cardReaderFormat;
    if (format === 'hex') return undefined;
    try {
      return this.cardByUid(uidFromReader(raw, format));
    } catch {
      return undefined;
    }
  }

  requireCard(rawUid: string): CardRow {
    const card = this.cardByAnyUid(rawUid);
    if (!card) throw notFound('card', rawUid);
    return card;
  }

  cardByUid(uid: string): CardRow | undefined {
    return this.cardByUidStatement.get({ uid });
  }

  cardsOfUser(userId: number): CardRow[] {
    return this.db.orm.select().from(schema.cards).where(eq(schema.cards.userId, userId)).orderBy(desc(schema.cards.id)).all();
  }

  cards(limit: number, beforeId?: number, filter: { userId?: number | undefined } = {}): CardRow[] {
    return this.db.orm
      .select()
      .from(schema.cards)
      .where(
        and(
          beforeId !== undefined ? lt(schema.cards.id, beforeId) : undefined,
          filter.userId !== undefined ? eq(schema.cards.userId, filter.userId) : undefined,
        ),
      )
      .orderBy(desc(schema.cards.id))
      .limit(limit)
      .all();
  }

  cardView(card: CardRow): CardView {
    const currency = this.settings.get().currency;
    const account = card.accountId !== null ? this.ledger.account(card.accountId) : undefined;
    const balance = account ? balanceOf(account) : undefined;
    return {
      uid: card.uid,
      kind: card.kind,
      status: card.status,
      userId: card.userId,
      accountId: card.accountId,
      balance: balance ? money(balance.balanceMinor, currency) : null,
      available: balance ? money(balance.availableMinor, currency) : null,
      expiresAt: card.expiresAt,
      allowedChargers: card.allowedChargersJson ? (JSON.parse(card.allowedChargersJson) as string[]) : null,
      maxConcurrentSessions: card.maxConcurrentSessions,
      label: card.label,
      createdAt: card.createdAt,
    };
  }

  // ---- unknown cards ----------------------------------------------------------------------------

  /**
   * Remembers an idTag a charger presented that matches no card, for staff to register. Only the
   * MAX_UNKNOWN_CARDS seen most recently are kept: a charger presenting endless made-up numbers
   * (broken, or in an attacker's hands) would otherwise grow the table, and the dashboard's query
   * of it, without end. A new one lets the oldest go.
   */
  async recordUnknownCard(uid: string, chargerId: string): Promise<void> {
    const now = nowIso();
    await this.db.write(() => {
      const { timesSeen } = this.recordUnknownStatement.get({ uid, now, chargerId })!;
      if (timesSeen === 1) this.forgetOldUnknownStatement.run();
    });
  }

  unknownCards(limit: number): UnknownCardRow[] {
    return this.db.orm.select().from(schema.unknownCards).orderBy(desc(schema.unknownCards.lastSeenAt)).limit(limit).all();
  }

  private phoneCountryCode(): string {
    return this.settings.get().phoneCountryCode;
  }

  private requirePhoneFree(phone: string, exceptId?: number): void {
    const existing = this.db.orm.select({ id: schema.drivers.id }).from(schema.drivers).where(eq(schema.drivers.phone, phone)).get();
    if (existing && existing.id !== exceptId) throw conflict('phone_taken', 'Another driver has this phone number');
  }
}

/** What the audit log keeps of a driver: never the PIN hash, only whether a PIN is set. */
function auditedDriver(driver: DriverRow): Record<string, unknown> {
  return { name: driver.name, phone: driver.phone, email: driver.email, notes: driver.notes, hasPin: driver.pinHash !== null };
}

/** What the audit log keeps of a card: everything staff can set on it. */
function auditedCard(card: CardRow): Record<string, unknown> {
  return {
    uid: card.uid,
    kind: card.kind,
    status: card.status,
    userId: card.userId,
    expiresAt: card.expiresAt,
    allowedChargers: card.allowedChargersJson ? (JSON.parse(card.allowedChargersJson) as string[]) : null,
    maxConcurrentSessions: card.maxConcurrentSessions,
    label: card.label,
  };
}
