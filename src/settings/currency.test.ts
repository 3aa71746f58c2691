import { schema } from '../db';
import { startTestApp } from '../testing';

/**
 * CONTRACT `PATCH /settings`: the currency can change only while no money has moved. The rule is
 * checked inside the settings write, so a top-up sent at the same moment either moves its money
 * before the change (and the change is refused) or after it (in the new currency).
 */
describe('the currency rule under concurrent top-ups', () => {
  // Each round is a fresh site (the rule can be raced only until the first money moves), with the
  // currency change sent after a different number of the top-ups.
  test.each([0, 1, 3, 6])('a currency change sent after %i of 6 concurrent top-ups leaves money in one currency only', async (topupsBefore) => {
    const t = await startTestApp();
    try {
      for (const uid of ['R1', 'R2']) expect((await t.api('POST', '/cards', { uid, kind: 'prepaid' })).status).toBe(201);
      const topups = Array.from({ length: 6 }, (_, index) => () => t.api('POST', `/cards/R${(index % 2) + 1}/topups`, { amount: 100 + index, method: 'cash' }));
      const patch = () => t.api('PATCH', '/settings', { currency: 'USD' });
      const requests = [...topups.slice(0, topupsBefore), patch, ...topups.slice(topupsBefore)];
      const answers = await Promise.all(requests.map((send) => send()));

      const patchAnswer = answers[topupsBefore]!;
      const topupAnswers = answers.filter((_, index) => index !== topupsBefore);
      // Never a 500 or a 404: the change is made or refused as a conflict, and every top-up lands.
      expect([200, 409]).toContain(patchAnswer.status);
      if (patchAnswer.status === 409) expect(patchAnswer.body.error.code).toBe('currency_locked');
      expect(topupAnswers.map((answer) => answer.status)).toEqual(Array(6).fill(201));

      const siteCurrency = (await t.api('GET', '/settings')).body.currency as string;
      expect(siteCurrency).toBe(patchAnswer.status === 200 ? 'USD' : 'INR');
      const accounts = (await t.api('GET', '/accounts?limit=500')).body.items as { balance: { currency: string } }[];
      expect(new Set(accounts.map((account) => account.balance.currency))).toEqual(new Set([siteCurrency]));
      // Each transfer carries the currency it moved in (the API shows entries in the site's).
      const { db } = t.app.services;
      const transfers = db.orm.select({ currency: schema.ledgerTransfers.currency }).from(schema.ledgerTransfers).all();
      expect(transfers.length).toBe(6);
      expect(new Set(transfers.map((transfer) => transfer.currency))).toEqual(new Set([siteCurrency]));
      for (const answer of topupAnswers) expect(answer.body.balance.currency).toBe(siteCurrency);
      expect((await t.api('GET', '/ledger/check')).body).toMatchObject({ ok: true, totalMinor: 0 });

      // The site keeps working afterwards in its one currency.
      const later = await t.api('POST', '/cards/R1/topups', { amount: 50, method: 'cash' });
      expect([later.status, later.body.balance?.currency]).toEqual([201, siteCurrency]);
    } finally {
      await t.close();
    }
  });
});
