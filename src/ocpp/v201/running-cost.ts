import type { SessionRow } from '../../sessions';
import type { SettingsService } from '../../settings';
import { minorToDecimalString } from '../../shared';
import type { OcppConnection } from '../connection';
import { callV201 } from './calls';
import type { V201Repository } from './repository';

/** The running cost of an active session in minor units, or undefined when it is not priced. */
export type RunningCostProvider = (sessionId: number) => number | undefined;

/** How long a station gets to acknowledge CostUpdated; nothing waits on it. */
const COST_UPDATED_TIMEOUT_MS = 30_000;
/** Bound on the sessions whose last shown cost is remembered (ended sessions are forgotten). */
const TRACKED_SESSIONS_MAX = 10_000;

/**
 * I02.FR.01: while a priced session runs, the station is told its running cost with CostUpdated each
 * time billing's figure changes. Billing stays the one that prices; this only passes it on.
 * A station that reported TariffCostCtrlr.Enabled[Cost] = false is not sent anything.
 */
export class RunningCostNotifier {
  private readonly lastShownMinor = new Map<number, number>();

  constructor(
    private readonly repository: V201Repository,
    private readonly settings: SettingsService,
    private readonly runningCostOf: RunningCostProvider,
  ) {}

  afterEvent(connection: OcppConnection, session: SessionRow | undefined): void {
    if (!session) return;
    if (session.status !== 'active') {
      this.lastShownMinor.delete(session.id);
      return;
    }
    const costMinor = this.runningCostOf(session.id);
    const shownMinor = this.lastShownMinor.get(session.id) ?? 0;
    if (costMinor === undefined || costMinor === shownMinor || session.transactionId === null) return;
    if (this.repository.stationVariable(connection.chargerId, 'TariffCostCtrlr', 'Enabled', 'Cost') === 'false') return;
    if (this.lastShownMinor.size >= TRACKED_SESSIONS_MAX) this.lastShownMinor.clear();
    this.lastShownMinor.set(session.id, costMinor);
    const totalCost = Number(minorToDecimalString(costMinor, this.settings.get().currency));
    callV201(connection, 'CostUpdated', { totalCost, transactionId: session.transactionId }, COST_UPDATED_TIMEOUT_MS).catch((error: unknown) => connection.logger.debug({ err: error }, 'CostUpdated not acknowledged'));
  }
}
