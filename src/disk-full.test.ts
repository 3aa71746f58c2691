import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CallErrorReply, makeTempDir, startTestApp, type TestApp } from './testing';
import { rootRequirement, testRequiring } from './testing/requires';

/** Writes a file until the file system says ENOSPC; returns its path. */
function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler.bin');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  }
  // The last pages too: what is left is smaller than the chunk.
  try {
    for (;;) fs.writeSync(fd, chunk, 0, 512);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

/**
 * CONTRACT "JSON API", disk full: nothing unsaved is acknowledged, API writes 503, OCPP CALLs that
 * must write InternalError, /health degraded, reads work; once space is free everything works
 * without a restart and retried requests succeed exactly once. The data folder is a real 32 MiB
 * tmpfs, filled to the last byte.
 */
testRequiring(rootRequirement(), 'a full disk refuses writes honestly and recovers without a restart once space is free', async () => {
  const mountPoint = makeTempDir('chargeyard-diskfull-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', mountPoint]);
  let t: TestApp | undefined;
  try {
    t = await startTestApp({ dataDir: mountPoint });
    const app = t;
    await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 1000, sessionFee: 0, timePricePerHour: 0 });
    expect((await app.api('POST', '/cards', { uid: 'FULL1', kind: 'prepaid' })).status).toBe(201);
    expect((await app.api('POST', '/cards/FULL1/topups', { amount: 10_000, method: 'cash' })).status).toBe(201);
    const charger = await app.acceptedCharger('CP-FULL');
    const start = await charger.startTransaction(1, 'FULL1', 1000);
    expect(start.idTagInfo.status).toBe('Accepted');

    const filler = fillDisk(mountPoint);
    // SQLite may still have room in pages it already holds: write until the disk refuses.
    let refused: { status: number; body: any } | undefined;
    let key = '';
    for (let i = 0; i < 200 && !refused; i++) {
      key = `full-topup-${i}`;
      const answer = await app.api('POST', '/cards/FULL1/topups', { amount: 100 + i, method: 'cash' }, { headers: { 'Idempotency-Key': key } });
      if (answer.status !== 201) refused = answer;
    }
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'storage_unavailable' } } });
    const balanceBefore = (await app.api('GET', '/cards/FULL1')).body.balance.amount as number;
    const refusedAmount = 100 + Number(key.slice('full-topup-'.length));

    // OCPP: a CALL that must write is answered InternalError, and the connection stays up.
    const stop = await charger.stopTransaction(start.transactionId, 3000, { idTag: 'FULL1' }).catch((error: unknown) => error);
    expect(stop).toBeInstanceOf(CallErrorReply);
    expect((stop as CallErrorReply).errorCode).toBe('InternalError');
    expect((await charger.heartbeat()).currentTime).toBeDefined();
    // Health is degraded, reads keep working.
    expect(await app.api('GET', '/health', undefined, { token: null })).toMatchObject({ status: 200, body: { status: 'degraded' } });
    expect((await app.api('GET', `/sessions/${start.transactionId}`)).body.status).toBe('active');
    expect((await app.api('GET', '/cards/FULL1')).status).toBe(200);
    // A command staff asks for could not be put on record: it is refused, and the charger never sees it.
    const callsBefore = charger.received.length;
    const refusedCommand = await app.api('POST', '/chargers/CP-FULL/commands/Reset', { type: 'Soft' });
    expect(refusedCommand).toMatchObject({ status: 503, body: { error: { code: 'storage_unavailable' } } });
    expect(charger.received.slice(callsBefore).map((call) => call.action)).toEqual([]);

    // Space is free again: no restart, everything works, the retries succeed exactly once.
    fs.rmSync(filler);
    expect(await app.api('GET', '/health', undefined, { token: null })).toMatchObject({ status: 200, body: { status: 'ok' } });
    const retried = await app.api('POST', '/cards/FULL1/topups', { amount: refusedAmount, method: 'cash' }, { headers: { 'Idempotency-Key': key } });
    expect(retried.status).toBe(201);
    const again = await app.api('POST', '/cards/FULL1/topups', { amount: refusedAmount, method: 'cash' }, { headers: { 'Idempotency-Key': key } });
    expect([again.status, again.body]).toEqual([201, retried.body]);
    const stopped = await charger.stopTransaction(start.transactionId, 3000, { idTag: 'FULL1' });
    expect(stopped.idTagInfo?.status).toBe('Accepted');
    await charger.stopTransaction(start.transactionId, 3000, { idTag: 'FULL1' });
    // 2 kWh at 10.00 = 2000 billed once; the refused top-up added once.
    expect((await app.api('GET', `/sessions/${start.transactionId}`)).body).toMatchObject({ status: 'completed', cost: { amount: 2000 } });
    expect((await app.api('GET', '/cards/FULL1')).body.balance.amount).toBe(balanceBefore + refusedAmount - 2000);
    expect(app.app.services.ledger.check().problems).toEqual([]);
    expect((await app.api('POST', '/cards', { uid: 'FULL2', kind: 'prepaid' })).status).toBe(201);
    // Commands go out again, and are on the record.
    expect((await app.api('POST', '/chargers/CP-FULL/commands/Reset', { type: 'Soft' })).body).toEqual({ response: { status: 'Accepted' } });
    expect(charger.received.slice(callsBefore).map((call) => call.action)).toEqual(['Reset']);
    const audited = (await app.api('GET', '/audit?limit=5')).body.items as { action: string }[];
    expect(audited.filter((entry) => entry.action === 'charger.command.Reset')).toHaveLength(1);
  } finally {
    await t?.close().catch(() => undefined);
    execFileSync('umount', ['-l', mountPoint]);
    fs.rmSync(mountPoint, { recursive: true, force: true });
  }
}, 120_000);
