import type { AppServices } from '../services';
import type { SessionRow } from '../sessions';

/**
 * What staff read instead of identifiers: who a session belongs to, the address chargers connect to,
 * and whether the address QR codes point at can be reached from a phone at all.
 */

/** Who charged: the driver's name (the session's driver, set from a QR start's hold, or a card's holder), else the card UID; personal cards pay nothing. */
export function sessionWho(services: AppServices, session: Pick<SessionRow, 'userId' | 'cardUid' | 'idTag'>): { name: string; driverId?: number; cardUid?: string; notCharged: boolean } {
  const card = session.cardUid === null ? undefined : services.drivers.cardByAnyUid(session.cardUid);
  const userId = session.userId ?? card?.userId ?? null;
  const driver = userId === null ? undefined : services.drivers.user(userId);
  return {
    name: driver?.name ?? card?.uid ?? session.cardUid ?? session.idTag,
    ...(driver ? { driverId: driver.id } : {}),
    ...(card && driver ? { cardUid: card.uid } : {}),
    notCharged: card?.kind === 'personal',
  };
}

/** Session rows with who charged, for the tables staff read. */
export function withWho<Row extends Pick<SessionRow, 'userId' | 'cardUid' | 'idTag'>>(services: AppServices, sessions: Row[]): (Row & { who: ReturnType<typeof sessionWho> })[] {
  return sessions.map((session) => ({ ...session, who: sessionWho(services, session) }));
}

/** The OCPP-J endpoint chargers are configured with (the charge point id is appended): same host and port as the UI. */
export function ocppBaseUrl(services: AppServices): string {
  const ui = new URL(services.uiUrl());
  ui.protocol = ui.protocol === 'https:' ? 'wss:' : 'ws:';
  ui.pathname = '/ocpp/';
  return ui.toString();
}

/** A loopback IP address (the box itself), also written as an IPv4-mapped IPv6 address. */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/** A URL a phone on the site cannot open: localhost or a loopback address (the box itself). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || isLoopbackAddress(host) || host === '0.0.0.0';
}
