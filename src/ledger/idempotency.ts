import crypto from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { isStorageFailure, schema } from '../db';
import { AppError, conflict, nowIso } from '../shared';

/** What a money write answered: replayed verbatim for a repeated Idempotency-Key. */
export interface StoredOutcome<T = unknown> {
  status: number;
  body: T | { error: { code: string; message: string } };
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** An Idempotency-Key as the client that sent it owns it (CONTRACT: keys belong to the client). */
export interface IdempotencyKey {
  /** The client: an API token or a staff user (Actor.id). */
  client: string;
  key: string;
}

/** JSON with object keys sorted, so the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Hash of what the request asks for: the operation (method and path) and its body. */
export function requestHash(operation: string, body: unknown): string {
  return crypto.createHash('sha256').update(operation).update('\n').update(canonicalJson(body)).digest('hex');
}

/**
 * Idempotency keys (CONTRACT "Writes that move money accept an Idempotency-Key"). The key, the
 * request's hash and the outcome are stored in the same transaction as the money movement, so a
 * key is either unused or bound to a committed result. Writes run one at a time on the SQLite
 * connection, so two concurrent requests with one key are serialised: the second finds the
 * first's row and gets its answer.
 */
export class IdempotencyStore {
  private readonly byKey;
  private readonly insertKey;

  constructor(private readonly db: Db) {
    const { idempotencyKeys } = schema;
    this.byKey = db.orm
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.client, sql.placeholder('client')), eq(idempotencyKeys.key, sql.placeholder('key'))))
      .prepare();
    this.insertKey = db.orm
      .insert(idempotencyKeys)
      .values({
        client: sql.placeholder('client'),
        key: sql.placeholder('key'),
        requestHash: sql.placeholder('requestHash'),
        responseStatus: sql.placeholder('responseStatus'),
        responseJson: sql.placeholder('responseJson'),
        createdAt: sql.placeholder('createdAt'),
      })
      .prepare();
  }

  /**
   * Runs `operation` once per key, inside the caller's transaction. An AppError it throws is an
   * answer too (a 409 stays a 409 on retry); the work it did before throwing is rolled back.
   */
  run<T>(key: IdempotencyKey | undefined, hash: string, operation: () => { status: number; body: T }): StoredOutcome<T> {
    if (key === undefined) return { ...this.attempt(operation), replayed: false };
    return this.db.tx(() => {
      const existing = this.byKey.get({ client: key.client, key: key.key });
      if (existing) {
        if (existing.requestHash !== hash) {
          throw conflict('idempotency_key_reused', 'This Idempotency-Key was already used with a different request');
        }
        return { status: existing.responseStatus, body: JSON.parse(existing.responseJson) as T, replayed: true };
      }
      const outcome = this.attempt(operation);
      this.insertKey.run({ client: key.client, key: key.key, requestHash: hash, responseStatus: outcome.status, responseJson: JSON.stringify(outcome.body), createdAt: nowIso() });
      return { ...outcome, replayed: false };
    });
  }

  /**
   * Forgets keys stored before `beforeIso` (for a housekeeping job). Keep them well beyond any
   * client's retry window: a key forgotten too early lets a late retry move money again.
   */
  prune(beforeIso: string): Promise<number> {
    return this.db.write(() => this.db.orm.delete(schema.idempotencyKeys).where(lt(schema.idempotencyKeys.createdAt, beforeIso)).run().changes);
  }

  private attempt<T>(operation: () => { status: number; body: T }): { status: number; body: T | { error: { code: string; message: string } } } {
    try {
      return this.db.tx(operation);
    } catch (error) {
      // A full or failing disk is no answer to keep: the retry once space is free must run again.
      if (!(error instanceof AppError) || isStorageFailure(error)) throw error;
      return { status: error.httpStatus, body: { error: { code: error.code, message: error.message } } };
    }
  }
}

/** Parses an Idempotency-Key header value: printable ASCII, 1–200 characters. */
export function parseIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < 1 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    throw new AppError('invalid_idempotency_key', `Idempotency-Key must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`, 400);
  }
  return value;
}
