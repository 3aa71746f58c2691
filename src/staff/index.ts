export { AuditLog } from './audit';
export type { AuditActor } from './audit';

export { LoginThrottle, StaffSessionService, LOCKOUT_MS, MAX_LOGIN_FAILURES } from './sessions';

export { MIN_PASSWORD_LENGTH, STAFF_LANGUAGES, STAFF_ROLES, STAFF_THEMES, StaffUserService, resetPassword } from './users';
export type { StaffRole, StaffUser } from './users';
export { bootstrapAdminFromEnv } from './bootstrap';

import type { Db } from '../db';
import { AuditLog } from './audit';
import { LoginThrottle, StaffSessionService } from './sessions';
import { StaffUserService } from './users';

/** The staff domain as the app wires it: accounts, browser sessions, sign-in lockout, audit log. */
export interface StaffServices {
  users: StaffUserService;
  sessions: StaffSessionService;
  throttle: LoginThrottle;
  audit: AuditLog;
}

export function createStaffServices(db: Db): StaffServices {
  return { users: new StaffUserService(db), sessions: new StaffSessionService(db), throttle: new LoginThrottle(db), audit: new AuditLog(db) };
}
