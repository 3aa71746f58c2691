import WebSocket from 'ws';
import type { IncomingCall, SimulatedCharger } from './charger-simulator';

/**
 * A charger with cars that obey the charging profiles they receive, for load management tests
 * and the README's simulated hour. Each connector draws the lesser of its car's demand, the
 * charger's maximum and the limit in force by the stacking rules (1.6 §3.13.2, 2.0.1 K01): a
 * TxProfile of its transaction over a TxDefaultProfile, among profiles of one purpose the highest
 * stackLevel that is in force (an Absolute one from its startSchedule by the charger's own clock),
 * a connector's default over the whole charger's on a tie. A Relative schedule's periods count
 * from the start of the transaction (1.6 §3.13.2), an Absolute one's from its startSchedule. It
 * reports its draw in MeterValues as Power.Active.Import beside the energy register it integrates
 * over simulated time. Time is whatever the test says it is (`advance`), never the wall clock;
 * the charger's clock may be off it by `clockOffsetMs`.
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
  /** Answers an Absolute profile Rejected (takes only Relative ones). */
  rejectsAbsolute?: boolean;
  /** The test's clock: profiles are stamped with it on arrival. */
  clock?: { nowMs(): number };
  /** The charger's own clock is the test's plus this (negative: behind); Absolute schedules follow it. */
  clockOffsetMs?: number;
}

interface ReceivedLimit {
  id: number;
  stackLevel: number;
  /** The schedule's periods: from `startS` seconds after the start, `value`. */
  periods: { startS: number; value: number }[];
  unit: 'A' | 'W';
  phases: number;
  /** Absolute: the start by the charger's clock (ms); Relative when absent. */
  startScheduleMs?: number;
  transactionId?: string;
}

interface ConnectorState {
  demandW: number;
  energyWh: number;
  transactionId: string | undefined;
  /** When the transaction started on the charger, by the test's clock. */
  startedAtMs: number;
  /** By profile id (the same id replaces, 1.6 §5.16.3, 2.0.1 K01.FR.05). */
  txProfiles: Map<number, ReceivedLimit>;
  defaultProfiles: Map<number, ReceivedLimit>;
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
  private readonly stationDefaults = new Map<number, ReceivedLimit>();
  private readonly listeners: DrawListener[] = [];
  private idTagCounter = 0;
  /** SetChargingProfile calls received, with the limit of their first period in W (and of the next, if any). */
  readonly profiles: { connectorId: number; purpose: string; limitW: number; laterW: number | undefined; transactionId: string | undefined; atMs: number; call: IncomingCall }[] = [];

  private connection!: SimulatedCharger;

  constructor(
    connection: SimulatedCharger,
    private readonly options: ObedientChargerOptions = {},
  ) {
    this.phases = options.phases ?? 3;
    this.voltageV = options.voltageV ?? 230;
    this.maxW = options.maxW ?? DEFAULT_MAX_W;
    this.rateUnits = options.rateUnits ?? ['A', 'W'];
    for (let connectorId = 1; connectorId <= (options.connectors ?? 1); connectorId++) {
      this.connectors.set(connectorId, { demandW: 0, energyWh: 0, transactionId: undefined, startedAtMs: 0, txProfiles: new Map(), defaultProfiles: new Map() });
    }
    this.attach(connection);
  }

  /** The connection to the appliance: a new one after the appliance restarted (the profiles stay). */
  get charger(): SimulatedCharger {
    return this.connection;
  }

  /** Answers the appliance over `connection` from now on. */
  attach(connection: SimulatedCharger): void {
    this.connection = connection;
    connection.handle('SetChargingProfile', (call) => this.onSetChargingProfile(call));
    connection.handle('ClearChargingProfile', () => this.onClearChargingProfile());
    connection.handle('GetConfiguration', (call) => this.onGetConfiguration(call));
  }

  get id(): string {
    return this.charger.id;
  }

  /** The charger's own time (the test's clock, off by `clockOffsetMs`), as it stamps its messages. */
  chargerTimeIso(): string {
    return new Date(this.nowMs() + (this.options.clockOffsetMs ?? 0)).toISOString();
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
    if (parsed.limit.startScheduleMs !== undefined && this.options.rejectsAbsolute) return { status: 'Rejected' };
    if (parsed.purpose === 'TxProfile') {
      if (this.options.rejectsTxProfiles) return { status: 'Rejected' };
      const state = this.connectors.get(parsed.connectorId);
      // 1.6 §5.16.2 / 2.0.1 K01.FR.09: a TxProfile needs the transaction it names to be running.
      if (!state || state.transactionId === undefined || parsed.limit.transactionId !== state.transactionId) return { status: 'Rejected' };
      state.txProfiles.set(parsed.limit.id, parsed.limit);
    } else if (parsed.purpose === 'TxDefaultProfile') {
      if (parsed.connectorId === 0) this.stationDefaults.set(parsed.limit.id, parsed.limit);
      else this.connector(parsed.connectorId).defaultProfiles.set(parsed.limit.id, parsed.limit);
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
    this.stationDefaults.clear();
    for (const state of this.connectors.values()) {
      state.defaultProfiles.clear();
      state.txProfiles.clear();
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

  /** When a schedule starts, by the test's clock: its startSchedule (charger's clock), or the transaction's start. */
  private scheduleStartMs(limit: ReceivedLimit, state: ConnectorState): number {
    return limit.startScheduleMs !== undefined ? limit.startScheduleMs - (this.options.clockOffsetMs ?? 0) : state.startedAtMs;
  }

  /** The period in force now, or undefined before an Absolute schedule starts. */
  private wattsNow(limit: ReceivedLimit, state: ConnectorState): number | undefined {
    const elapsedMs = this.nowMs() - this.scheduleStartMs(limit, state);
    let index: number | undefined;
    limit.periods.forEach((period, candidate) => {
      if (period.startS * 1000 <= elapsedMs) index = candidate;
    });
    return index === undefined ? undefined : this.wattsOf(limit, index);
  }

  /** Of several profiles of one purpose, the highest stackLevel in force (the first given wins a tie). */
  private stackedW(candidates: readonly ReceivedLimit[], state: ConnectorState): number | undefined {
    let best: { stackLevel: number; watts: number } | undefined;
    for (const limit of candidates) {
      const watts = this.wattsNow(limit, state);
      if (watts !== undefined && (best === undefined || limit.stackLevel > best.stackLevel)) best = { stackLevel: limit.stackLevel, watts };
    }
    return best?.watts;
  }

  /**
   * The next moment (test's clock) after `afterMs` at which a period of a profile of a running
   * transaction begins: the draw may change then without any message.
   */
  nextPeriodStartMs(afterMs: number): number | undefined {
    let next: number | undefined;
    for (const state of this.connectors.values()) {
      if (state.transactionId === undefined) continue;
      for (const limit of [...state.txProfiles.values(), ...state.defaultProfiles.values(), ...this.stationDefaults.values()]) {
        for (const period of limit.periods) {
          const atMs = this.scheduleStartMs(limit, state) + period.startS * 1000;
          if (atMs > afterMs && (next === undefined || atMs < next)) next = atMs;
        }
      }
    }
    return next;
  }

  // ---- what the cars do --------------------------------------------------------------------

  /** The limit in force on a connector, in W (its maximum when no profile applies). */
  limitW(connectorId: number): number {
    if (this.options.ignoresProfiles) return this.maxW;
    const state = this.connector(connectorId);
    const txW = state.transactionId !== undefined ? this.stackedW([...state.txProfiles.values()], state) : undefined;
    const limitW = txW ?? this.stackedW([...state.defaultProfiles.values(), ...this.stationDefaults.values()], state);
    return limitW === undefined ? this.maxW : Math.min(this.maxW, limitW);
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
    state.txProfiles.clear();
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
    state.txProfiles.clear();
    state.startedAtMs = this.nowMs();
    state.transactionId = `offline-${++this.idTagCounter}`;
    this.changed();
  }

  /**
   * Back online, the charger sends the StartTransaction it queued for a session started offline,
   * stamped with the moment it started (by its own clock); 1.6 then takes the id the appliance gives.
   */
  async sendQueuedStart(connectorId: number, idTag: string): Promise<void> {
    const state = this.connector(connectorId);
    const timestamp = new Date(state.startedAtMs + (this.options.clockOffsetMs ?? 0)).toISOString();
    if (this.charger.isV201) {
      await this.charger.transactionEvent({ eventType: 'Started', transactionId: state.transactionId!, evseId: connectorId, idTag, energyWh: 0, chargingState: 'Charging', timestamp, offline: true });
    } else {
      const answer = await this.charger.startTransaction(connectorId, idTag, 0, timestamp);
      state.transactionId = String(answer.transactionId);
    }
    this.changed();
  }

  /** Reports the connector's draw and register, stamped by the charger's own clock. */
  async sendMeterValues(connectorId: number, timestamp = this.chargerTimeIso()): Promise<void> {
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
    state.txProfiles.clear();
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

/** An Absolute schedule's start (ms by the charger's clock); a Relative one has none. */
function startScheduleOf(kind: string, startSchedule: string | undefined): { startScheduleMs?: number } {
  if (kind !== 'Absolute') return {};
  if (startSchedule === undefined) throw new Error('an Absolute profile without startSchedule');
  return { startScheduleMs: Date.parse(startSchedule) };
}

function parse16(payload: Record<string, any>): { connectorId: number; purpose: string; limit: ReceivedLimit } {
  const profile = payload.csChargingProfiles;
  const periods = profile.chargingSchedule.chargingSchedulePeriod;
  return {
    connectorId: payload.connectorId,
    purpose: profile.chargingProfilePurpose,
    limit: {
      id: profile.chargingProfileId,
      stackLevel: profile.stackLevel,
      ...startScheduleOf(profile.chargingProfileKind, profile.chargingSchedule.startSchedule),
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
      id: profile.id,
      stackLevel: profile.stackLevel,
      ...startScheduleOf(profile.chargingProfileKind, schedule.startSchedule),
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
