import type { CostBreakdown } from './cost';

/** The priced parts of a session, in the order a receipt lists them. */
const COST_PARTS = ['energy', 'time', 'sessionFee', 'idle'] as const;
type CostPart = (typeof COST_PARTS)[number];

interface CostLine {
  part: CostPart;
  amountMinor: number;
}

/** A session's price as people read it: one line per part in money, adding up to the total billed. */
export interface CostLines {
  lines: CostLine[];
  totalMinor: number;
  energyWh: number;
  durationS: number;
  billableIdleS: number;
}

/** "n/d" or "n" → [n, d]; undefined for anything else. */
function fractionOf(text: unknown): [bigint, bigint] | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{1,60})(?:\/([1-9]\d{0,60}))?$/.exec(text);
  return match ? [BigInt(match[1]!), BigInt(match[2] ?? '1')] : undefined;
}

/**
 * The stored breakdown of a priced session (exact parts, one rounding for the total) as lines in
 * whole minor units. Each part is floored and the minor units the total's rounding adds go to the
 * parts with the largest remainders, so the lines always add up to the total that was billed
 * (CONTRACT: the total is never a rounded sum of rounded parts; the lines are only its display).
 * Undefined for a breakdown that is missing or unreadable.
 */
export function costLines(breakdownJson: string | null | undefined): CostLines | undefined {
  if (!breakdownJson) return undefined;
  let breakdown: Partial<CostBreakdown>;
  try {
    breakdown = JSON.parse(breakdownJson) as Partial<CostBreakdown>;
  } catch {
    return undefined;
  }
  const totalMinor = breakdown.totalMinor;
  if (typeof totalMinor !== 'number' || !Number.isSafeInteger(totalMinor) || totalMinor < 0) return undefined;
  const parts = COST_PARTS.map((part) => ({ part, fraction: fractionOf(breakdown[part]) }));
  if (parts.some((entry) => entry.fraction === undefined)) return undefined;
  const floored = parts.map(({ part, fraction }) => {
    const [numerator, denominator] = fraction!;
    return { part, amountMinor: numerator / denominator, remainder: Number(((numerator % denominator) * 1_000_000n) / denominator) };
  });
  let leftMinor = BigInt(totalMinor) - floored.reduce((sum, line) => sum + line.amountMinor, 0n);
  if (leftMinor < 0n || leftMinor > BigInt(floored.length)) return undefined;
  for (const line of [...floored].sort((a, b) => b.remainder - a.remainder)) {
    if (leftMinor === 0n) break;
    line.amountMinor += 1n;
    leftMinor -= 1n;
  }
  return {
    lines: floored.map(({ part, amountMinor }) => ({ part, amountMinor: Number(amountMinor) })),
    totalMinor,
    energyWh: typeof breakdown.energyWh === 'number' ? breakdown.energyWh : 0,
    durationS: typeof breakdown.durationS === 'number' ? breakdown.durationS : 0,
    billableIdleS: typeof breakdown.billableIdleS === 'number' ? breakdown.billableIdleS : 0,
  };
}
