/**
 * Assertions guard against programmer errors (TigerBeetle style): when one fails the code is wrong,
 * not the input, so it throws an ordinary Error that must never be turned into a 4xx.
 */
class AssertionError extends Error {
  constructor(message: string) {
    super(`Assertion failed: ${message}`);
    this.name = 'AssertionError';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
