import type { ConnectorView } from './service';

/**
 * A plug's statuses that make its whole EVSE busy, busiest first: an OCPP 2.0.1 EVSE delivers
 * through one connector at a time (2.0.1 part 1 §2.1, "EVSE"), so while one of its plugs charges,
 * is reserved or is in use, the EVSE cannot start another session.
 */
const IN_USE_ORDER = ['Charging', 'SuspendedEVSE', 'SuspendedEV', 'Finishing', 'Reserved', 'Preparing'];

/** What is started, shown on a QR label and steered as one: a 1.6 connector or a 2.0.1 EVSE. */
export type EvseView = Omit<ConnectorView, 'evseConnectorId'>;

/**
 * One entry per EVSE (connectorId), in connectorId order, with a status derived from its plugs':
 * the busiest plug's status while one is in use; Available when none is and one is available;
 * Faulted only when every plug is; otherwise the first working plug's (Unavailable, Unknown). An
 * EVSE with one plug (every 1.6 connector) is that plug as reported.
 */
export function evsesOf(connectors: readonly ConnectorView[]): EvseView[] {
  const plugsByEvse = new Map<number, ConnectorView[]>();
  for (const connector of connectors) {
    const plugs = plugsByEvse.get(connector.connectorId);
    if (plugs) plugs.push(connector);
    else plugsByEvse.set(connector.connectorId, [connector]);
  }
  return [...plugsByEvse.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, plugs]) => {
      const { evseConnectorId: _plug, ...evse } = representativePlug(plugs);
      return evse;
    });
}

function representativePlug(plugs: readonly ConnectorView[]): ConnectorView {
  for (const status of IN_USE_ORDER) {
    const busy = plugs.find((plug) => plug.status === status);
    if (busy) return busy;
  }
  return plugs.find((plug) => plug.status === 'Available') ?? plugs.find((plug) => plug.status !== 'Faulted') ?? plugs[0]!;
}

/** A connector as staff see it listed: `1` for a one-connector EVSE (every 1.6 connector), `1.2` for connector 2 of EVSE 1. */
export type LabelledConnector = ConnectorView & { label: string; ofSeveral: boolean };

/** The connectors labelled so that the plugs of one EVSE are told apart (connectorId 0 is the charge point itself). */
export function labelledConnectors(connectors: readonly ConnectorView[]): LabelledConnector[] {
  const plugCounts = new Map<number, number>();
  for (const connector of connectors) plugCounts.set(connector.connectorId, (plugCounts.get(connector.connectorId) ?? 0) + 1);
  return connectors.map((connector) => {
    const ofSeveral = plugCounts.get(connector.connectorId)! > 1 || connector.evseConnectorId !== 1;
    return { ...connector, ofSeveral, label: ofSeveral ? `${connector.connectorId}.${connector.evseConnectorId}` : String(connector.connectorId) };
  });
}
