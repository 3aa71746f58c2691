import type { TestApp } from './app';
import type { SimulatedCharger } from './charger-simulator';

/**
 * A site whose bills are easy to check by hand: 100 per kWh and 600 per hour (a session billed for
 * the wrong span of time shows at once), a prepaid card PRE1 holding 100_000, and an accepted
 * charger `chargerId`, which is returned booted. Shared by the tests of faulty charger clocks and
 * meters and of staff ending sessions.
 */
export async function prepaidSite(t: TestApp, chargerId: string): Promise<SimulatedCharger> {
  const steps: [method: string, apiPath: string, body: unknown, status: number][] = [
    ['PUT', '/tariffs/default', { energyPricePerKwh: 100, sessionFee: 0, timePricePerHour: 600 }, 200],
    ['POST', '/cards', { uid: 'PRE1', kind: 'prepaid' }, 201],
    ['POST', '/cards/PRE1/topups', { amount: 100_000, method: 'cash' }, 201],
  ];
  for (const [method, apiPath, body, status] of steps) {
    const response = await t.api(method, apiPath, body);
    if (response.status !== status) throw new Error(`${method} ${apiPath} answered ${response.status}, not ${status}: ${JSON.stringify(response.body)}`);
  }
  return t.acceptedCharger(chargerId);
}

/** The ISO 8601 instant `minutes` before now (a charger's timestamp from its recent past). */
export function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}
