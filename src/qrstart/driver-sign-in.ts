import crypto from 'node:crypto';
import { and, count, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';
import type { DriverRow, DriverService } from '../drivers';
import { AppError, badRequest, countAttempt, HASHING_BUSY, hashToken, nowIso, type AuditActor, type HashingLimiter, type RecordAudit, type Reservation } from '../shared';

/** A driver's sign-in lasts on that phone: a driver stays signed in for half a year unless they sign out. */
export const DRIVER_SESSION_MS = 180 * 24 * 60 * 60 * 1000;
/** After this many wrong PINs for one phone number, sign-in is refused for LOCKOUT_MS. */
const MAX_PIN_FAILURES = 5;
const PIN_LOCKOUT_MS = 15 * 60 * 1000;

/** PIN checks one address may have running or waiting at once, whatever phone numbers it tries. */
const PIN_CHECKS_PER_ADDRESS = 4;

/** Who the audit log names for a walk-in driver's own registration on the QR page. */
const SELF_REGISTRATION: AuditActor = { userId: null, name: 'qr-page' };

export type SignInOutcome =
  | { ok: true; user: DriverRow; token: string; registered?: true }
  | { ok: false; reason: 'wrong_pin'; attemptsLeft: number }
  | { ok: false; reason: 'locked'; retryAfterS: number }
  /** Too many PIN checks in flight for this number or address: nothing was counted or checked. */
  | { ok: false; reason: 'busy' };

/**
 * Driver sign-in on the QR page: phone + PIN, a lockout per phone number after repeated failures
 * (persisted, so a restart does not reset it), and long-lived sign-ins kept apart from staff ones.
 * CONTRACT: the lockout counts attempts made at the same time. Each attempt is counted in one
 * write before its PIN is hashed, and hashing is capped per number and per address, so guesses
 * sent at once get no more tries than guesses sent one by one.
 */
export class DriverSignInService {
  constructor(
    private readonly db: Db,
    private readonly drivers: DriverService,
    private readonly limiter: HashingLimiter,
    /** The audit log: staff ending a driver's sign-ins is on the record in the same write. */
    private readonly audit: RecordAudit,
    private readonly clock: () => number = Date.now,
  ) {}

  async signIn(rawPhone: string, pin: string, address: string): Promise<SignInOutcome> {
    // Unknown phones are counted too, under the number in E.164 (every way of writing it locks
    // together), so a lockout reveals nothing about who is registered.
    const key = this.drivers.normalisePhone(rawPhone) ?? lockoutKey(rawPhone);
    const keys = [
      { key: `phone:${key}`, maxInFlight: MAX_PIN_FAILURES },
      { key: `address:${address}`, maxInFlight: PIN_CHECKS_PER_ADDRESS },
    ];
    const outcome = await this.limiter.run(keys, async (hash): Promise<SignInOutcome> => {
      const reserved = await this.reserve(key);
      if (!reserved.ok) return { ok: false, reason: 'locked', retryAfterS: reserved.retryAfterS };
      const user = /^\d{4,8}$/.test(pin) ? await hash(() => this.drivers.verifyPin(rawPhone, pin)) : undefined;
      if (!user) {
        if (reserved.attemptsLeft === 0) return { ok: false, reason: 'locked', retryAfterS: Math.ceil(PIN_LOCKOUT_MS / 1000) };
        return { ok: false, reason: 'wrong_pin', attemptsLeft: reserved.attemptsLeft };
      }
      const token = await this.db.write(() => {
        this.db.orm.delete(schema.driverSignInFailures).where(eq(schema.driverSignInFailures.phone, key)).run();
        return this.newSignInWithin(user);
      });
      return { ok: true, user, token };
    });
    return outcome === HASHING_BUSY ? { ok: false, reason: 'busy' } : outcome;
  }

  /**
   * "New here?" on the QR page (CONTRACT: a driver with no account registers with name, phone and
   * PIN and is signed in at once): the rules of `POST /users`, with the PIN required. A number
   * that is registered already is answered as the sign-in answers it, in the same lockout: its
   * own PIN signs in, another PIN is a wrong PIN. So this form tells nothing the sign-in does not,
   * and trying a number that is free registers it (staff see every such driver).
   */
  async register(input: { name: string; phone: string; pin: string }, address: string): Promise<SignInOutcome> {
    if (!/^\d{4,8}$/.test(input.pin)) throw badRequest('invalid_request', 'pin: must be 4–8 digits', { field: 'pin' });
    let user: DriverRow;
    try {
      user = await this.drivers.createUser({ name: input.name, phone: input.phone, pin: input.pin }, SELF_REGISTRATION);
    } catch (error) {
      if (error instanceof AppError && error.code === 'phone_taken') return this.signIn(input.phone, input.pin, address);
      throw error;
    }
    const token = await this.db.write(() => this.newSignInWithin(user));
    return { ok: true, user, token, registered: true };
  }

  /**
   * The driver a cookie token belongs to, or undefined when unknown, expired, or made against a PIN
   * the driver no longer has (CONTRACT `/users`: changing or removing the PIN ends all sign-ins).
   */
  resolve(token: string): DriverRow | undefined {
    if (token.length < 20 || token.length > 100) return undefined;
    const row = this.db.orm
      .select({ userId: schema.driverWebSessions.userId, pinFingerprint: schema.driverWebSessions.pinFingerprint })
      .from(schema.driverWebSessions)
      .where(and(eq(schema.driverWebSessions.tokenHash, hashToken(token)), gt(schema.driverWebSessions.expiresAt, new Date(this.clock()).toISOString())))
      .get();
    const user = row ? this.drivers.user(row.userId) : undefined;
    return user && row?.pinFingerprint != null && row.pinFingerprint === pinFingerprint(user) ? user : undefined;
  }

  /** Sign-ins of a driver that still hold (the driver page shows on how many phones). */
  activeSignIns(userId: number): number {
    const user = this.drivers.user(userId);
    if (!user) return 0;
    const fingerprint = pinFingerprint(user);
    if (fingerprint === null) return 0;
    const row = this.db.orm
      .select({ held: count() })
      .from(schema.driverWebSessions)
      .where(
        and(
          eq(schema.driverWebSessions.userId, userId),
          eq(schema.driverWebSessions.pinFingerprint, fingerprint),
          gt(schema.driverWebSessions.expiresAt, new Date(this.clock()).toISOString()),
        ),
      )
      .get();
    return row?.held ?? 0;
  }

  /**
   * "Sign out everywhere" (a lost or shared phone): ends every QR-page sign-in of the driver in one
   * write; the PIN stays, so the driver signs in again with it. Answers how many were ended.
   */
  async signOutEverywhere(userId: number, actor: AuditActor): Promise<number> {
    return this.db.write(() => {
      const ended = this.db.orm.delete(schema.driverWebSessions).where(eq(schema.driverWebSessions.userId, userId)).run().changes;
      this.audit(actor, { action: 'driver.sign_out_everywhere', objectType: 'driver', objectId: userId, after: { signInsEnded: ended } });
      return ended;
    });
  }

  async signOut(token: string): Promise<void> {
    await this.db.write(() => this.db.orm.delete(schema.driverWebSessions).where(eq(schema.driverWebSessions.tokenHash, hashToken(token))).run());
  }

  async pruneExpired(): Promise<number> {
    return this.db.write(() => this.db.orm.delete(schema.driverWebSessions).where(lt(schema.driverWebSessions.expiresAt, nowIso())).run().changes);
  }

  /**
   * A new sign-in of this driver on a phone, inside the caller's write: the cookie's token (only
   * its hash is stored), bound to the PIN the driver proved.
   */
  private newSignInWithin(user: DriverRow): string {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = this.clock();
    this.db.orm
      .insert(schema.driverWebSessions)
      .values({ tokenHash: hashToken(token), userId: user.id, pinFingerprint: pinFingerprint(user), createdAt: new Date(now).toISOString(), expiresAt: new Date(now + DRIVER_SESSION_MS).toISOString() })
      .run();
    return token;
  }

  /**
   * Counts an attempt as failed until its PIN proves otherwise; refused while the number is
   * locked. The attempt that takes the last try locks the number for every attempt after it.
   */
  private reserve(key: string): Promise<Reservation> {
    const now = this.clock();
    return this.db.write((): Reservation => {
      const row = this.db.orm.select().from(schema.driverSignInFailures).where(eq(schema.driverSignInFailures.phone, key)).get();
      const attempt = countAttempt(row, now, { maxFailures: MAX_PIN_FAILURES, lockoutMs: PIN_LOCKOUT_MS });
      if (!attempt.ok) return attempt;
      const { failures, lockedUntil } = attempt;
      const lastFailedAt = new Date(now).toISOString();
      this.db.orm
        .insert(schema.driverSignInFailures)
        .values({ phone: key, failures, lastFailedAt, lockedUntil })
        .onConflictDoUpdate({ target: schema.driverSignInFailures.phone, set: { failures, lastFailedAt, lockedUntil } })
        .run();
      return { ok: true, attemptsLeft: attempt.attemptsLeft };
    });
  }
}

/**
 * What a sign-in remembers of the PIN it was made with: a digest of the driver's PIN hash (salted
 * anew at every change, so a new PIN, even the same digits, or no PIN no longer matches).
 */
function pinFingerprint(user: DriverRow): string | null {
  return user.pinHash === null ? null : hashToken(user.pinHash);
}

/** A phone that is no number, as typed without separators, bounded (a real number locks as its E.164 form). */
function lockoutKey(rawPhone: string): string {
  return rawPhone.replace(/[\s\-.()]/g, '').slice(0, 32);
}
