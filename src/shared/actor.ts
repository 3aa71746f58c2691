/**
 * Who makes a change: a staff user in the web UI or a client of the API.
 * `id` is stable and unique per client (`staff:7`, `token:3`, `env-token`): Idempotency-Keys
 * belong to it (CONTRACT), so one client's key never replays another's request. `name` is what
 * people read (the audit log, receipts, the cashier's shift).
 */
export interface Actor {
  id: string;
  /** The staff user, when the change comes from one. */
  userId: number | null;
  name: string;
}

