import { constantTimeEqual, hashToken, verifySecret } from '../shared';
import type { ChargerRow } from './repository';

/** After this many wrong passwords within the window an identity is answered 429 for a while. */
const AUTH_FAILURES_BEFORE_THROTTLE = 5;
const AUTH_FAILURE_WINDOW_MS = 60_000;
/** CONTRACT: a charger with the right password is never refused for more than 30 s. */
const AUTH_THROTTLE_MS = 30_000;
const AUTH_TRACKED_IDENTITIES_MAX = 10_000;

/**
 * Security profile 1 passwords at the upgrade: wrong ones throttle an identity for a while (429),
 * right ones are remembered so a reconnect storm needs no scrypt each (CONTRACT "OCPP endpoint").
 */
export class ChargerPasswords {
  private readonly authFailures = new Map<string, { count: number; windowStartMs: number; blockedUntilMs: number }>();
  /**
   * SHA-256 of the last password verified per charger, with the stored hash it matched: it counts
   * only while that hash is still the charger's, so no password change (committed, rolled back,
   * or racing a verification under way) can leave an old password accepted.
   */
  private readonly verifiedPasswords = new Map<string, { digest: string; passwordHash: string }>();

  isThrottled(id: string, nowMs: number): boolean {
    const failures = this.authFailures.get(id);
    return failures !== undefined && failures.blockedUntilMs > nowMs;
  }

  async verify(charger: Pick<ChargerRow, 'id' | 'passwordHash'>, password: string): Promise<boolean> {
    const digest = hashToken(password);
    const passwordHash = charger.passwordHash!;
    const cached = this.verifiedPasswords.get(charger.id);
    if (cached !== undefined && cached.passwordHash === passwordHash && constantTimeEqual(cached.digest, digest)) return true;
    const ok = await verifySecret(password, passwordHash);
    if (ok) this.verifiedPasswords.set(charger.id, { digest, passwordHash });
    return ok;
  }

  recordFailure(id: string, nowMs: number): void {
    let entry = this.authFailures.get(id);
    if (!entry || nowMs - entry.windowStartMs > AUTH_FAILURE_WINDOW_MS) {
      entry = { count: 0, windowStartMs: nowMs, blockedUntilMs: 0 };
      if (this.authFailures.size >= AUTH_TRACKED_IDENTITIES_MAX) {
        const oldest = this.authFailures.keys().next().value;
        if (oldest !== undefined) this.authFailures.delete(oldest);
      }
      this.authFailures.set(id, entry);
    }
    entry.count++;
    if (entry.count >= AUTH_FAILURES_BEFORE_THROTTLE) {
      entry.blockedUntilMs = nowMs + AUTH_THROTTLE_MS;
      entry.count = 0;
      entry.windowStartMs = nowMs;
    }
  }

  clearFailures(id: string): void {
    this.authFailures.delete(id);
  }

  /** A password changed or the charger went: the remembered one no longer counts. */
  forget(id: string): void {
    this.verifiedPasswords.delete(id);
  }
}
