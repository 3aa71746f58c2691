import type { Logger } from 'pino';
import type { StaffUserService } from './users';

/**
 * CONTRACT: when CSMS_ADMIN_PASSWORD is set and no staff user exists yet, user `admin` is created
 * with it (and the setup wizard is skipped). Never a default password otherwise.
 */
export async function bootstrapAdminFromEnv(users: StaffUserService, adminPassword: string | undefined, logger: Logger): Promise<void> {
  if (adminPassword === undefined || users.hasAnyUser()) return;
  try {
    await users.createFirstAdmin({ userName: 'admin', password: adminPassword, language: 'en' });
    logger.info('Created staff user admin from CSMS_ADMIN_PASSWORD');
  } catch (error) {
    logger.error({ err: error }, 'Could not create staff user admin from CSMS_ADMIN_PASSWORD');
  }
}
