import { timingSafeEqual } from 'node:crypto';
import { randomCode } from '../shared';

/** Letters and digits nobody misreads from a terminal (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 12;

/**
 * The code that lets the setup wizard be finished from another machine while no staff user exists
 * (issue 13: a fresh appliance on the LAN must not make its first visitor admin). It is made at
 * start, kept in memory only and printed in the appliance's own log, so only whoever started the
 * appliance (or reads its log) can give it; from the box itself (loopback) the wizard needs none.
 * 12 characters of 31 are 59 bits: not guessable through a rate-limited form.
 */
export class SetupCode {
  readonly value: string;

  constructor() {
    this.value = randomCode(ALPHABET, LENGTH);
  }

  /** For people: `ABCD-EFGH-JKMN`. */
  get grouped(): string {
    return this.value.match(/.{4}/g)!.join('-');
  }

  /** Whether `typed` is the code, whatever its case, spaces and dashes. */
  matches(typed: string): boolean {
    const normalized = Buffer.from(typed.toUpperCase().replace(/[\s-]/g, ''));
    const expected = Buffer.from(this.value);
    return normalized.length === expected.length && timingSafeEqual(normalized, expected);
  }
}
