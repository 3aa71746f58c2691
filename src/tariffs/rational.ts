import { assert } from '../shared';

/**
 * An exact non-negative-or-negative rational number n/d with BigInt parts, kept in lowest terms.
 * Tariff sums are built from these so that nothing is rounded before the single final rounding.
 */
export class Rational {
  private constructor(
    readonly numerator: bigint,
    readonly denominator: bigint,
  ) {}

  static readonly ZERO = new Rational(0n, 1n);

  static of(numerator: bigint | number, denominator: bigint | number = 1n): Rational {
    const n = BigInt(numerator);
    const d = BigInt(denominator);
    assert(d !== 0n, 'a rational has a non-zero denominator');
    const sign = d < 0n ? -1n : 1n;
    const divisor = gcd(abs(n), abs(d));
    return new Rational((sign * n) / divisor, (sign * d) / divisor);
  }

  plus(other: Rational): Rational {
    return Rational.of(this.numerator * other.denominator + other.numerator * this.denominator, this.denominator * other.denominator);
  }

  /** Rounds half up (away from zero for the non-negative sums billing produces). */
  roundHalfUp(): bigint {
    assert(this.numerator >= 0n, 'only non-negative amounts are rounded');
    return (2n * this.numerator + this.denominator) / (2n * this.denominator);
  }

  toString(): string {
    return this.denominator === 1n ? this.numerator.toString() : `${this.numerator}/${this.denominator}`;
  }
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}
