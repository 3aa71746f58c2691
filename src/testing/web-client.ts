import http from 'node:http';

/**
 * A browser-like HTTP client for web route tests: keeps cookies, remembers the CSRF token of the
 * last page it read, and does not follow redirects (tests assert the 303s).
 */
interface WebResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export class WebClient {
  private readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  /** `localAddress` sends from another loopback address (127.0.0.2 ...), as a second machine on the LAN would. */
  constructor(
    private readonly baseUrl: string,
    private readonly options: { localAddress?: string } = {},
  ) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<WebResponse> {
    return this.request('GET', path, undefined, headers);
  }

  /** Posts a form; the remembered CSRF token is added unless `_csrf` is given (null: none). */
  async post(path: string, form: Record<string, string> = {}, options: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<WebResponse> {
    const body = new URLSearchParams(form);
    const token = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (token !== null && token !== undefined && !body.has('_csrf')) body.set('_csrf', token);
    return this.request('POST', path, body.toString(), { 'Content-Type': 'application/x-www-form-urlencoded', ...options.headers });
  }

  /** Posts multipart form data (a file upload) with the remembered CSRF token in the header, as htmx sends it. */
  async postMultipart(path: string, form: FormData, headers: Record<string, string> = {}): Promise<WebResponse> {
    return this.request('POST', path, form, { ...(this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}), ...headers });
  }

  /** GET a page first (for its token), then post the form to it. */
  async submit(pagePath: string, postPath: string, form: Record<string, string>): Promise<WebResponse> {
    await this.get(pagePath);
    return this.post(postPath, form);
  }

  private async request(method: string, path: string, body: string | FormData | undefined, headers: Record<string, string>): Promise<WebResponse> {
    const cookieHeader = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const allHeaders = { Accept: 'text/html', ...(cookieHeader ? { Cookie: cookieHeader } : {}), ...headers };
    const response =
      this.options.localAddress !== undefined && !(body instanceof FormData)
        ? await requestFrom(this.options.localAddress, method, `${this.baseUrl}${path}`, body, allHeaders)
        : await fetch(`${this.baseUrl}${path}`, { method, body, redirect: 'manual', headers: allHeaders });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrfToken = token[1]!.replace(/&#x3D;/g, '=');
    return { status: response.status, headers: response.headers, text, location: response.headers.get('location') };
  }
}

/** One request over node:http from a chosen local address (fetch cannot pick one), as a Response. */
function requestFrom(localAddress: string, method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, localAddress, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, item);
        }
        resolve(new Response(incoming.statusCode === 204 || incoming.statusCode === 304 ? null : Buffer.concat(chunks), { status: incoming.statusCode ?? 0, headers: responseHeaders }));
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}
