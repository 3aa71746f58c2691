import crypto from 'node:crypto';
import type { SimulatedCharger } from './charger-simulator';

/**
 * One charging session told the way each OCPP version tells it, so a table of end-to-end cases
 * (and the mixed-site benchmark) runs unchanged against the 1.6 and the 2.0.1 adapter.
 */
interface SessionStart {
  connectorId: number;
  idTag: string;
  meterStartWh: number;
  timestamp?: string;
}

interface SessionStop {
  meterStopWh: number;
  timestamp?: string;
  idTag?: string;
  reason?: string;
}

interface StartedSession {
  transactionId: string;
  /** The authorization status the CSMS answered, in the version's own words. */
  status: string;
  /** Sends exactly the same start message again (a charger that lost our answer). */
  repeat(): Promise<{ transactionId: string; status: string }>;
}

interface StoppedSession {
  reply: Record<string, unknown>;
  /** Sends exactly the same stop message again. */
  repeat(): Promise<Record<string, unknown>>;
}

export interface VersionScript {
  version: '1.6' | '2.0.1';
  protocols: string[];
  /** The CSMS call that stops a session remotely in this version. */
  remoteStopAction: string;
  /** What the version calls an idTag the CSMS does not accept for lack of credit. */
  noCreditStatus: string;
  start(charger: SimulatedCharger, start: SessionStart): Promise<StartedSession>;
  meter(charger: SimulatedCharger, session: { connectorId: number; transactionId: string }, energyWh: number, timestamp?: string): Promise<void>;
  stop(charger: SimulatedCharger, session: { connectorId: number; transactionId: string }, stop: SessionStop): Promise<StoppedSession>;
}

export const V16_SCRIPT: VersionScript = {
  version: '1.6',
  protocols: ['ocpp1.6'],
  remoteStopAction: 'RemoteStopTransaction',
  noCreditStatus: 'Blocked',
  async start(charger, start) {
    const timestamp = start.timestamp ?? new Date().toISOString();
    const send = async () => {
      const reply = await charger.startTransaction(start.connectorId, start.idTag, start.meterStartWh, timestamp);
      return { transactionId: String(reply.transactionId), status: reply.idTagInfo.status };
    };
    return { ...(await send()), repeat: send };
  },
  async meter(charger, session, energyWh, timestamp) {
    await charger.meterValues(session.connectorId, Number(session.transactionId), energyWh, timestamp);
  },
  async stop(charger, session, stop) {
    const timestamp = stop.timestamp ?? new Date().toISOString();
    const extra = { ...(stop.idTag ? { idTag: stop.idTag } : {}), ...(stop.reason ? { reason: stop.reason } : {}) };
    const send = () => charger.stopTransaction(Number(session.transactionId), stop.meterStopWh, extra, timestamp);
    return { reply: await send(), repeat: send };
  },
};

export const V201_SCRIPT: VersionScript = {
  version: '2.0.1',
  protocols: ['ocpp2.0.1'],
  remoteStopAction: 'RequestStopTransaction',
  noCreditStatus: 'NoCredit',
  async start(charger, start) {
    const transactionId = crypto.randomUUID();
    const seqNo = charger.seqNo++;
    const send = async () => {
      const reply = await charger.transactionEvent({
        eventType: 'Started',
        transactionId,
        seqNo,
        timestamp: start.timestamp,
        evseId: start.connectorId,
        idTag: start.idTag,
        energyWh: start.meterStartWh,
        chargingState: 'Charging',
      });
      return { transactionId, status: reply.idTokenInfo?.status ?? 'Accepted' };
    };
    return { ...(await send()), repeat: send };
  },
  async meter(charger, session, energyWh, timestamp) {
    await charger.transactionEvent({ eventType: 'Updated', transactionId: session.transactionId, timestamp, energyWh });
  },
  async stop(charger, session, stop) {
    const seqNo = charger.seqNo++;
    const send = () =>
      charger.transactionEvent({
        eventType: 'Ended',
        transactionId: session.transactionId,
        seqNo,
        timestamp: stop.timestamp,
        energyWh: stop.meterStopWh,
        ...(stop.idTag ? { idTag: stop.idTag } : {}),
        ...(stop.reason ? { stoppedReason: stop.reason } : {}),
        chargingState: 'EVConnected',
      });
    return { reply: await send(), repeat: send };
  },
};

export const VERSION_SCRIPTS: readonly VersionScript[] = [V16_SCRIPT, V201_SCRIPT];
