// Headers and abuse limits for every route. helmet sets the standard security headers (the dashboard
// and bull-board then set their own stricter Content-Security-Policy). The failed-request limiter
// slows down anyone probing the public endpoints: only 4xx answers count, so HubSpot's legitimate
// bursts (all 2xx) are never limited, however large.
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';

/** The public endpoints a stranger can reach without a session (the dashboard has its own login limit). */
export const LIMITED_PATHS = ['/webhooks', '/slack', '/feedback', '/api', '/metrics'];

export function securityHeaders(publicUrl: string): RequestHandler {
  return helmet({
    // HSTS only when Baton is served over https, and never for sibling hosts of the company domain.
    strictTransportSecurity: publicUrl.startsWith('https://') ? { maxAge: 15_552_000, includeSubDomains: false } : false,
  });
}

export function failedRequestLimiter(perMinute: number, onLimited?: (path: string) => void): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Forged X-Forwarded-For headers are expected from attackers; trust is set by BATON_TRUST_PROXY_HOPS.
    validate: { xForwardedForHeader: false },
    handler: (req, res, _next, options) => {
      onLimited?.(req.baseUrl || req.path);
      res.status(options.statusCode).json({ error: 'too many rejected requests from this address; try again later' });
    },
  });
}
