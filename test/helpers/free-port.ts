import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
  });
}

/**
 * PORT and BATON_PUBLIC_URL for a Baton listening on a free local port. A sender (the HubSpot stand-in, a
 * browser coming back from sign-in) must reach the URL Baton believes is its own: HubSpot's v3 signature
 * covers it, and so does an OIDC redirect URI.
 */
export async function ownAddressEnv(): Promise<{ PORT: string; BATON_PUBLIC_URL: string }> {
  const port = await freePort();
  return { PORT: String(port), BATON_PUBLIC_URL: `http://127.0.0.1:${port}` };
}
