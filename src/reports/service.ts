import { stringify } from 'csv-stringify/sync';
import { eq, ne } from 'drizzle-orm';
import type { BillingRepository } from '../billing';
import type { ChargerRepository } from '../chargers';
import type { Db, Statement } from '../db';
import { schema } from '../db';
import type { SessionHooks, SessionRepository, SessionRow } from '../sessions';
import type { SettingsService } from '../settings';
import type { TillService } from '../till';
import { addDays, defuseCell, localDate, minorToDecimalString, money, secondsBetween, startOfLocalDayUtc, type Money } from '../shared';

interface UsageTotals {
  sessions: number;
  chargingSeconds: number;
  energyWh: number;
  /** Money charged: prepaid sessions' costs (personal-card sessions count in energy and time only). */
  revenueMinor: number;
}

interface DailyReport {
  date: string;
  timeZone: string;
  currency: string;
  items: { chargerId: string; sessions: number; chargingSeconds: number; energyWh: number; revenue: Money }[];
  /** Money taken at the till that day, per method: top-ups made, refunds made, and what is left. */
  topups: { method: string; topups: number; amount: Money; refunded: Money; net: Money }[];
}

interface PeriodReport {
  from: string;
  to: string;
  timeZone: string;
  currency: string;
  items: { key: string; sessions: number; chargingSeconds: number; energyWh: number; revenue: Money }[];
}

/** Reports per charger per site-local day and per driver / card over a period (CONTRACT `/reports/daily`). */
export class ReportService {
  private readonly deleteRollupDay: Statement<unknown>;
  private readonly deleteRollups: Statement<unknown>;

  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    private readonly sessions: SessionRepository,
    /** Who paid for a session: only prepaid sessions' costs count as revenue. */
    private readonly billing: BillingRepository,
    private readonly chargers: ChargerRepository,
    /** Top-ups per method for the day (the till owns them). */
    private readonly till: Pick<TillService, 'totalsByMethod'>,
  ) {
    // Prepared once: every session that ends forgets its day's rollup, inside the stop's write.
    this.deleteRollupDay = db.prepare('DELETE FROM report_rollup_days WHERE date = @date');
    this.deleteRollups = db.prepare('DELETE FROM report_rollups WHERE date = @date');
    // Days shift with the zone: rollups made for another zone are forgotten.
    settings.onChange(() => void db.write(() => this.forgetRollupsNotIn(settings.get().timeZone)).catch(() => undefined));
  }

  /** A session completing on a rolled-up day (a charger catching up) makes that day live again, in the same transaction. */
  hooks(): SessionHooks {
    return {
      onCompleted: (session) => {
        if (session.stoppedAt) this.forgetRollup(localDate(session.stoppedAt, this.settings.get().timeZone));
      },
    };
  }

  daily(date: string): DailyReport {
    const { timeZone, currency } = this.settings.get();
    const perCharger = new Map<string, UsageTotals>();
    for (const id of this.chargers.acceptedIds()) perCharger.set(id, emptyTotals());
    for (const [chargerId, totals] of this.rolledUp(date, timeZone) ?? this.liveTotals(date, timeZone)) perCharger.set(chargerId, totals);
    const items = [...perCharger.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([chargerId, totals]) => ({ chargerId, ...withoutRevenue(totals), revenue: money(totals.revenueMinor, currency) }));
    const topups = this.till.totalsByMethod(startOfLocalDayUtc(date, timeZone), startOfLocalDayUtc(addDays(date, 1), timeZone)).map((totals) => ({
      method: totals.method,
      topups: totals.topups,
      amount: money(totals.amountMinor, currency),
      refunded: money(totals.refundedMinor, currency),
      net: money(totals.amountMinor - totals.refundedMinor, currency),
    }));
    return { date, timeZone, currency, items, topups };
  }

  /** Totals per charger of the sessions that ended on a site-local day, from the sessions table. */
  private liveTotals(date: string, timeZone: string): Map<string, UsageTotals> {
    const perCharger = new Map<string, UsageTotals>();
    for (const session of this.endedBetween(startOfLocalDayUtc(date, timeZone), startOfLocalDayUtc(addDays(date, 1), timeZone))) {
      const totals = perCharger.get(session.chargerId) ?? emptyTotals();
      add(totals, session);
      perCharger.set(session.chargerId, totals);
    }
    return perCharger;
  }

  private rolledUp(date: string, timeZone: string): Map<string, UsageTotals> | undefined {
    const day = this.db.orm.select().from(schema.reportRollupDays).where(eq(schema.reportRollupDays.date, date)).get();
    if (!day || day.timeZone !== timeZone) return undefined;
    const rows = this.db.orm.select().from(schema.reportRollups).where(eq(schema.reportRollups.date, date)).all();
    return new Map(rows.map((row) => [row.chargerId, { sessions: row.sessions, chargingSeconds: row.chargingSeconds, energyWh: row.energyWh, revenueMinor: row.revenueMinor }]));
  }

  /**
   * Stores the totals of a closed day, in one write. Today is never rolled up: it is still
   * changing. Returns whether the day was stored.
   */
  async rollUp(date: string, now: string): Promise<boolean> {
    const { timeZone } = this.settings.get();
    if (date >= localDate(now, timeZone)) return false;
    return this.db.write(() => {
      this.forgetRollup(date);
      for (const [chargerId, totals] of this.liveTotals(date, timeZone)) {
        this.db.orm.insert(schema.reportRollups).values({ date, chargerId, ...totals }).run();
      }
      this.db.orm.insert(schema.reportRollupDays).values({ date, timeZone, computedAt: now }).run();
      return true;
    });
  }

  isRolledUp(date: string): boolean {
    return this.rolledUp(date, this.settings.get().timeZone) !== undefined;
  }

  private forgetRollup(date: string): void {
    this.deleteRollupDay.run({ date });
    this.deleteRollups.run({ date });
  }

  private forgetRollupsNotIn(timeZone: string): void {
    const stale = this.db.orm.select({ date: schema.reportRollupDays.date }).from(schema.reportRollupDays).where(ne(schema.reportRollupDays.timeZone, timeZone)).all();
    for (const { date } of stale) this.forgetRollup(date);
  }

  dailyCsv(report: DailyReport): string {
    return stringify(
      report.items.map((item) => [
        report.date,
        defuseCell(item.chargerId),
        item.sessions,
        item.chargingSeconds,
        item.energyWh,
        minorToDecimalString(item.revenue.amount, report.currency),
        report.currency,
      ]),
      { header: true, columns: ['date', 'chargerId', 'sessions', 'chargingSeconds', 'energyWh', 'revenue', 'currency'] },
    );
  }

  /** Sessions that ended on the site-local days from `fromDate` to `toDate` inclusive, per driver or per card. */
  period(by: 'user' | 'card', fromDate: string, toDate: string): PeriodReport {
    const { timeZone, currency } = this.settings.get();
    const groups = new Map<string, UsageTotals>();
    for (const session of this.endedBetween(startOfLocalDayUtc(fromDate, timeZone), startOfLocalDayUtc(addDays(toDate, 1), timeZone))) {
      const key = by === 'user' ? session.userId : session.cardUid;
      if (key === null) continue;
      const totals = groups.get(String(key)) ?? emptyTotals();
      add(totals, session);
      groups.set(String(key), totals);
    }
    const items = [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, totals]) => ({ key, ...withoutRevenue(totals), revenue: money(totals.revenueMinor, currency) }));
    return { from: fromDate, to: toDate, timeZone, currency, items };
  }

  periodCsv(report: PeriodReport, keyColumn: 'userId' | 'cardUid'): string {
    return stringify(
      report.items.map((item) => [
        report.from,
        report.to,
        defuseCell(item.key),
        item.sessions,
        item.chargingSeconds,
        item.energyWh,
        minorToDecimalString(item.revenue.amount, report.currency),
        report.currency,
      ]),
      { header: true, columns: ['from', 'to', keyColumn, 'sessions', 'chargingSeconds', 'energyWh', 'revenue', 'currency'] },
    );
  }

  /** Completed sessions that ended in [fromIso, toIso), each with who paid for it. */
  private endedBetween(fromIso: string, toIso: string): EndedSession[] {
    const ended = this.sessions.endedBetween(fromIso, toIso);
    const payers = this.billing.payersOf(ended.map((session) => session.id));
    return ended.map((session) => ({ ...session, payer: payers.get(session.id) ?? null }));
  }
}

type EndedSession = SessionRow & { payer: string | null };

function emptyTotals(): UsageTotals {
  return { sessions: 0, chargingSeconds: 0, energyWh: 0, revenueMinor: 0 };
}

function add(totals: UsageTotals, session: EndedSession): void {
  totals.sessions += 1;
  totals.chargingSeconds += secondsBetween(session.startedAt, session.stoppedAt ?? session.startedAt);
  totals.energyWh += session.energyWh ?? 0;
  if (session.payer === 'prepaid') totals.revenueMinor += session.costMinor ?? 0;
}

function withoutRevenue(totals: UsageTotals) {
  return { sessions: totals.sessions, chargingSeconds: totals.chargingSeconds, energyWh: totals.energyWh };
}
