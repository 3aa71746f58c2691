import { z } from 'zod';
import { writeInPieces, type Db } from '../db';
import type { SettingsService } from '../settings';
import { conflict, hashSecret, notFound, nowIso, parseInput, trustedTimeOr, auditedFields, type AuditActor, type HashingLimiter, type RecordAudit } from '../shared';
import { ChargerAuthenticator } from './authentication';
import { isValidChargerId } from './identity';
import { ChargerRepository, type ChargerRow, type ConnectorRow, type Registration } from './repository';

interface BootInfo {
  vendor: string;
  model: string;
  serialNumber?: string | undefined;
  firmwareVersion?: string | undefined;
  iccid?: string | undefined;
  imsi?: string | undefined;
  meterType?: string | undefined;
  meterSerialNumber?: string | undefined;
}

interface ConnectorStatusInput {
  /** The 1.6 connector or the 2.0.1 EVSE: what is started, priced and steered as one. */
  connectorId: number;
  /** The plug within a 2.0.1 EVSE (G01 connectorId); 1 when not named and for 1.6. */
  evseConnectorId?: number | undefined;
  evseId?: number | undefined;
  status: string;
  errorCode?: string | undefined;
  info?: string | undefined;
  vendorId?: string | undefined;
  vendorErrorCode?: string | undefined;
  /** The charger's timestamp; the receive time when it sent none. */
  timestamp?: string | undefined;
}

type BootStatus = 'Accepted' | 'Pending' | 'Rejected';

/** More connectors (EVSE × connector pairs) than any real charger has; the rest are not stored. */
export const MAX_CONNECTORS_PER_CHARGER = 64;

/** CONTRACT "OCPP endpoint": at most this many unknown identities wait for approval at a time. */
export const MAX_PENDING_CHARGERS = 200;
/** What a charger's event payload (DataTransfer, security event…) may fill; longer ones are kept cut. */
export const MAX_EVENT_PAYLOAD_CHARS = 16 * 1024;
/** Last-seen times per write when they are flushed. */
const LAST_SEEN_PER_WRITE = 64;
/** What a charger that is not accepted may have kept (CONTRACT); the rest is answered, not stored. */
const KEPT_BEFORE_ACCEPTANCE = new Set(['BootNotification', 'Heartbeat', 'StatusNotification']);

/** The pending list was full when the write ran (counted inside it, so concurrent upgrades cannot overshoot). */
class PendingListFull extends Error {}

type Admission =
  | { admitted: true; charger: ChargerRow }
  | { admitted: false; httpStatus: 401 | 404 | 429 | 503; reason: string };

export interface ConnectorView {
  connectorId: number;
  /** The plug within a 2.0.1 EVSE; 1 for 1.6 chargers. */
  evseConnectorId: number;
  evseId: number | null;
  status: string;
  errorCode: string | null;
  info: string | null;
  vendorErrorCode: string | null;
  statusAt: string;
  /** True when the status was reported before the current connection (or the charger is offline). */
  stale: boolean;
}

export interface ChargerView {
  id: string;
  name: string | null;
  registration: Registration;
  connected: boolean;
  lastSeenAt: string | null;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmwareVersion: string | null;
  ocppVersion: string | null;
  passwordSet: boolean;
  connectedSince: string | null;
  lastBootAt: string | null;
  firmwareStatus: string | null;
  diagnosticsStatus: string | null;
  createdAt: string;
  connectors: ConnectorView[];
}

const registerChargerSchema = z
  .object({
    id: z.string().refine(isValidChargerId, 'must be 1-48 printable ASCII characters other than /'),
    name: z.string().trim().min(1).max(100).optional(),
    password: z.string().min(8, 'must be at least 8 characters').max(64).optional(),
  })
  .strict();

const updateChargerSchema = z
  .object({
    name: z.string().trim().min(1).max(100).nullable().optional(),
    password: z.string().min(8, 'must be at least 8 characters').max(64).nullable().optional(),
    registration: z.enum(['accepted', 'pending', 'rejected']).optional(),
  })
  .strict();

interface Presence {
  since: string;
  ocppVersion: string;
}

type ChargerChange =
  | { kind: 'connected' | 'disconnected' | 'booted' | 'registered' | 'updated' | 'removed'; chargerId: string }
  /** Its password changed or it was rejected: a live connection made under the old terms must end. */
  | { kind: 'access_changed'; chargerId: string }
  /** `added`: the charger reported this connector for the first time (its count of connectors grew). */
  | { kind: 'status'; chargerId: string; connector: ConnectorRow; added: boolean };

/**
 * The charge point registry: admission (policy, passwords), presence, boot data and connector
 * status. Version-neutral: the OCPP adapters translate their messages into these calls.
 */
export class ChargerService {
  readonly repository: ChargerRepository;
  private readonly presence = new Map<string, Presence>();
  private readonly lastSeen = new Map<string, string>();
  private readonly lastSeenDirty = new Set<string>();
  private readonly authenticator: ChargerAuthenticator;
  private readonly listeners: ((change: ChargerChange) => void)[] = [];
  private readonly registrations = new Map<string, Registration | null>();

  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    limiter: HashingLimiter,
    /** The audit log: staff changes to a charger are on the record in the write that makes them. */
    private readonly audit: RecordAudit,
  ) {
    this.repository = new ChargerRepository(db);
    this.authenticator = new ChargerAuthenticator(limiter);
  }

  onChange(listener: (change: ChargerChange) => void): void {
    this.listeners.push(listener);
  }

  private emit(change: ChargerChange): void {
    if (change.kind === 'registered' || change.kind === 'updated' || change.kind === 'removed') this.registrations.delete(change.chargerId);
    for (const listener of this.listeners) listener(change);
  }

  // ---- admission -------------------------------------------------------------------------

  /**
   * Decides an upgrade before anything else happens, so a refused attempt never disturbs the
   * live connection of that identity (CONTRACT "OCPP endpoint"). `address` is asked only when a
   * password is checked: Node keeps a socket's peer address once it was read, for the life of
   * the connection, and most chargers never need it (issue 17: memory per connected charger).
   */
  async admit(id: string, basicAuth: { user: string; password: string } | undefined, address: () => string): Promise<Admission> {
    let charger = this.repository.get(id);
    if (charger?.registration === 'rejected') {
      return { admitted: false, httpStatus: 404, reason: 'charger registration rejected' };
    }
    if (charger?.passwordHash) {
      if (basicAuth === undefined || basicAuth.user !== id) return { admitted: false, httpStatus: 401, reason: basicAuth ? 'wrong user name' : 'password required' };
      const verdict = await this.authenticator.verify(id, charger.passwordHash, basicAuth.password, address());
      if (verdict === 'throttled') return { admitted: false, httpStatus: 429, reason: 'too many failed authentication attempts' };
      if (verdict === 'wrong') return { admitted: false, httpStatus: 401, reason: 'wrong password' };
      return { admitted: true, charger };
    }
    if (!charger) {
      const policy = this.settings.get().unknownChargerPolicy;
      if (policy === 'reject') return { admitted: false, httpStatus: 404, reason: 'unknown charger (policy reject)' };
      const now = nowIso();
      try {
        charger = await this.db.write(() => {
          const existing = this.repository.get(id);
          if (existing) return existing;
          if (policy === 'pending' && this.repository.pendingCount() >= MAX_PENDING_CHARGERS) throw new PendingListFull();
          return this.repository.insertUnknown(id, policy === 'accept' ? 'accepted' : 'pending', now);
        });
      } catch (error) {
        if (!(error instanceof PendingListFull)) throw error;
        return { admitted: false, httpStatus: 503, reason: `${MAX_PENDING_CHARGERS} chargers are already waiting for approval` };
      }
      this.emit({ kind: 'registered', chargerId: id });
    }
    return { admitted: true, charger };
  }

  // ---- presence --------------------------------------------------------------------------

  markConnected(id: string, ocppVersion: string): void {
    const now = nowIso();
    this.presence.set(id, { since: now, ocppVersion });
    this.touch(id, now);
    void this.db
      .write(() => this.repository.setConnected(id, ocppVersion, now))
      .catch(() => undefined);
    this.emit({ kind: 'connected', chargerId: id });
  }

  markDisconnected(id: string): void {
    this.presence.delete(id);
    this.emit({ kind: 'disconnected', chargerId: id });
  }

  isConnected(id: string): boolean {
    return this.presence.has(id);
  }

  connectedCount(): number {
    return this.presence.size;
  }

  /** Any message from the charger: remembered in memory, flushed to the database in batches. */
  touch(id: string, at = nowIso()): void {
    this.lastSeen.set(id, at);
    this.lastSeenDirty.add(id);
  }

  /** Writes the last-seen times gathered since the previous flush (called on a timer and at close). */
  async flushLastSeen(): Promise<void> {
    if (this.lastSeenDirty.size === 0) return;
    const entries = [...this.lastSeenDirty].map((id) => [id, this.lastSeen.get(id)!] as const);
    this.lastSeenDirty.clear();
    await writeInPieces(this.db, entries, LAST_SEEN_PER_WRITE, (piece) => {
      for (const [id, at] of piece) this.repository.setLastSeen(id, at);
    });
  }

  // ---- charger-initiated messages --------------------------------------------------------

  async boot(id: string, info: BootInfo): Promise<{ status: BootStatus; intervalS: number; currentTime: string }> {
    const now = nowIso();
    const stored = await this.db.write(() =>
      this.repository.setBoot(
        id,
        {
          vendor: info.vendor,
          model: info.model,
          serialNumber: info.serialNumber ?? null,
          firmwareVersion: info.firmwareVersion ?? null,
          iccid: info.iccid ?? null,
          imsi: info.imsi ?? null,
          meterType: info.meterType ?? null,
          meterSerialNumber: info.meterSerialNumber ?? null,
        },
        now,
      ),
    );
    this.emit({ kind: 'booted', chargerId: id });
    const registration = stored ?? 'rejected';
    const status: BootStatus = registration === 'accepted' ? 'Accepted' : registration === 'pending' ? 'Pending' : 'Rejected';
    return { status, intervalS: this.settings.get().heartbeatIntervalS, currentTime: now };
  }

  /**
   * Asked on every transaction message, so it is answered from memory; every path that changes
   * a registration goes through this service and forgets the cached answer.
   */
  registrationOf(id: string): Registration | undefined {
    let registration = this.registrations.get(id);
    if (registration === undefined) {
      const read = this.repository.get(id)?.registration ?? null;
      registration = read;
      this.registrations.set(id, read);
      // Read inside a write that may still roll back (a refused start): forgotten with it.
      this.db.onRollback(() => {
        if (this.registrations.get(id) === read) this.registrations.delete(id);
      });
    }
    return registration ?? undefined;
  }

  /**
   * Stores a connector's status and its history. A charger's connectors beyond
   * MAX_CONNECTORS_PER_CHARGER are not stored (the charger is still answered).
   */
  async recordStatus(id: string, input: ConnectorStatusInput): Promise<void> {
    const receivedAt = nowIso();
    const row: ConnectorRow = {
      chargerId: id,
      connectorId: input.connectorId,
      evseConnectorId: input.evseConnectorId ?? 1,
      evseId: input.evseId ?? null,
      status: input.status,
      errorCode: input.errorCode ?? null,
      info: input.info ?? null,
      vendorId: input.vendorId ?? null,
      vendorErrorCode: input.vendorErrorCode ?? null,
      // A charger that lost its clock reports 1970: the arrival time stands in (CONTRACT, untrusted timestamps).
      statusAt: input.timestamp === undefined ? receivedAt : trustedTimeOr(input.timestamp, receivedAt),
      receivedAt,
    };
    const stored = await this.db.write(() => {
      const known = this.repository.connectors(id);
      const current = known.find((connector) => connector.connectorId === row.connectorId && connector.evseConnectorId === row.evseConnectorId);
      // A broken charger counting up made-up connector ids would otherwise grow its rows without end.
      if (!current && known.length >= MAX_CONNECTORS_PER_CHARGER) return undefined;
      this.repository.recordStatus(row, !current || !repeats(current, row));
      return { added: !current };
    });
    if (stored) this.emit({ kind: 'status', chargerId: id, connector: row, added: stored.added });
  }

  /** Whether a message of this action from this charger is stored (CONTRACT: a pending charger's are answered, not kept). */
  keepsMessagesOf(id: string, action: string | null): boolean {
    return (action !== null && KEPT_BEFORE_ACCEPTANCE.has(action)) || this.registrationOf(id) === 'accepted';
  }

  async recordEvent(id: string, kind: string, payload: unknown, patch?: Partial<ChargerRow>): Promise<void> {
    if (!this.keepsMessagesOf(id, kind)) return;
    const now = nowIso();
    const payloadJson = eventPayloadJson(payload);
    await this.db.write(() => {
      this.repository.recordEvent(id, kind, payloadJson, now);
      if (patch) this.repository.update(id, { ...patch, updatedAt: now });
    });
  }

  /** A firmware status notification (1.6 plain or signed, 2.0.1): kept as an event, shown on the charger. */
  recordFirmwareStatus(id: string, kind: string, payload: unknown, status: string): Promise<void> {
    return this.recordEvent(id, kind, payload, { firmwareStatus: status, firmwareStatusAt: nowIso() });
  }

  /** A diagnostics / log upload status notification: kept as an event, shown on the charger. */
  recordDiagnosticsStatus(id: string, kind: string, payload: unknown, status: string): Promise<void> {
    return this.recordEvent(id, kind, payload, { diagnosticsStatus: status, diagnosticsStatusAt: nowIso() });
  }

  // ---- staff operations ------------------------------------------------------------------

  async register(input: unknown, actor: AuditActor): Promise<ChargerView> {
    const parsed = parseInput(registerChargerSchema, input);
    const passwordHash = parsed.password ? await hashSecret(parsed.password) : null;
    const now = nowIso();
    await this.db.write(() => {
      const existing = this.repository.get(parsed.id);
      if (existing && existing.registration === 'accepted') {
        throw conflict('charger_exists', `Charger ${JSON.stringify(parsed.id)} is already registered`);
      }
      if (existing) {
        // A charger that connected on its own (pending) is accepted by registering it.
        this.repository.update(parsed.id, {
          name: parsed.name ?? existing.name,
          passwordHash: passwordHash ?? existing.passwordHash,
          registration: 'accepted',
          updatedAt: now,
        });
      } else {
        this.repository.insert({
          id: parsed.id,
          name: parsed.name ?? null,
          passwordHash,
          registration: 'accepted',
          createdAt: now,
          updatedAt: now,
        });
      }
      this.audit(actor, {
        action: 'charger.register',
        objectType: 'charger',
        objectId: parsed.id,
        ...(existing ? { before: auditedCharger(existing) } : {}),
        after: auditedCharger(this.repository.get(parsed.id)!),
      });
    });
    this.authenticator.forget(parsed.id);
    this.emit({ kind: 'registered', chargerId: parsed.id });
    // A charger that connected on its own without a password must come back with the one set now.
    if (passwordHash !== null) this.emit({ kind: 'access_changed', chargerId: parsed.id });
    return this.view(parsed.id)!;
  }

  async update(id: string, input: unknown, actor: AuditActor): Promise<ChargerView> {
    const parsed = parseInput(updateChargerSchema, input);
    if (!this.repository.get(id)) throw notFound('Charger', id);
    const patch: Partial<ChargerRow> = { updatedAt: nowIso() };
    if (parsed.name !== undefined) patch.name = parsed.name;
    if (parsed.password !== undefined) patch.passwordHash = parsed.password === null ? null : await hashSecret(parsed.password);
    if (parsed.registration !== undefined) patch.registration = parsed.registration;
    await this.db.write(() => {
      const before = this.repository.get(id);
      if (!before) throw notFound('Charger', id);
      this.repository.update(id, patch);
      const named = (['name', 'password', 'registration'] as const).filter((field) => parsed[field] !== undefined);
      const fields = named.map((field) => (field === 'password' ? 'passwordSet' : field));
      // The usual single changes keep their own words: accepting or rejecting, a new password, none.
      const action =
        named.length !== 1 ? 'charger.update' : named[0] === 'registration' ? 'charger.registration' : named[0] === 'password' ? (parsed.password === null ? 'charger.password_remove' : 'charger.password_set') : 'charger.update';
      if (named.length > 0) this.audit(actor, { action, objectType: 'charger', objectId: id, before: auditedFields(auditedCharger(before), fields), after: auditedFields(auditedCharger(this.repository.get(id)!), fields) });
    });
    this.authenticator.forget(id);
    this.emit({ kind: 'updated', chargerId: id });
    if (parsed.password !== undefined || parsed.registration === 'rejected') this.emit({ kind: 'access_changed', chargerId: id });
    return this.view(id)!;
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    await this.db.write(() => {
      const before = this.repository.get(id);
      if (!before || !this.repository.delete(id)) throw notFound('Charger', id);
      this.audit(actor, { action: 'charger.remove', objectType: 'charger', objectId: id, before: auditedCharger(before) });
    });
    this.authenticator.forget(id);
    this.emit({ kind: 'removed', chargerId: id });
  }

  // ---- views -----------------------------------------------------------------------------

  view(id: string): ChargerView | undefined {
    const charger = this.repository.get(id);
    return charger ? this.toView(charger) : undefined;
  }

  toView(charger: ChargerRow): ChargerView {
    const presence = this.presence.get(charger.id);
    const connectedSince = presence?.since ?? null;
    return {
      id: charger.id,
      name: charger.name,
      registration: charger.registration,
      connected: presence !== undefined,
      lastSeenAt: this.lastSeen.get(charger.id) ?? charger.lastSeenAt,
      vendor: charger.vendor,
      model: charger.model,
      serialNumber: charger.serialNumber,
      firmwareVersion: charger.firmwareVersion,
      ocppVersion: presence?.ocppVersion ?? charger.ocppVersion,
      passwordSet: charger.passwordHash !== null,
      connectedSince,
      lastBootAt: charger.lastBootAt,
      firmwareStatus: charger.firmwareStatus,
      diagnosticsStatus: charger.diagnosticsStatus,
      createdAt: charger.createdAt,
      connectors: this.repository.connectors(charger.id).map((connector) => ({
        connectorId: connector.connectorId,
        evseConnectorId: connector.evseConnectorId,
        evseId: connector.evseId,
        status: connector.status,
        errorCode: connector.errorCode,
        info: connector.info,
        vendorErrorCode: connector.vendorErrorCode,
        statusAt: connector.statusAt,
        stale: connectedSince === null || connector.receivedAt < connectedSince,
      })),
    };
  }

  list(limit: number, after?: { createdAt: string; id: string }): ChargerView[] {
    return this.repository.list(limit, after).map((charger) => this.toView(charger));
  }

  all(): ChargerView[] {
    return this.repository.all().map((charger) => this.toView(charger));
  }
}

/** A payload as stored: whole up to MAX_EVENT_PAYLOAD_CHARS, beyond that its start and its length (still JSON). */
export function eventPayloadJson(payload: unknown): string {
  const json = JSON.stringify(payload) ?? 'null';
  if (json.length <= MAX_EVENT_PAYLOAD_CHARS) return json;
  return JSON.stringify({ cut: true, chars: json.length, start: json.slice(0, MAX_EVENT_PAYLOAD_CHARS) });
}

/**
 * The same report again, in order: status, error and vendor details as the connector has them now,
 * timed no earlier. Many chargers resend their status every few seconds or with each heartbeat;
 * kept each time, the history grew by a row per connector per resend without saying anything new
 * (and the status in force at any moment is the same without them). A late report from the
 * charger's queue (timed before the current one) is still kept: it fills in the past.
 */
function repeats(current: ConnectorRow, report: ConnectorRow): boolean {
  return (
    current.status === report.status &&
    current.errorCode === report.errorCode &&
    current.info === report.info &&
    current.vendorId === report.vendorId &&
    current.vendorErrorCode === report.vendorErrorCode &&
    report.statusAt >= current.statusAt
  );
}

/** What the audit log keeps of a charger: never the password hash, only whether one is set. */
function auditedCharger(charger: ChargerRow): Record<string, unknown> {
  return { id: charger.id, name: charger.name, registration: charger.registration, passwordSet: charger.passwordHash !== null };
}
