import type { ActiveSession } from './ports';

/**
 * What each running session draws, from its MeterValues: the Power.Active.Import the charger
 * reports, or, when it sends none, the rise of its energy register over the time between two
 * readings (the charger's timestamps). Kept in memory per session; a restart starts with none,
 * which counts as "may use its maximum" until the next reading.
 */
export interface DrawReading {
  drawW: number;
  /** The limit in force when the reading arrived (see estimateDemandW). */
  limitAtReadingW: number;
  atMs: number;
}

interface RegisterReading {
  registerWh: number;
  atMs: number;
}

/** Two register readings closer than this give no trustworthy average power. */
const MIN_REGISTER_INTERVAL_MS = 10_000;
/** More than this between two readings: the average says little about now. */
const MAX_REGISTER_INTERVAL_MS = 15 * 60_000;
/** Sessions tracked at most (a bound on memory whatever chargers send). */
const MAX_TRACKED_SESSIONS = 20_000;

/** What is known of one session's draw. */
interface SessionDraw {
  reading?: DrawReading;
  register?: RegisterReading;
  /** The draw it had when the allocation was last computed. */
  atRecomputeW?: number;
}

export class DrawTracker {
  private readonly sessions = new Map<number, SessionDraw>();

  /**
   * Takes a reading; returns the draw when one could be judged. `powerW` is the reported power,
   * `registerWh`/`registerAtMs` the energy register with the charger's timestamp.
   */
  record(
    session: ActiveSession,
    reading: { powerW: number | undefined; registerWh: number | undefined; registerAtMs: number | undefined },
    /** The lowest limit the connector may have been under when measured (see estimateDemandW). */
    limitW: number,
    nowMs: number,
  ): number | undefined {
    let entry = this.sessions.get(session.id);
    if (!entry) {
      if (this.sessions.size >= MAX_TRACKED_SESSIONS) return reading.powerW;
      entry = {};
      this.sessions.set(session.id, entry);
    }
    let drawW = reading.powerW;
    if (reading.registerWh !== undefined && reading.registerAtMs !== undefined) {
      const previous = entry.register;
      const elapsedMs = previous ? reading.registerAtMs - previous.atMs : 0;
      if (drawW === undefined && previous && elapsedMs >= MIN_REGISTER_INTERVAL_MS && elapsedMs <= MAX_REGISTER_INTERVAL_MS && reading.registerWh >= previous.registerWh) {
        drawW = Math.round(((reading.registerWh - previous.registerWh) * 3_600_000) / elapsedMs);
      }
      if (!previous || elapsedMs >= MIN_REGISTER_INTERVAL_MS || elapsedMs < 0) entry.register = { registerWh: reading.registerWh, atMs: reading.registerAtMs };
    }
    if (drawW === undefined) return undefined;
    entry.reading = { drawW, limitAtReadingW: limitW, atMs: nowMs };
    return drawW;
  }

  /** What the running sessions draw together, as last measured. */
  totalW(): number {
    let totalW = 0;
    for (const entry of this.sessions.values()) totalW += entry.reading?.drawW ?? 0;
    return totalW;
  }

  reading(sessionId: number): DrawReading | undefined {
    return this.sessions.get(sessionId)?.reading;
  }

  /** True when the draw moved by at least `materialW` since the allocation was last computed. */
  changedMaterially(sessionId: number, materialW: number): boolean {
    const entry = this.sessions.get(sessionId);
    if (!entry?.reading) return false;
    return entry.atRecomputeW === undefined || Math.abs(entry.reading.drawW - entry.atRecomputeW) >= materialW;
  }

  markRecomputed(sessionIds: Iterable<number>): void {
    for (const sessionId of sessionIds) {
      const entry = this.sessions.get(sessionId);
      if (entry?.reading) entry.atRecomputeW = entry.reading.drawW;
    }
  }

  /** Forgets sessions that no longer run. */
  retain(activeIds: ReadonlySet<number>): void {
    for (const sessionId of this.sessions.keys()) if (!activeIds.has(sessionId)) this.sessions.delete(sessionId);
  }

  forget(sessionId: number): void {
    this.sessions.delete(sessionId);
  }
}
