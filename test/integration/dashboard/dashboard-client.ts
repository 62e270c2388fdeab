// A cookie-keeping HTTP client for the dashboard: signs in through the real form (CSRF and all) and
// reads the CSRF token of the session from the pages, like a browser would.
import { hashPassword } from '../../../src/dashboard/auth/password-hash.js';

export const USERS = {
  admin: { name: 'ana', password: 'ana-admin-password-1', role: 'admin' },
  viewer: { name: 'vic', password: 'vic-viewer-password-1', role: 'viewer' },
} as const;

/** BATON_USERS for the two test users (JSON form). Hashes with a small N: tests need speed, not strength. */
export async function usersEnv(): Promise<string> {
  const entries = await Promise.all(
    Object.values(USERS).map(async (u) => ({ name: u.name, role: u.role, hash: await hashPassword(u.password, { N: 1024, r: 8, p: 1 }) })),
  );
  return JSON.stringify(entries);
}

export interface Reply {
  status: number;
  text: string;
  headers: Headers;
  location: string | null;
}

export class DashboardClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method: string, path: string, o: { form?: Record<string, string>; accept?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        accept: o.accept ?? 'text/html',
        ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}),
        ...(o.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...this.headers,
        ...o.headers,
      },
      body: o.form ? new URLSearchParams(o.form).toString() : undefined,
    });
    this.keep(res);
    return { status: res.status, text: await res.text(), headers: res.headers, location: res.headers.get('location') };
  }

  get(path: string, accept?: string): Promise<Reply> {
    return this.request('GET', path, { accept });
  }

  post(path: string, form: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, { form });
  }

  /** The _csrf value of the first form on a page. */
  static csrfOf(page: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(page);
    if (!m) throw new Error('no CSRF token on the page');
    return m[1]!;
  }

  async login(name: string, password: string): Promise<Reply> {
    const page = await this.get('/login');
    return this.post('/login', { _csrf: DashboardClient.csrfOf(page.text), name, password, next: '/' });
  }

  async csrf(path = '/'): Promise<string> {
    return DashboardClient.csrfOf((await this.get(path)).text);
  }
}
