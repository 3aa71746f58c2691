import { constantTimeEqual, HASHING_BUSY, hashToken, verifySecret, type HashingLimiter } from '../shared';

/** After this many wrong passwords from one address within the window, that address is answered 429. */
export const AUTH_FAILURES_BEFORE_THROTTLE = 5;
const AUTH_FAILURE_WINDOW_MS = 60_000;
/** CONTRACT "OCPP endpoint": a charger with the right password is never refused for more than 30 s. */
export const AUTH_THROTTLE_MS = 30_000;
const AUTH_TRACKED_MAX = 10_000;
/** Password checks one charge point identity, or one address, may have running or waiting at once. */
export const AUTH_CHECKS_IN_FLIGHT_MAX = 4;

export type PasswordVerdict = 'ok' | 'wrong' | 'throttled';

interface FailureCount {
  count: number;
  windowStartMs: number;
  blockedUntilMs: number;
}

/**
 * Security profile 1/2 password checks at the upgrade (issue 13).
 * - A password this identity proved since the appliance started is recognised by its SHA-256,
 *   before any throttle: however many wrong guesses others send, the real charger gets in.
 * - Wrong guesses are counted per identity and source address, when they start (before the slow
 *   hash), so guesses sent at once get no more tries than one by one; five lock that address out
 *   for 30 s, and never the charger that connects from its own address with the right password.
 * - Hashing is capped per identity and per address (HashingLimiter), so a flood burns no CPU.
 */
export class ChargerAuthenticator {
  private readonly failures = new Map<string, FailureCount>();
  /**
   * SHA-256 of the last password verified per charger, with the stored hash it matched:
   * reconnect storms need no scrypt each, and it counts only while that hash is still the
   * charger's, so no password change (committed, rolled back, or racing a check) leaves an old
   * password accepted.
   */
  private readonly verifiedPasswords = new Map<string, { digest: string; passwordHash: string }>();

  constructor(
    private readonly limiter: HashingLimiter,
    private readonly clock: () => number = Date.now,
  ) {}

  async verify(chargerId: string, passwordHash: string, password: string, address: string): Promise<PasswordVerdict> {
    const digest = hashToken(password);
    const known = this.verifiedPasswords.get(chargerId);
    if (known !== undefined && known.passwordHash === passwordHash && constantTimeEqual(known.digest, digest)) return 'ok';
    const source = `${chargerId}\n${address}`;
    const keys = [
      { key: `charger:${chargerId}`, maxInFlight: AUTH_CHECKS_IN_FLIGHT_MAX },
      { key: `address:${address}`, maxInFlight: AUTH_CHECKS_IN_FLIGHT_MAX },
    ];
    const verdict = await this.limiter.run(keys, async (hash): Promise<PasswordVerdict> => {
      if (!this.reserve(source)) return 'throttled';
      const ok = await hash(() => verifySecret(password, passwordHash));
      if (!ok) return 'wrong';
      this.failures.delete(source);
      this.verifiedPasswords.set(chargerId, { digest, passwordHash });
      return 'ok';
    });
    return verdict === HASHING_BUSY ? 'throttled' : verdict;
  }

  /** The charger's password changed or it is gone: the one it proved before counts no more. */
  forget(chargerId: string): void {
    this.verifiedPasswords.delete(chargerId);
  }

  /** Counts an attempt as failed until it proves otherwise; false while the source is throttled. */
  private reserve(source: string): boolean {
    const nowMs = this.clock();
    let entry = this.failures.get(source);
    if (entry && entry.blockedUntilMs > nowMs) return false;
    if (!entry || nowMs - entry.windowStartMs > AUTH_FAILURE_WINDOW_MS || entry.blockedUntilMs !== 0) {
      entry = { count: 0, windowStartMs: nowMs, blockedUntilMs: 0 };
      this.failures.delete(source);
      if (this.failures.size >= AUTH_TRACKED_MAX) {
        const oldest = this.failures.keys().next().value;
        if (oldest !== undefined) this.failures.delete(oldest);
      }
      this.failures.set(source, entry);
    }
    entry.count++;
    // The attempt that takes the last try is still checked; every later one waits out the block.
    if (entry.count >= AUTH_FAILURES_BEFORE_THROTTLE) entry.blockedUntilMs = nowMs + AUTH_THROTTLE_MS;
    return true;
  }
}
