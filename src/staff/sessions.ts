import crypto from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';
import { countAttempt, hashToken, nowIso, type AuditActor, type Reservation } from '../shared';
import { AuditLog } from './audit';
import { toStaffUser, type StaffUser } from './users';

/** A signed-in browser expires after this long without a request, and at the latest after a day. */
const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
const SESSION_MAX_MS = 24 * 60 * 60 * 1000;
/** lastSeenAt is written at most this often per session, to keep page views from writing every time. */
const TOUCH_INTERVAL_MS = 60 * 1000;

/** CONTRACT "Staff sign-in": after 5 failures further attempts are refused for 15 minutes. */
export const MAX_LOGIN_FAILURES = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

interface SignedIn {
  user: StaffUser;
  tokenHash: string;
}

/** Staff browser sessions kept in SQLite; the cookie holds a random token, the table its SHA-256. */
export class StaffSessionService {
  private readonly audit: AuditLog;

  constructor(private readonly db: Db) {
    this.audit = new AuditLog(db);
  }

  /** A new browser session of the user who just signed in, on the record as `staff.sign_in` in the same write. */
  async create(user: { id: number; userName: string }): Promise<string> {
    const userId = user.id;
    const token = crypto.randomBytes(32).toString('base64url');
    const now = new Date();
    await this.db.write(() => {
      // Expired sessions go at each sign-in, so the table stays small without a job of its own.
      this.db.orm.delete(schema.staffSessions).where(lt(schema.staffSessions.expiresAt, now.toISOString())).run();
      this.db.orm
        .insert(schema.staffSessions)
        .values({
          tokenHash: hashToken(token),
          userId,
          createdAt: now.toISOString(),
          lastSeenAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + SESSION_MAX_MS).toISOString(),
        })
        .run();
      this.audit.recordNow({ userId, name: user.userName }, { action: 'staff.sign_in', objectType: 'staff_user', objectId: userId });
    });
    return token;
  }

  /** The signed-in user of a cookie token, or undefined when unknown, idle too long, expired or disabled. */
  resolve(token: string): SignedIn | undefined {
    if (token.length < 20 || token.length > 100) return undefined;
    const tokenHash = hashToken(token);
    const now = Date.now();
    const row = this.db.orm
      .select({ session: schema.staffSessions, user: schema.staffUsers })
      .from(schema.staffSessions)
      .innerJoin(schema.staffUsers, eq(schema.staffUsers.id, schema.staffSessions.userId))
      .where(and(eq(schema.staffSessions.tokenHash, tokenHash), gt(schema.staffSessions.expiresAt, new Date(now).toISOString())))
      .get();
    if (!row || row.user.disabledAt !== null) return undefined;
    const lastSeenMs = Date.parse(row.session.lastSeenAt);
    if (now - lastSeenMs > SESSION_IDLE_MS) return undefined;
    if (now - lastSeenMs > TOUCH_INTERVAL_MS) {
      void this.db
        .write(() => this.db.orm.update(schema.staffSessions).set({ lastSeenAt: nowIso() }).where(eq(schema.staffSessions.tokenHash, tokenHash)).run())
        .catch(() => undefined);
    }
    return { user: toStaffUser(row.user), tokenHash };
  }

  async destroy(token: string): Promise<void> {
    await this.db.write(() => this.db.orm.delete(schema.staffSessions).where(eq(schema.staffSessions.tokenHash, hashToken(token))).run());
  }

  async pruneExpired(): Promise<number> {
    return this.db.write(() => this.db.orm.delete(schema.staffSessions).where(lt(schema.staffSessions.expiresAt, nowIso())).run().changes);
  }
}

/**
 * Per-user-name lockout state, persisted so a restart does not reset it. An attempt is counted
 * when it starts, in one write, before the slow hash (issue 13): guesses sent all at once are
 * counted one after the other like guesses sent one by one, and the one that takes the last try
 * sets the lockout for every attempt after it. A right password then clears the count.
 */
export class LoginThrottle {
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {
    this.audit = new AuditLog(db);
  }

  /** Seconds until this user name may try again, or 0. */
  retryAfterS(userName: string): number {
    const row = this.db.orm.select().from(schema.staffLoginFailures).where(eq(schema.staffLoginFailures.userName, normalise(userName))).get();
    if (!row?.lockedUntil) return 0;
    const remainingMs = Date.parse(row.lockedUntil) - this.clock();
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }

  /** Counts an attempt as failed until it proves otherwise; refused while the user name is locked. */
  reserve(userName: string): Promise<Reservation> {
    const key = normalise(userName);
    const now = this.clock();
    return this.db.write((): Reservation => {
      const row = this.db.orm.select().from(schema.staffLoginFailures).where(eq(schema.staffLoginFailures.userName, key)).get();
      const attempt = countAttempt(row, now, { maxFailures: MAX_LOGIN_FAILURES, lockoutMs: LOCKOUT_MS });
      if (!attempt.ok) return attempt;
      const { failures, lockedUntil } = attempt;
      const values = { userName: key, failures, lastFailedAt: new Date(now).toISOString(), lockedUntil };
      this.db.orm
        .insert(schema.staffLoginFailures)
        .values(values)
        .onConflictDoUpdate({ target: schema.staffLoginFailures.userName, set: { failures, lastFailedAt: values.lastFailedAt, lockedUntil } })
        .run();
      return { ok: true, attemptsLeft: attempt.attemptsLeft };
    });
  }

  /** A failed attempt counted without a password check (tests, and callers that refuse before hashing). */
  async recordFailure(userName: string): Promise<void> {
    await this.reserve(userName);
  }

  async clear(userName: string): Promise<void> {
    await this.db.write(() => this.db.orm.delete(schema.staffLoginFailures).where(eq(schema.staffLoginFailures.userName, normalise(userName))).run());
  }

  /** An admin ends a lockout early (the user rang), without changing the password; on the record in the same write. */
  async unlock(user: { id: number; userName: string }, actor: AuditActor): Promise<void> {
    await this.db.write(() => {
      this.db.orm.delete(schema.staffLoginFailures).where(eq(schema.staffLoginFailures.userName, normalise(user.userName))).run();
      this.audit.recordNow(actor, { action: 'staff.unlock', objectType: 'staff_user', objectId: user.id });
    });
  }
}

function normalise(userName: string): string {
  return userName.trim().toLowerCase().slice(0, 100);
}
