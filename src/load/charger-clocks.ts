/**
 * How far each charger's clock is off the appliance's, judged from the timestamps of its
 * MeterValues against when they arrived. A TxProfile that falls back by itself is Absolute, read
 * by the charger's clock: one behind by more than the allowed skew would keep its limit that much
 * longer while the appliance is away, so its schedule starts that much earlier.
 *
 * A message stamped when measured and sent later only looks further behind (never ahead), so the
 * best estimate is the largest offset seen lately: a reading replayed hours late after an outage
 * does not make a charger look hours behind while a live one is in the window.
 */

/** Readings older than this (by arrival) are forgotten: a charger's clock may be set meanwhile. */
const WINDOW_MS = 5 * 60_000;
/** Readings kept per charger at most (a bound on memory whatever a charger sends). */
const MAX_READINGS = 32;
/** Chargers tracked at most. */
const MAX_CHARGERS = 10_000;

interface OffsetReading {
  offsetMs: number;
  receivedAtMs: number;
}

export class ChargerClocks {
  private readonly readings = new Map<string, OffsetReading[]>();

  /** A message the charger stamped `stampedAtMs` (its clock) arrived at `receivedAtMs` (the appliance's). */
  record(chargerId: string, stampedAtMs: number, receivedAtMs: number): void {
    let list = this.readings.get(chargerId);
    if (!list) {
      if (this.readings.size >= MAX_CHARGERS) return;
      list = [];
      this.readings.set(chargerId, list);
    }
    list.push({ offsetMs: stampedAtMs - receivedAtMs, receivedAtMs });
    if (list.length > MAX_READINGS) list.shift();
  }

  /**
   * How far behind the appliance the charger's clock is at most, from its readings of the last
   * minutes (0 when it is not behind, or nothing is known).
   */
  behindMs(chargerId: string, nowMs: number): number {
    const list = this.readings.get(chargerId)?.filter((reading) => nowMs - reading.receivedAtMs < WINDOW_MS) ?? [];
    if (list.length === 0) return 0;
    return Math.max(0, -Math.max(...list.map((reading) => reading.offsetMs)));
  }

  forget(chargerId: string): void {
    this.readings.delete(chargerId);
  }
}
