// pino with two layers of protection: key-based redaction for known secret-bearing fields, and a
// scrubber that replaces any configured secret value wherever it appears in a logged string
// (an SDK error message that echoes a token must not leak it either).
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hubspot-signature"]',
  'req.headers["x-hubspot-signature-v3"]',
  'req.headers["x-slack-signature"]',
  '*.accessToken',
  '*.apiToken',
  '*.token',
  '*.clientSecret',
  '*.signingSecret',
  '*.password',
  '*.secret',
  'config.secrets',
];

export interface LoggerOptions {
  level: string;
  secrets: string[];
  /** For tests: capture log lines. */
  destination?: DestinationStream;
}

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && out.includes(s)) out = out.split(s).join('[REDACTED]');
  return out;
}

function scrubValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value, secrets);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubSecrets(value.message, secrets), stack: value.stack ? scrubSecrets(value.stack, secrets) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, secrets, depth + 1);
  return out;
}

export function createLogger(opts: LoggerOptions): Logger {
  const secrets = opts.secrets.filter((s) => s.length >= 4);
  return pino(
    {
      level: opts.level,
      base: { service: 'baton' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: {
        logMethod(args, method) {
          if (secrets.length === 0) return method.apply(this, args);
          const cleaned = args.map((a) => scrubValue(a, secrets)) as Parameters<typeof method>;
          return method.apply(this, cleaned);
        },
      },
    },
    opts.destination,
  );
}
