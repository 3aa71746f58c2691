import fs from 'node:fs';
import { selfSignedTls, startTestApp, VERSION_SCRIPTS, type TestApp, testActor } from '../testing';

/** Security profile 2 (Basic auth over TLS) is transport-level: the same for both versions. */
describe.each(VERSION_SCRIPTS.map((script) => [script.version, script] as const))('security profile 2 over OCPP %s', (_version, script) => {
  let t: TestApp;
  let certDir: string;
  afterEach(async () => {
    await t.close();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  test('a charger with its password connects over wss:// and one without is refused with 401', async () => {
    // A self-signed certificate, as a site without a CA would install.
    const { dir, tls } = await selfSignedTls();
    certDir = dir;
    t = await startTestApp({ config: { tls } });
    expect(t.ocppUrl.startsWith('wss://')).toBe(true);
    await t.app.services.chargers.register({ id: 'TLS-1', password: 'correct-horse-tls' }, testActor('test'));
    await expect(t.charger('TLS-1', { protocols: script.protocols })).rejects.toMatchObject({ statusCode: 401 });
    const charger = await t.charger('TLS-1', { protocols: script.protocols, password: 'correct-horse-tls' });
    expect(charger.protocol).toBe(script.protocols[0]);
    expect((await charger.boot()).status).toBe('Accepted');
  });
});
