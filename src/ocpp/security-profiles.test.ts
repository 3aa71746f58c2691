import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, startTestApp, VERSION_SCRIPTS, type TestApp } from '../testing';

/** Security profile 2 (Basic auth over TLS) is transport-level: the same for both versions. */
describe.each(VERSION_SCRIPTS.map((script) => [script.version, script] as const))('security profile 2 over OCPP %s', (_version, script) => {
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });

  test('a charger with its password connects over wss:// and one without is refused with 401', async () => {
    // A self-signed certificate, as a site without a CA would install.
    const certDir = makeTempDir('chargeyard-tls-');
    const certFile = path.join(certDir, 'cert.pem');
    const keyFile = path.join(certDir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', keyFile, '-out', certFile], {
      stdio: 'ignore',
    });
    t = await startTestApp({
      config: { tls: { certPem: fs.readFileSync(certFile), keyPem: fs.readFileSync(keyFile), certFile, keyFile } },
    });
    expect(t.ocppUrl.startsWith('wss://')).toBe(true);
    await t.app.services.chargers.register({ id: 'TLS-1', password: 'correct-horse-tls' });
    await expect(t.charger('TLS-1', { protocols: script.protocols })).rejects.toMatchObject({ statusCode: 401 });
    const charger = await t.charger('TLS-1', { protocols: script.protocols, password: 'correct-horse-tls' });
    expect(charger.protocol).toBe(script.protocols[0]);
    expect((await charger.boot()).status).toBe('Accepted');
  });
});
