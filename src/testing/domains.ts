import pino from 'pino';
import { createDomains, type DomainWiring } from '../app';
import type { Database } from '../db';
import { AuditLog } from '../staff';
import type { Domains } from '../services';
import type { Actor } from '../shared';

/**
 * The domains exactly as the appliance wires them, on a test's own database, without the OCPP
 * edge: no charger is connected, so a remote start or stop the test did not supply fails as it
 * would for an offline charger, and billing's remote stops are dropped unless the test listens;
 * load management sees no charger connected, so it sends no profile.
 */
export function createTestDomains(db: Database, wiring: Partial<DomainWiring> = {}): Domains {
  const offline = () => Promise.reject(new Error('no charger is connected in this test'));
  return createDomains(db, {
    chargerCommands: { remoteStart: offline, remoteStop: offline },
    requestRemoteStop: async () => undefined,
    onError: () => undefined,
    chargingProfiles: { send: async () => 'failed', clear: async () => false, capabilities: async () => ({}) },
    isConnected: () => false,
    audit: (actor, entry) => new AuditLog(db).recordNow(actor, entry),
    logger: pino({ level: 'silent' }),
    ...wiring,
  });
}

/** A client of a domain test (a cashier, an admin): its name is what receipts show, its id scopes its Idempotency-Keys. */
export function testActor(name: string): Actor {
  return { id: `test:${name}`, userId: null, name };
}
