import fs from 'node:fs';
import path from 'node:path';
import selfsigned from 'selfsigned';
import type { Config } from '../config';
import { makeTempDir } from './app';

/**
 * A self-signed certificate for localhost, as a site without a CA would install, made in-process
 * (no `openssl` program needed) and written as PEM files, since the configuration names files.
 * The caller removes `dir`.
 */
export async function selfSignedTls(): Promise<{ dir: string; tls: NonNullable<Config['tls']> }> {
  const dir = makeTempDir('chargeyard-tls-');
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + 24 * 60 * 60 * 1000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256', notBeforeDate, notAfterDate });
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  fs.writeFileSync(certFile, pems.cert);
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  return { dir, tls: { certPem: Buffer.from(pems.cert), keyPem: Buffer.from(pems.private), certFile, keyFile } };
}
