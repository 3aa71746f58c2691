import type { AuditRow } from '../../../staff';
import { allowQuery, decodeCursor, page, parseLimit, queryString, queryTime, requireRole, type ApiRouteGroup } from './http';

/** A stored JSON column back as the value it held (null when the entry has none). */
function parsedJson(json: string | null): unknown {
  return json === null ? null : (JSON.parse(json) as unknown);
}

/**
 * CONTRACT `{id, at, actor, action, object, details}`: `actor` is the name the change was made
 * under (a staff user name, `token:<name>` for an API token); `details` are the object before and
 * after the change, secrets as ***.
 */
function auditView(row: AuditRow) {
  return {
    id: row.id,
    at: row.at,
    actor: row.actorName,
    action: row.action,
    object: { type: row.objectType, id: row.objectId },
    details: { before: parsedJson(row.beforeJson), after: parsedJson(row.afterJson) },
  };
}

/**
 * CONTRACT `GET /audit` (`?from=&to=&actor=`), newest first. Admin only, as the audit page of the
 * web UI: the log names every change to money, staff and tokens, which cashiers and viewers do
 * not see elsewhere either. The cursor is the last id shown, so entries written while a client
 * walks the pages (all newer) never shift it: each entry comes exactly once.
 */
export const auditRoutes: ApiRouteGroup = (router, services) => {
  router.get('/audit', requireRole('admin'), (request, response) => {
    allowQuery(request.query, ['limit', 'cursor', 'from', 'to', 'actor']);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[number]>(request.query, ['number']);
    const filter = { fromIso: queryTime(request.query, 'from'), toIso: queryTime(request.query, 'to'), actorName: queryString(request.query, 'actor') };
    const rows = services.staff.audit.list(filter, limit + 1, after?.[0]);
    response.json(page(rows, limit, auditView, (row) => [row.id]));
  });
};
