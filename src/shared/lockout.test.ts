import { countAttempt } from './lockout';

const RULE = { maxFailures: 5, lockoutMs: 15 * 60 * 1000 };
const NOW_MS = Date.parse('2026-12-05T12:00:00.000Z');

describe('countAttempt', () => {
  test('the first attempt is counted as a failure with four tries left after it', () => {
    expect(countAttempt(undefined, NOW_MS, RULE)).toEqual({ ok: true, attemptsLeft: 4, failures: 1, lockedUntil: null });
  });

  test('the attempt that takes the last try sets the lockout for 15 minutes', () => {
    expect(countAttempt({ failures: 4, lockedUntil: null }, NOW_MS, RULE)).toEqual({ ok: true, attemptsLeft: 0, failures: 5, lockedUntil: '2026-12-05T12:15:00.000Z' });
  });

  test('while locked every attempt is refused with the seconds left, rounded up', () => {
    expect(countAttempt({ failures: 5, lockedUntil: '2026-12-05T12:10:00.500Z' }, NOW_MS, RULE)).toEqual({ ok: false, retryAfterS: 601 });
  });

  test('a lockout that has run out starts a fresh count', () => {
    expect(countAttempt({ failures: 5, lockedUntil: '2026-12-05T11:59:59.999Z' }, NOW_MS, RULE)).toEqual({ ok: true, attemptsLeft: 4, failures: 1, lockedUntil: null });
  });
});
