export { AuditLog } from './audit';
export type { AuditRow } from './audit';

export { LoginThrottle, StaffSessionService, LOCKOUT_MS, MAX_LOGIN_FAILURES } from './sessions';

export { MIN_PASSWORD_LENGTH, STAFF_LANGUAGES, STAFF_ROLES, STAFF_THEMES, StaffUserService, resetPassword } from './users';
export type { StaffRole, StaffUser } from './users';
export { bootstrapAdminFromEnv } from './bootstrap';
export { SetupCode } from './setup-code';
export { StaffPasswordCheck, SIGN_IN_CHECKS_PER_ADDRESS } from './sign-in';
export type { PasswordCheck } from './sign-in';

import type { Db } from '../db';
import type { HashingLimiter } from '../shared';
import { AuditLog } from './audit';
import { LoginThrottle, StaffSessionService } from './sessions';
import { StaffPasswordCheck } from './sign-in';
import { StaffUserService } from './users';
import { SetupCode } from './setup-code';

/** The staff domain as the app wires it: accounts, browser sessions, sign-in lockout, audit log. */
export interface StaffServices {
  users: StaffUserService;
  sessions: StaffSessionService;
  throttle: LoginThrottle;
  /** The sign-in's password check (lockout counted first, hashing capped); also "change my password". */
  passwordCheck: StaffPasswordCheck;
  audit: AuditLog;
  /** Lets the setup wizard be finished from another machine while no staff user exists. */
  setupCode: SetupCode;
}

/** `audit` is the one audit log the other domains write to as well (app.ts). */
export function createStaffServices(db: Db, limiter: HashingLimiter, audit: AuditLog): StaffServices {
  const users = new StaffUserService(db);
  const throttle = new LoginThrottle(db);
  return { users, sessions: new StaffSessionService(db), throttle, passwordCheck: new StaffPasswordCheck(users, throttle, limiter), audit, setupCode: new SetupCode() };
}
