/** A sign-in attempt counted before its secret is checked: go ahead (with the tries left after it), or locked for a while. */
export type Reservation = { ok: true; attemptsLeft: number } | { ok: false; retryAfterS: number };

/** How many failures lock an identity, and for how long (CONTRACT: staff and QR PIN, 5 failures, 15 minutes). */
export interface LockoutRule {
  maxFailures: number;
  lockoutMs: number;
}

/** The persisted count of one identity (a staff user name, a driver's phone number). */
export interface FailureCount {
  failures: number;
  lockedUntil: string | null;
}

/**
 * The lockout decision for one more attempt, counted as failed until its secret proves otherwise
 * (CONTRACT "Sign-in lockouts": attempts made at the same time are counted one after another).
 * Refused while the identity is locked; otherwise the count to store with this attempt: a
 * lockout that has run out starts a fresh count, and the attempt that takes the last try sets
 * the lockout for every attempt after it.
 */
export function countAttempt(previous: FailureCount | undefined, nowMs: number, rule: LockoutRule): { ok: false; retryAfterS: number } | ({ ok: true; attemptsLeft: number } & FailureCount) {
  const lockedUntilMs = previous?.lockedUntil != null ? Date.parse(previous.lockedUntil) : undefined;
  if (lockedUntilMs !== undefined && lockedUntilMs > nowMs) return { ok: false, retryAfterS: Math.ceil((lockedUntilMs - nowMs) / 1000) };
  const failures = (previous && lockedUntilMs === undefined ? previous.failures : 0) + 1;
  const lockedUntil = failures >= rule.maxFailures ? new Date(nowMs + rule.lockoutMs).toISOString() : null;
  return { ok: true, attemptsLeft: rule.maxFailures - failures, failures, lockedUntil };
}
