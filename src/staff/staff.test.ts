import { Database } from '../db';
import { makeTempDir, testActor } from '../testing';
import path from 'node:path';
import { AuditLog, LoginThrottle, LOCKOUT_MS, MAX_LOGIN_FAILURES, StaffSessionService, StaffUserService, resetPassword } from '.';

function freshDb(): Database {
  return Database.open(path.join(makeTempDir('chargeyard-staff-'), 'test.db'));
}

describe('staff domain', () => {
  let db: Database;
  beforeEach(() => {
    db = freshDb();
  });
  afterEach(() => db.close());

  it('stores scrypt hashes with their parameters, never the password', async () => {
    const users = new StaffUserService(db);
    await users.create({ userName: 'Asha', role: 'cashier', password: 'a long password' }, testActor('test'));
    const row = users.byUserName('ASHA')!;
    expect(row.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.passwordHash).not.toContain('a long password');
    expect(await users.checkPassword('asha', 'a long password')).toMatchObject({ userName: 'asha', role: 'cashier' });
    expect(await users.checkPassword('asha', 'wrong password')).toBeUndefined();
    expect(await users.checkPassword('nobody', 'a long password')).toBeUndefined();
  });

  it('creates the first admin only once', async () => {
    const users = new StaffUserService(db);
    await users.createFirstAdmin({ userName: 'admin', password: 'first password', language: 'en' });
    await expect(users.createFirstAdmin({ userName: 'other', password: 'second password', language: 'en' })).rejects.toMatchObject({ code: 'setup_done', httpStatus: 409 });
    expect(users.count()).toBe(1);
  });

  it('keeps at least one enabled admin', async () => {
    const users = new StaffUserService(db);
    const admin = await users.createFirstAdmin({ userName: 'admin', password: 'first password', language: 'en' });
    await expect(users.update(admin.id, { role: 'viewer' }, testActor('test'))).rejects.toMatchObject({ code: 'last_admin' });
    await expect(users.update(admin.id, { disabled: true }, testActor('test'))).rejects.toMatchObject({ code: 'last_admin' });
  });

  it(`locks a user name after ${MAX_LOGIN_FAILURES} failures for 15 minutes, then counts afresh`, async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const throttle = new LoginThrottle(db, () => now);
    for (let i = 0; i < MAX_LOGIN_FAILURES - 1; i++) await throttle.recordFailure('Admin');
    expect(throttle.retryAfterS('admin')).toBe(0);
    await throttle.recordFailure('admin');
    expect(throttle.retryAfterS('ADMIN')).toBe(LOCKOUT_MS / 1000);
    now += LOCKOUT_MS;
    expect(throttle.retryAfterS('admin')).toBe(0);
    await throttle.recordFailure('admin');
    expect(throttle.retryAfterS('admin')).toBe(0);
  });

  it('resetPassword (the CLI) sets the password, ends the lockout and signs the user out', async () => {
    const users = new StaffUserService(db);
    const sessions = new StaffSessionService(db);
    const throttle = new LoginThrottle(db);
    const admin = await users.createFirstAdmin({ userName: 'admin', password: 'first password', language: 'en' });
    const token = await sessions.create(admin);
    for (let i = 0; i < MAX_LOGIN_FAILURES; i++) await throttle.recordFailure('admin');
    expect(throttle.retryAfterS('admin')).toBeGreaterThan(0);
    await resetPassword(db, 'admin', 'a new password', testActor('test'));
    expect(throttle.retryAfterS('admin')).toBe(0);
    expect(sessions.resolve(token)).toBeUndefined();
    expect(await users.checkPassword('admin', 'a new password')).toBeDefined();
    await expect(resetPassword(db, 'ghost', 'whatever long', testActor('test'))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a session of a disabled user no longer resolves', async () => {
    const users = new StaffUserService(db);
    await users.createFirstAdmin({ userName: 'admin', password: 'first password', language: 'en' });
    const viewer = await users.create({ userName: 'viewer', role: 'viewer', password: 'viewer password' }, testActor('test'));
    const sessions = new StaffSessionService(db);
    const token = await sessions.create(viewer);
    expect(sessions.resolve(token)?.user.userName).toBe('viewer');
    await users.update(viewer.id, { disabled: true }, testActor('test'));
    expect(sessions.resolve(token)).toBeUndefined();
  });

  it('the audit log redacts secrets and filters by actor and action', async () => {
    const audit = new AuditLog(db);
    await audit.record({ userId: 1, name: 'admin' }, { action: 'charger.register', objectType: 'charger', objectId: 'CP-1', after: { id: 'CP-1', password: 'hunter22', nested: { pin: '1234' } } });
    await audit.record({ userId: 2, name: 'desk' }, { action: 'topup.create', objectType: 'topup', objectId: 7, after: { amount: 100 } });
    const [entry] = audit.list({ action: 'charger.' }, 10);
    expect(JSON.parse(entry!.afterJson!)).toEqual({ id: 'CP-1', password: '***', nested: { pin: '***' } });
    expect(audit.list({ actorName: 'desk' }, 10).map((row) => row.action)).toEqual(['topup.create']);
  });
});
