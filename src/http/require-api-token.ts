// Bearer-token guard for /api. No token configured means no access at all: client data lives here.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function requireApiToken(token: string | undefined, envName = 'BATON_API_TOKEN') {
  const expected = token ? digest(token) : null;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) {
      res.status(401).json({ error: `the API is disabled: set ${envName} to enable it` });
      return;
    }
    const m = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '');
    // Compare digests so lengths are equal and the comparison is constant-time.
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or invalid bearer token' });
      return;
    }
    next();
  };
}
