import type { ChargerLimit, Phases, RateUnit } from './units';

/**
 * What load management needs from the rest of the appliance, as narrow interfaces: app.ts hands
 * in the OCPP side (profiles to send), the sessions and the chargers' presence. The domain knows
 * nothing of OCPP versions or sockets.
 */

/** Milliseconds since the epoch; tests drive it by hand so timing never depends on a loaded machine. */
export interface LoadClock {
  nowMs(): number;
}

export const SYSTEM_CLOCK: LoadClock = { nowMs: () => Date.now() };

/**
 * One charging profile in version-neutral words. `connectorId` 0 with purpose `default` is the
 * charger's default for every connector (1.6 TxDefaultProfile on connector 0, 2.0.1 on EVSE 0);
 * purpose `transaction` limits the running transaction of one connector (TxProfile).
 */
export interface ProfileOrder {
  chargerId: string;
  connectorId: number;
  purpose: 'default' | 'transaction';
  transactionId?: string;
  limit: ChargerLimit;
  /**
   * The default's second period: from this many seconds after a transaction starts, this limit
   * (what the charger may draw when no TxProfile came: the appliance is away or the charger
   * rejected it).
   */
  later?: { startPeriodS: number; limit: ChargerLimit };
  /**
   * A TxProfile that falls back by itself: Absolute from this instant (by the charger's clock as
   * far as the appliance can tell), so `later` comes that many seconds after it, whatever the
   * transaction's age.
   */
  startSchedule?: string;
}

/** accepted / rejected by the charger (CALLERROR NotSupported counts as rejected); failed: offline, timeout, other error. */
export type ProfileAnswer = 'accepted' | 'rejected' | 'failed';

/** What a charger says about itself: the rate units it takes, its phases and its maximum. */
export interface ChargerCapabilities {
  rateUnits?: RateUnit[];
  phases?: Phases;
  maxPowerW?: number;
}

export interface ChargingProfileSender {
  send(order: ProfileOrder, timeoutMs: number): Promise<ProfileAnswer>;
  /** Removes the appliance's profiles (load management turned off); false when the charger did not answer. */
  clear(chargerId: string, profiles: readonly { connectorId: number; purpose: ProfileOrder['purpose'] }[], timeoutMs: number): Promise<boolean>;
  capabilities(chargerId: string, timeoutMs: number): Promise<ChargerCapabilities>;
}

/** A running session as load management sees it. */
export interface ActiveSession {
  id: number;
  chargerId: string;
  connectorId: number;
  transactionId: string | null;
  userId: number | null;
  meterStartWh: number;
  lastMeterWh: number | null;
  /** As the charger stamped it (a queued start can be hours old). */
  startedAt: string;
}

export interface LoadSessions {
  active(): ActiveSession[];
}

export interface LoadChargers {
  isConnected(chargerId: string): boolean;
  isAccepted(chargerId: string): boolean;
  connectedIds(): string[];
  /** Every registered charger, connected or not, with how many connectors (EVSEs) it has, at least 1. */
  connectorCounts(): ReadonlyMap<string, number>;
}


export interface LoadLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}
