import type express from 'express';
import type { AppServices } from '../../../services';
import { badRequest } from '../../../shared';
import type { SiteSettings } from '../../../settings';
import { actorOf, requireRole } from './http';

function settingsView(settings: SiteSettings, services: AppServices) {
  return {
    siteName: settings.siteName,
    siteAddress: settings.siteAddress,
    currency: settings.currency,
    timeZone: settings.timeZone,
    unknownChargerPolicy: settings.unknownChargerPolicy,
    minimumBalance: { amount: settings.minimumBalanceMinor, currency: settings.currency },
    publicBaseUrl: settings.publicBaseUrl ?? services.uiUrl().replace(/\/$/, ''),
    cardReaderFormat: settings.cardReaderFormat,
    phoneCountryCode: settings.phoneCountryCode,
    upiId: settings.upiId,
    largeTopupWarning: { amount: settings.largeTopupWarningMinor, currency: settings.currency },
    receiptPaper: settings.receiptPaper,
    language: settings.language,
    heartbeatIntervalS: settings.heartbeatIntervalS,
    messageLogRetentionDays: settings.messageLogRetentionDays,
  };
}

/** GET/PATCH /settings. `minimumBalance` is Money on the wire and minor units inside. */
export function siteRoutes(router: express.Router, services: AppServices): void {
  router.get('/settings', (_request, response) => {
    response.json(settingsView(services.settings.get(), services));
  });

  router.patch('/settings', requireRole('admin'), async (request, response) => {
    const body = request.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('invalid_request', 'The body must be a JSON object');
    const { minimumBalance, largeTopupWarning, ...rest } = body as Record<string, unknown>;
    const patch: Record<string, unknown> = { ...rest };
    const currency = (rest.currency as string) ?? services.settings.get().currency;
    if (minimumBalance !== undefined) patch.minimumBalanceMinor = parseMoneySetting(minimumBalance, 'minimumBalance', currency);
    if (largeTopupWarning !== undefined) patch.largeTopupWarningMinor = parseMoneySetting(largeTopupWarning, 'largeTopupWarning', currency);
    const updated = await services.settings.updateFromInput(patch, actorOf(request));
    response.json(settingsView(updated, services));
  });
}

/** A Money setting (`{amount, currency}` or a bare amount) in minor units, never negative. */
function parseMoneySetting(value: unknown, name: string, currency: string): number {
  const amount = typeof value === 'object' && value !== null ? (value as { amount?: unknown; currency?: unknown }).amount : value;
  if (typeof value === 'object' && value !== null && 'currency' in value && (value as { currency: unknown }).currency !== currency) {
    throw badRequest('currency_mismatch', `${name}.currency must be the site currency ${currency}`);
  }
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) {
    throw badRequest('invalid_amount', `${name}.amount must be a non-negative integer number of minor units`);
  }
  return amount;
}
