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
/** Readings are kept as the largest offset per minute of arrival: a backlog cannot push out a live reading. */
const BUCKET_MS = 60_000;
/** Chargers tracked at most. */
const MAX_CHARGERS = 10_000;

export class ChargerClocks {
  /** Per charger: minute of arrival → the largest offset (charger − appliance) that minute. */
  private readonly readings = new Map<string, Map<number, number>>();

  /** A message the charger stamped `stampedAtMs` (its clock) arrived at `receivedAtMs` (the appliance's). */
  record(chargerId: string, stampedAtMs: number, receivedAtMs: number): void {
    let buckets = this.readings.get(chargerId);
    if (!buckets) {
      if (this.readings.size >= MAX_CHARGERS) return;
      buckets = new Map();
      this.readings.set(chargerId, buckets);
    }
    const bucket = Math.floor(receivedAtMs / BUCKET_MS);
    const offsetMs = stampedAtMs - receivedAtMs;
    const largest = buckets.get(bucket);
    if (largest === undefined || offsetMs > largest) buckets.set(bucket, offsetMs);
    for (const old of buckets.keys()) if ((bucket - old) * BUCKET_MS > WINDOW_MS) buckets.delete(old);
  }

  /**
   * How far behind the appliance the charger's clock is at most, from its readings of the last
   * minutes (0 when it is not behind, or nothing is known).
   */
  behindMs(chargerId: string, nowMs: number): number {
    const buckets = this.readings.get(chargerId);
    if (!buckets) return 0;
    const nowBucket = Math.floor(nowMs / BUCKET_MS);
    let largest = Number.NEGATIVE_INFINITY;
    for (const [bucket, offsetMs] of buckets) if ((nowBucket - bucket) * BUCKET_MS < WINDOW_MS && offsetMs > largest) largest = offsetMs;
    return largest === Number.NEGATIVE_INFINITY ? 0 : Math.max(0, -largest);
  }

  forget(chargerId: string): void {
    this.readings.delete(chargerId);
  }
}
