import fs from 'node:fs';
import https from 'node:https';
import { selfSignedTls, startTestApp, testActor } from '../testing';

interface Reply {
  status: number;
  setCookies: string[];
  body: string;
}

/** One HTTPS request to the self-signed test server. */
function request(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = https.request(url, { method, headers, rejectUnauthorized: false }, (incoming) => {
      let text = '';
      incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, setCookies: incoming.headers['set-cookie'] ?? [], body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

test('under TLS every web cookie is Secure, HttpOnly and SameSite=Lax', async () => {
  const { dir, tls } = await selfSignedTls();
  const app = await startTestApp({ config: { tls } });
  try {
    await app.app.services.staff.users.create({ userName: 'admin', role: 'admin', password: 'correct horse battery' }, testActor('test'));
    const page = await request(`${app.baseUrl}/login`, 'GET', {});
    expect(page.status).toBe(200);
    const cookies = page.setCookies.map((line) => line.split(';')[0]!).join('; ');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!.replace(/&#x3D;/g, '=');
    const form = new URLSearchParams({ _csrf: token, userName: 'admin', password: 'correct horse battery' }).toString();
    const signedIn = await request(`${app.baseUrl}/login`, 'POST', { Cookie: cookies, 'Content-Type': 'application/x-www-form-urlencoded' }, form);
    expect(signedIn.status).toBe(303);
    const all = [...page.setCookies, ...signedIn.setCookies];
    expect(all.some((line) => line.startsWith('cy_session='))).toBe(true);
    for (const line of all) {
      expect(line).toMatch(/; Secure/i);
      expect(line).toMatch(/; HttpOnly/i);
      expect(line).toMatch(/; SameSite=Lax/i);
    }
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
