import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '.';

describe('configuration from CSMS_* variables', () => {
  test('with nothing set it runs on port 8080 with data in ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: path.resolve('data'), logLevel: 'info', apiToken: undefined, tls: undefined });
  });

  test('CSMS_PORT=0 is allowed (a free port)', () => {
    expect(loadConfig({ CSMS_PORT: '0' }).port).toBe(0);
  });

  test.each([
    ['CSMS_PORT', 'abc'],
    ['CSMS_PORT', '70000'],
    ['CSMS_PORT', '-1'],
    ['CSMS_LOG_LEVEL', 'loud'],
    ['CSMS_HOST', 'bad host!'],
    ['CSMS_DATA_DIR', '   '],
    ['CSMS_API_TOKEN', 'short'],
    ['CSMS_ADMIN_PASSWORD', 'abc'],
    ['CSMS_TLS_CERT', '/no/such/cert.pem'],
  ])('%s=%s is refused with a message naming the variable', (variable, value) => {
    const env: Record<string, string> = { [variable]: value };
    if (variable === 'CSMS_TLS_CERT') env.CSMS_TLS_KEY = '/no/such/key.pem';
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });

  test('TLS needs both the certificate and the key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cy-tls-'));
    fs.writeFileSync(path.join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\n');
    expect(() => loadConfig({ CSMS_TLS_CERT: path.join(dir, 'cert.pem') })).toThrow(/^CSMS_TLS_KEY: /);
  });
});
