import crypto from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';
import { badRequest, constantTimeEqual, hashToken, notFound, nowIso, type AuditActor, type RecordAudit } from '../shared';

export type TokenRole = 'admin' | 'cashier' | 'viewer';
export const TOKEN_ROLES: readonly TokenRole[] = ['admin', 'cashier', 'viewer'];

interface TokenPrincipal {
  kind: 'token' | 'env-token';
  name: string;
  role: TokenRole;
  tokenId?: number;
}

/** Tokens start with a recognisable prefix so a leaked one is easy to spot in logs and scans. */
const TOKEN_PREFIX = 'cy_';

/**
 * API bearer tokens: the secret is shown once at creation and stored only as its SHA-256, which is
 * enough for a 256-bit random token (nothing to brute-force) and keeps every lookup cheap.
 */
export class ApiTokenService {
  constructor(
    private readonly db: Db,
    private readonly envToken: string | undefined,
    /** The audit log: making and revoking tokens is on the record in the same write (never the secret). */
    private readonly audit: RecordAudit,
  ) {}

  async create(name: string, role: TokenRole, actor: AuditActor): Promise<{ id: number; token: string }> {
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 100) throw badRequest('invalid_request', 'name: must be 1-100 characters');
    if (!TOKEN_ROLES.includes(role)) throw badRequest('invalid_request', `role: must be one of ${TOKEN_ROLES.join(', ')}`);
    const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
    const row = await this.db.write(() => {
      const created = this.db.orm
        .insert(schema.apiTokens)
        .values({ name: trimmed, tokenHash: hashToken(token), role, createdBy: actor.name, createdAt: nowIso() })
        .returning()
        .get();
      this.audit(actor, { action: 'token.create', objectType: 'api_token', objectId: created.id, after: { name: trimmed, role } });
      return created;
    });
    return { id: row.id, token };
  }

  /** The principal a bearer token stands for, or undefined. */
  verify(token: string): TokenPrincipal | undefined {
    if (this.envToken !== undefined && constantTimeEqual(token, this.envToken)) {
      return { kind: 'env-token', name: 'CSMS_API_TOKEN', role: 'admin' };
    }
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const row = this.db.orm
      .select()
      .from(schema.apiTokens)
      .where(and(eq(schema.apiTokens.tokenHash, hashToken(token)), isNull(schema.apiTokens.revokedAt)))
      .get();
    if (!row) return undefined;
    return { kind: 'token', name: row.name, role: row.role, tokenId: row.id };
  }

  async revoke(id: number, actor: AuditActor): Promise<void> {
    await this.db.write(() => {
      const changed = this.db.orm
        .update(schema.apiTokens)
        .set({ revokedAt: nowIso() })
        .where(and(eq(schema.apiTokens.id, id), isNull(schema.apiTokens.revokedAt)))
        .run().changes;
      if (changed === 0) throw notFound('API token', id);
      this.audit(actor, { action: 'token.revoke', objectType: 'api_token', objectId: id });
    });
  }

  list() {
    return this.db.orm
      .select({
        id: schema.apiTokens.id,
        name: schema.apiTokens.name,
        role: schema.apiTokens.role,
        createdBy: schema.apiTokens.createdBy,
        createdAt: schema.apiTokens.createdAt,
        revokedAt: schema.apiTokens.revokedAt,
      })
      .from(schema.apiTokens)
      .orderBy(desc(schema.apiTokens.id))
      .all();
  }
}
