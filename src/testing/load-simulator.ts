import WebSocket from 'ws';
import type { IncomingCall, SimulatedCharger } from './charger-simulator';

/**
 * A charger with cars that obey the charging profiles they receive, for load management tests
 * and the README's simulated hour. Each connector draws the lesser of its car's demand, the
 * charger's maximum and the limit in force (the TxProfile of its transaction, else a
 * TxDefaultProfile for the connector, else one for the whole charger; a Relative schedule's
 * periods count from the start of the transaction, 1.6 §3.13.2), and reports that draw in
 * MeterValues as Power.Active.Import beside the energy register it integrates over simulated time.
 * Time is whatever the test says it is (`advance`), never the wall clock.
 */
export interface ObedientChargerOptions {
  connectors?: number;
  phases?: 1 | 3;
  voltageV?: number;
  maxW?: number;
  /** The units it takes in a schedule (1.6 ChargingScheduleAllowedChargingRateUnit / 2.0.1 RateUnit). */
  rateUnits?: readonly ('A' | 'W')[];
  /** A charger without smart charging: every SetChargingProfile is answered Rejected. */
  rejectsProfiles?: boolean;
  /** A broken charger: accepts every profile and draws what the car wants anyway. */
  ignoresProfiles?: boolean;
  /** Takes its default but answers every TxProfile Rejected (some only do TxDefaultProfile). */
  rejectsTxProfiles?: boolean;
  /** The test's clock: profiles are stamped with it on arrival. */
  clock?: { nowMs(): number };
}

interface ReceivedLimit {
  /** The schedule's periods: from `startS` seconds after the start, `value`. */
  periods: { startS: number; value: number }[];
  unit: 'A' | 'W';
  phases: number;
  transactionId?: string;
}

interface ConnectorState {
  demandW: number;
  energyWh: number;
  transactionId: string | undefined;
  /** When the transaction started on the charger, by the test's clock. */
  startedAtMs: number;
  txProfile: ReceivedLimit | undefined;
  defaultProfile: ReceivedLimit | undefined;
}

/** A change of what a charger draws: the test's site meter samples the sum at each one. */
export type DrawListener = (charger: ObedientCharger) => void;

const DEFAULT_MAX_W = 22_080;

export class ObedientCharger {
  readonly phases: 1 | 3;
  readonly voltageV: number;
  readonly maxW: number;
  readonly rateUnits: readonly ('A' | 'W')[];
  private readonly connectors = new Map<number, ConnectorState>();
  private stationDefault: ReceivedLimit | undefined;
  private readonly listeners: DrawListener[] = [];
  private idTagCounter = 0;
  /** SetChargingProfile calls received, with the limit of their first period in W (and of the next, if any). */
  readonly profiles: { connectorId: number; purpose: string; limitW: number; laterW: number | undefined; transactionId: string | undefined; atMs: number; call: IncomingCall }[] = [];

  constructor(
    readonly charger: SimulatedCharger,
    private readonly options: ObedientChargerOptions = {},
  ) {
    this.phases = options.phases ?? 3;
    this.voltageV = options.voltageV ?? 230;
    this.maxW = options.maxW ?? DEFAULT_MAX_W;
    this.rateUnits = options.rateUnits ?? ['A', 'W'];
    for (let connectorId = 1; connectorId <= (options.connectors ?? 1); connectorId++) {
      this.connectors.set(connectorId, { demandW: 0, energyWh: 0, transactionId: undefined, startedAtMs: 0, txProfile: undefined, defaultProfile: undefined });
    }
    charger.handle('SetChargingProfile', (call) => this.onSetChargingProfile(call));
    charger.handle('ClearChargingProfile', () => this.onClearChargingProfile());
    charger.handle('GetConfiguration', (call) => this.onGetConfiguration(call));
  }

  get id(): string {
    return this.charger.id;
  }

  /** False once the test closed the charger's connection (it keeps its profiles, as a real one does). */
  get connected(): boolean {
    return this.charger.ws.readyState === WebSocket.OPEN;
  }

  get connectorCount(): number {
    return this.connectors.size;
  }

  onDrawChange(listener: DrawListener): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener(this);
  }

  private connector(connectorId: number): ConnectorState {
    const state = this.connectors.get(connectorId);
    if (!state) throw new Error(`${this.id} has no connector ${connectorId}`);
    return state;
  }

  // ---- what the CSMS sends -----------------------------------------------------------------

  private onSetChargingProfile(call: IncomingCall): Record<string, unknown> {
    if (this.options.rejectsProfiles) return { status: 'Rejected' };
    const parsed = this.charger.isV201 ? parse201(call.payload) : parse16(call.payload);
    if (!this.rateUnits.includes(parsed.limit.unit)) return { status: 'Rejected' };
    if (parsed.purpose === 'TxProfile') {
      if (this.options.rejectsTxProfiles) return { status: 'Rejected' };
      const state = this.connectors.get(parsed.connectorId);
      // 1.6 §5.16.2 / 2.0.1 K01.FR.09: a TxProfile needs the transaction it names to be running.
      if (!state || state.transactionId === undefined || parsed.limit.transactionId !== state.transactionId) return { status: 'Rejected' };
      state.txProfile = parsed.limit;
    } else if (parsed.purpose === 'TxDefaultProfile') {
      if (parsed.connectorId === 0) this.stationDefault = parsed.limit;
      else this.connector(parsed.connectorId).defaultProfile = parsed.limit;
    } else {
      return { status: 'Rejected' };
    }
    this.profiles.push({
      connectorId: parsed.connectorId,
      purpose: parsed.purpose,
      limitW: this.wattsOf(parsed.limit, 0),
      laterW: parsed.limit.periods.length > 1 ? this.wattsOf(parsed.limit, parsed.limit.periods.length - 1) : undefined,
      transactionId: parsed.limit.transactionId,
      atMs: this.nowMs(),
      call,
    });
    this.changed();
    return { status: 'Accepted' };
  }

  /**
   * A slow or silent charger: `hold` may delay a SetChargingProfile (it is applied and answered
   * once the promise settles) or leave it unanswered and not applied ('no-answer').
   */
  holdProfiles(hold: (call: IncomingCall) => Promise<void> | 'no-answer' | undefined): void {
    this.charger.handle('SetChargingProfile', (call) => {
      const held = hold(call);
      if (held === 'no-answer') return 'no-answer';
      return held ? held.then(() => this.onSetChargingProfile(call)) : this.onSetChargingProfile(call);
    });
  }

  private onClearChargingProfile(): Record<string, unknown> {
    this.stationDefault = undefined;
    for (const state of this.connectors.values()) {
      state.defaultProfile = undefined;
      state.txProfile = undefined;
    }
    this.changed();
    return { status: 'Accepted' };
  }

  private onGetConfiguration(call: IncomingCall): Record<string, unknown> {
    const units = this.rateUnits.map((unit) => (unit === 'A' ? 'Current' : 'Power')).join(',');
    const all = [
      { key: 'HeartbeatInterval', readonly: false, value: '300' },
      { key: 'ChargingScheduleAllowedChargingRateUnit', readonly: true, value: units },
      { key: 'ChargeProfileMaxStackLevel', readonly: true, value: '8' },
      { key: 'NumberOfConnectors', readonly: true, value: String(this.connectors.size) },
    ];
    const wanted = (call.payload.key ?? []) as string[];
    if (wanted.length === 0) return { configurationKey: all };
    return { configurationKey: all.filter((entry) => wanted.includes(entry.key)), unknownKey: wanted.filter((key) => !all.some((entry) => entry.key === key)) };
  }

  private wattsOf(limit: ReceivedLimit, periodIndex: number): number {
    const value = limit.periods[periodIndex]!.value;
    if (limit.unit === 'W') return value;
    return Math.floor(value * this.voltageV * Math.min(limit.phases, this.phases) + 1e-6);
  }

  private nowMs(): number {
    return this.options.clock?.nowMs() ?? Date.now();
  }

  /** The period in force `elapsedMs` after the start. */
  private wattsAt(limit: ReceivedLimit, elapsedMs: number): number {
    let index = 0;
    limit.periods.forEach((period, candidate) => {
      if (period.startS * 1000 <= elapsedMs) index = candidate;
    });
    return this.wattsOf(limit, index);
  }

  // ---- what the cars do --------------------------------------------------------------------

  /** The limit in force on a connector, in W (its maximum when no profile applies). */
  limitW(connectorId: number): number {
    if (this.options.ignoresProfiles) return this.maxW;
    const state = this.connector(connectorId);
    const profile = (state.transactionId !== undefined ? state.txProfile : undefined) ?? state.defaultProfile ?? this.stationDefault;
    return profile ? Math.min(this.maxW, this.wattsAt(profile, this.nowMs() - state.startedAtMs)) : this.maxW;
  }

  drawW(connectorId: number): number {
    const state = this.connector(connectorId);
    if (state.transactionId === undefined) return 0;
    return Math.max(0, Math.min(state.demandW, this.limitW(connectorId)));
  }

  totalDrawW(): number {
    let total = 0;
    for (const connectorId of this.connectors.keys()) total += this.drawW(connectorId);
    return total;
  }

  energyWh(connectorId: number): number {
    return Math.floor(this.connector(connectorId).energyWh);
  }

  transactionId(connectorId: number): string | undefined {
    return this.connector(connectorId).transactionId;
  }

  setDemand(connectorId: number, demandW: number): void {
    this.connector(connectorId).demandW = demandW;
    this.changed();
  }

  /** Lets simulated time pass: each connector's register rises by what it draws. */
  advance(ms: number): void {
    for (const [connectorId, state] of this.connectors) state.energyWh += (this.drawW(connectorId) * ms) / 3_600_000;
  }

  /** A car plugs in and a session starts (1.6 StartTransaction, 2.0.1 TransactionEvent Started). */
  async startSession(connectorId: number, idTag: string, demandW: number, timestamp = new Date().toISOString()): Promise<string> {
    const state = this.connector(connectorId);
    state.demandW = demandW;
    state.txProfile = undefined;
    state.startedAtMs = this.nowMs();
    if (this.charger.isV201) {
      const transactionId = `${this.id}-tx-${++this.idTagCounter}`;
      state.transactionId = transactionId;
      await this.charger.transactionEvent({ eventType: 'Started', transactionId, evseId: connectorId, idTag, energyWh: this.energyWh(connectorId), chargingState: 'Charging', timestamp });
    } else {
      // The transaction runs from the moment the charger sends StartTransaction: until the CSMS
      // answers, the default profile governs it (1.6 §3.13.2).
      state.transactionId = 'pending';
      const answer = await this.charger.startTransaction(connectorId, idTag, this.energyWh(connectorId), timestamp);
      state.transactionId = String(answer.transactionId);
    }
    this.changed();
    return state.transactionId;
  }

  /**
   * A car plugs in while the charger cannot reach the appliance: the charger starts the
   * transaction on its own (local authorization) and queues the StartTransaction, so only the
   * profiles it already has govern the draw.
   */
  startOffline(connectorId: number, demandW: number): void {
    const state = this.connector(connectorId);
    state.demandW = demandW;
    state.txProfile = undefined;
    state.startedAtMs = this.nowMs();
    state.transactionId = `offline-${++this.idTagCounter}`;
    this.changed();
  }

  async sendMeterValues(connectorId: number, timestamp = new Date().toISOString()): Promise<void> {
    const state = this.connector(connectorId);
    if (state.transactionId === undefined) return;
    const energyWh = this.energyWh(connectorId);
    const powerW = this.drawW(connectorId);
    if (this.charger.isV201) {
      await this.charger.call('TransactionEvent', {
        eventType: 'Updated',
        timestamp,
        triggerReason: 'MeterValuePeriodic',
        seqNo: this.charger.seqNo++,
        transactionInfo: { transactionId: state.transactionId, chargingState: powerW > 0 ? 'Charging' : 'SuspendedEVSE' },
        evse: { id: connectorId, connectorId: 1 },
        meterValue: [
          {
            timestamp,
            sampledValue: [
              { value: energyWh, measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic', unitOfMeasure: { unit: 'Wh' } },
              { value: powerW, measurand: 'Power.Active.Import', context: 'Sample.Periodic', unitOfMeasure: { unit: 'W' } },
            ],
          },
        ],
      });
      return;
    }
    await this.charger.call('MeterValues', {
      connectorId,
      transactionId: Number(state.transactionId),
      meterValue: [
        {
          timestamp,
          sampledValue: [
            { value: String(energyWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
            { value: String(powerW), measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' },
          ],
        },
      ],
    });
  }

  /** The car leaves: the session ends and the TxProfile with it (1.6 §3.13.3, 2.0.1 K01.FR.05). */
  async stopSession(connectorId: number, timestamp = new Date().toISOString()): Promise<void> {
    const state = this.connector(connectorId);
    const transactionId = state.transactionId;
    if (transactionId === undefined) return;
    state.transactionId = undefined;
    state.txProfile = undefined;
    state.demandW = 0;
    this.changed();
    if (this.charger.isV201) {
      await this.charger.transactionEvent({ eventType: 'Ended', transactionId, evseId: connectorId, energyWh: this.energyWh(connectorId), stoppedReason: 'EVDisconnected', timestamp });
    } else {
      await this.charger.stopTransaction(Number(transactionId), this.energyWh(connectorId), { reason: 'EVDisconnected' }, timestamp);
    }
  }
}

function periodsOf(periods: { startPeriod: number; limit: number }[]): ReceivedLimit['periods'] {
  return periods.map((period) => ({ startS: period.startPeriod, value: period.limit }));
}

function parse16(payload: Record<string, any>): { connectorId: number; purpose: string; limit: ReceivedLimit } {
  const profile = payload.csChargingProfiles;
  const periods = profile.chargingSchedule.chargingSchedulePeriod;
  return {
    connectorId: payload.connectorId,
    purpose: profile.chargingProfilePurpose,
    limit: {
      periods: periodsOf(periods),
      unit: profile.chargingSchedule.chargingRateUnit,
      phases: periods[0].numberPhases ?? 3,
      ...(profile.transactionId !== undefined ? { transactionId: String(profile.transactionId) } : {}),
    },
  };
}

function parse201(payload: Record<string, any>): { connectorId: number; purpose: string; limit: ReceivedLimit } {
  const profile = payload.chargingProfile;
  const schedule = profile.chargingSchedule[0];
  const periods = schedule.chargingSchedulePeriod;
  return {
    connectorId: payload.evseId,
    purpose: profile.chargingProfilePurpose,
    limit: {
      periods: periodsOf(periods),
      unit: schedule.chargingRateUnit,
      phases: periods[0].numberPhases ?? 3,
      ...(profile.transactionId !== undefined ? { transactionId: String(profile.transactionId) } : {}),
    },
  };
}

/**
 * The site's main meter in a test: the sum of what every simulated charger draws, sampled at
 * every change (a profile applied, a car starting, stopping or changing its demand). Since draws
 * change only at those moments, the highest sample is the highest the site ever drew.
 */
export class SiteMeter {
  readonly samples: { totalW: number; atMs: number }[] = [];

  constructor(
    private readonly chargers: readonly ObedientCharger[],
    private readonly clock: { nowMs(): number },
  ) {
    for (const charger of chargers) charger.onDrawChange(() => this.sample());
  }

  totalW(): number {
    return this.chargers.reduce((sum, charger) => sum + charger.totalDrawW(), 0);
  }

  sample(): number {
    const totalW = this.totalW();
    this.samples.push({ totalW, atMs: this.clock.nowMs() });
    return totalW;
  }

  /** The highest sample, of all or of those in [fromMs, toMs). */
  maxW(fromMs = -Infinity, toMs = Infinity): number {
    return this.samples.reduce((max, sample) => (sample.atMs >= fromMs && sample.atMs < toMs ? Math.max(max, sample.totalW) : max), 0);
  }
}

/** A clock the test moves by hand (load management's and the simulated cars'). */
export class ManualClock {
  constructor(public ms: number) {}

  nowMs(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
