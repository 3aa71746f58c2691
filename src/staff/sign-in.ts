import { HASHING_BUSY, type HashingLimiter } from '../shared';
import { MAX_LOGIN_FAILURES, type LoginThrottle } from './sessions';
import type { StaffUser, StaffUserService } from './users';

/** Password checks one address may have running or waiting at once, whatever user names it tries. */
export const SIGN_IN_CHECKS_PER_ADDRESS = 4;

export type PasswordCheck =
  | { ok: true; user: StaffUser }
  | { ok: false; reason: 'wrong'; attemptsLeft: number }
  | { ok: false; reason: 'locked'; retryAfterS: number }
  /** Too many checks in flight for this user name or address: nothing was counted or checked. */
  | { ok: false; reason: 'busy' };

/**
 * A staff password check for the sign-in and for "change my password" (CONTRACT "Staff sign-in":
 * 5 failures lock the user name for 15 minutes, counting attempts made at the same time). The
 * attempt is counted before the slow hash, and the hashes of one user name or one address are
 * capped, so sending guesses at once gets no more tries and costs no more CPU than one by one.
 */
export class StaffPasswordCheck {
  constructor(
    private readonly users: StaffUserService,
    private readonly throttle: LoginThrottle,
    private readonly limiter: HashingLimiter,
  ) {}

  async check(userName: string, password: string, address: string): Promise<PasswordCheck> {
    const name = userName.trim().toLowerCase().slice(0, 100);
    const keys = [
      { key: `staff:${name}`, maxInFlight: MAX_LOGIN_FAILURES },
      { key: `address:${address}`, maxInFlight: SIGN_IN_CHECKS_PER_ADDRESS },
    ];
    const outcome = await this.limiter.run(keys, async (hash): Promise<PasswordCheck> => {
      const reserved = await this.throttle.reserve(name);
      if (!reserved.ok) return { ok: false, reason: 'locked', retryAfterS: reserved.retryAfterS };
      const user = await hash(() => this.users.checkPassword(name, password));
      if (!user) return { ok: false, reason: 'wrong', attemptsLeft: reserved.attemptsLeft };
      await this.throttle.clear(name);
      return { ok: true, user };
    });
    return outcome === HASHING_BUSY ? { ok: false, reason: 'busy' } : outcome;
  }
}
