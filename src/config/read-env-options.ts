// Env is read once, validated with zod, into one typed options object (Probot's read-env-options).
// Every problem is reported at once, one line each, so an operator fixes them in one pass.
import { z } from 'zod';
import { parseDuration } from '../handoff/durations.js';
import { parseUsers, type DashboardUser } from './parse-users.js';
import type { OidcSettings } from './oidc-settings.js';
import { showValue } from './show-value.js';

function durationCheck(text: string, ctx: z.RefinementCtx): void {
  try {
    parseDuration(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
  }
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const httpUrl = () => z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const optionalUrl = () => z.preprocess(emptyToUndefined, httpUrl().optional());
const urlOr = (fallback: string) => z.preprocess(emptyToUndefined, httpUrl().default(fallback));
// One message for every way a number can be wrong (not a number, a fraction, out of range): it says what to set.
// (A schema-level `error` would otherwise also stand for the range checks: PORT=70000 said "expected a number".)
const int = (fallback: number, min: number, max: number, expected = `expected a whole number from ${min} to ${max}`) =>
  z.preprocess(emptyToUndefined, z.coerce.number({ error: expected }).int(expected).min(min, expected).max(max, expected).default(fallback));
/** A TCP port to listen on; 0 asks the system for any free port (tests, several workers on one machine). */
const port = (fallback: number) => int(fallback, 0, 65535, 'expected a port number from 1 to 65535 (or 0 for any free port)');

/** A JSON object in one env var (ioredis options such as Sentinel's `sentinels` and `name`). */
const jsonObject = z.preprocess(
  (v, ctx) => {
    if (typeof v !== 'string' || v.trim() === '') return undefined;
    try {
      return JSON.parse(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object' });
      return z.NEVER;
    }
  },
  z.record(z.string(), z.unknown(), { error: 'expected a JSON object' }).optional(),
);

/** HUBSPOT_SIGNATURE_VERSIONS: which HubSpot signature versions are accepted; v3 (the one with a replay window) always. */
const SIGNATURE_VERSIONS = ['v1', 'v2', 'v3'] as const;
const signatureVersions = z.preprocess(
  emptyToUndefined,
  z.string().default('v3').transform((text, ctx) => {
    const list = [...new Set(text.split(',').map((v) => v.trim().toLowerCase()).filter(Boolean))];
    const unknown = list.filter((v) => !(SIGNATURE_VERSIONS as readonly string[]).includes(v));
    if (unknown.length > 0 || !list.includes('v3')) {
      ctx.addIssue({
        code: 'custom',
        message: `${unknown.length > 0 ? `unknown version ${unknown.join(', ')}` : 'v3 is missing'}: expected v3, or v3,v2 for workflow "Send a webhook" actions (v1 and v2 have no timestamp, so no replay window)`,
      });
      return z.NEVER;
    }
    return list as (typeof SIGNATURE_VERSIONS)[number][];
  }),
);

const rate = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: 'expected a number of requests per second above 0, at most 10000' }).positive('must be above 0').max(10_000, 'must be at most 10000').default(fallback),
  );

/** Where a `baton worker` answers /healthz and /metrics unless BATON_WORKER_PORT says otherwise (Prometheus exporters' usual port). */
export const DEFAULT_WORKER_PORT = 9464;

const EnvSchema = z
  .object({
    PORT: port(3000),
    BATON_HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
    BATON_PUBLIC_URL: optionalUrl(),
    REDIS_URL: z.preprocess(
      emptyToUndefined,
      z.string().regex(/^rediss?:\/\//, 'expected redis:// or rediss://').default('redis://127.0.0.1:6379'),
    ),
    BATON_REDIS_OPTIONS: jsonObject,
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z.string().regex(/^(postgres(ql)?:\/\/|sqlite:|file:)/, 'expected postgres://…, sqlite:<path> or unset for ./data/baton.db').optional(),
    ),
    BATON_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
    MAPPINGS_DIR: z.preprocess(emptyToUndefined, z.string().default('./mappings')),
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    BATON_QUEUE_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('baton')),
    BATON_WORKER_CONCURRENCY: int(10, 1, 500),
    BATON_RECONCILE_EVERY_SECONDS: int(900, 0, 86_400),
    BATON_INBOX_SWEEP_SECONDS: int(60, 0, 86_400),
    BATON_RESUME_EVERY_SECONDS: int(60, 0, 86_400),
    BATON_JOB_LOCK_MS: int(30_000, 1_000, 600_000),
    BATON_NUDGE_DELAY_SECONDS: int(60, 0, 86_400),
    BATON_WEBHOOK_MAX_BYTES: int(1_048_576, 1024, 20_971_520),
    BATON_UNAUTH_FAILURES_PER_MINUTE: int(300, 0, 1_000_000),
    BATON_TRUST_PROXY_HOPS: int(0, 0, 10),
    BATON_API_TOKEN: optionalString,
    BATON_METRICS_TOKEN: optionalString,
    BATON_WORKER_PORT: port(DEFAULT_WORKER_PORT),
    BATON_WORKER_METRICS_PORT: port(0),
    BATON_SAMPLE_DEALS_DIR: optionalString,
    HUBSPOT_ACCESS_TOKEN: optionalString,
    HUBSPOT_CLIENT_SECRET: optionalString,
    HUBSPOT_SIGNATURE_VERSIONS: signatureVersions,
    HUBSPOT_API_BASE_URL: urlOr('https://api.hubapi.com'),
    HUBSPOT_APP_ID: optionalString,
    HUBSPOT_PORTAL_ID: optionalString,
    JIRA_BASE_URL: optionalUrl(),
    JIRA_EMAIL: optionalString,
    JIRA_API_TOKEN: optionalString,
    JIRA_PROJECT_KEY: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Z][A-Z0-9_]+$/, 'expected a Jira project key like DEL').default('DEL')),
    SLACK_BOT_TOKEN: optionalString,
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_API_URL: urlOr('https://slack.com/api/'),
    SLACK_ESCALATION_CHANNEL: optionalString,
    ASANA_ACCESS_TOKEN: optionalString,
    ASANA_WORKSPACE_GID: optionalString,
    HUBSPOT_REQUESTS_PER_SECOND: rate(9),
    JIRA_REQUESTS_PER_SECOND: rate(10),
    // How long Jira's search may lag behind a create whose answer was lost (connectors/jira/ambiguous-create.ts).
    JIRA_SEARCH_SETTLE_SECONDS: int(60, 0, 3_600),
    SLACK_REQUESTS_PER_SECOND: rate(20),
    SLACK_MESSAGES_PER_SECOND_PER_CHANNEL: rate(1),
    ASANA_REQUESTS_PER_SECOND: rate(2.5),
    BATON_HTTP_TIMEOUT_MS: int(15_000, 1_000, 120_000),
    BATON_CIRCUIT_FAILURES: int(5, 0, 1_000),
    BATON_CIRCUIT_OPEN_SECONDS: int(30, 1, 3_600),
    ASANA_BASE_URL: urlOr('https://app.asana.com/api/1.0'),
    // Watching the handoff (docs/watching.md).
    JIRA_WEBHOOK_SECRET: optionalString,
    ASANA_WEBHOOK_SECRET: optionalString,
    BATON_FEEDBACK_FORM_SECRET: optionalString,
    BATON_WATCH_POLL_SECONDS: int(300, 0, 86_400),
    // Handled inbox events and webhook delivery ids are kept this long (docs/operations.md). At least 2 days:
    // longer than every redelivery window (HubSpot retries for 24 hours), so dedupe never forgets an event
    // that can still come back.
    BATON_INBOX_RETENTION_DAYS: z.preprocess(
      emptyToUndefined,
      z.coerce
        .number({ error: 'expected a number of days' })
        .int('expected a whole number of days')
        .min(2, 'must be at least 2 days: HubSpot redelivers for 24 hours, and dedupe must remember an event longer than that')
        .max(3_650, 'must be at most 3650 days')
        .default(30),
    ),
    BATON_SNOOZE_SECONDS: int(86_400, 1, 30 * 86_400),
    BATON_FEEDBACK_REMINDER: z.preprocess(emptyToUndefined, z.string().default('3 business days').superRefine(durationCheck)),
    // Dashboard sign-in (docs/dashboard.md). BATON_USERS is parsed below (its problems name the entry).
    BATON_USERS: optionalString,
    BATON_SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 48`)').optional()),
    BATON_SESSION_HOURS: int(12, 1, 720),
    // Company SSO for the dashboard (OpenID Connect, docs/dashboard.md): issuer, client id and secret together.
    OIDC_ISSUER_URL: optionalUrl(),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    OIDC_LABEL: z.preprocess(emptyToUndefined, z.string().max(60).default('Company SSO')),
    OIDC_SCOPES: z.preprocess(emptyToUndefined, z.string().default('openid email profile')),
    OIDC_GROUPS_CLAIM: z.preprocess(emptyToUndefined, z.string().default('groups')),
    OIDC_ADMIN_GROUPS: optionalString,
    OIDC_VIEWER_GROUPS: optionalString,
    // OpenTelemetry tracing (docs/operations.md): the standard OTel variables; no endpoint = tracing off.
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl(),
    OTEL_SERVICE_NAME: z.preprocess(emptyToUndefined, z.string().default('baton')),
    OTEL_TRACES_SAMPLER: optionalString,
  });

/** MAPPINGS_DIR as `validate` and `preview` default to it (the same default as the running processes). */
export function defaultMappingsDir(env: Record<string, string | undefined>): string {
  return env.MAPPINGS_DIR?.trim() || './mappings';
}

/** Half a Jira configuration is a mistake, not dry-run: name the missing pieces. */
function incompleteGroups(env: Record<string, string | undefined>): string[] {
  const groups = [
    { keys: ['JIRA_BASE_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN'], otherwise: 'or unset them all for dry-run' },
    { keys: ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'], otherwise: 'or unset them all: no SSO' },
  ];
  return groups.flatMap(({ keys, otherwise }) => {
    const set = keys.filter((k) => (env[k] ?? '').trim() !== '');
    if (set.length === 0 || set.length === keys.length) return [];
    return keys.filter((k) => !set.includes(k)).map((k) => `${k}: required when ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set (${otherwise})`);
  });
}

const listOf = (v: string | undefined) => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);

export interface BatonConfig {
  port: number;
  host: string;
  publicUrl: string;
  redisUrl: string;
  /** Extra ioredis options for every connection (BATON_REDIS_OPTIONS), e.g. Sentinel. */
  redisOptions: Record<string, unknown>;
  databaseUrl: string | undefined;
  dataDir: string;
  mappingsDir: string;
  logLevel: string;
  queuePrefix: string;
  workerConcurrency: number;
  reconcileEveryMs: number;
  /** Handled inbox events and webhook delivery ids older than this are pruned (BATON_INBOX_RETENTION_DAYS). */
  inboxRetentionMs: number;
  /** How often inbox events left pending get their route job back (jobs/inbox-sweep.ts); 0 = never. */
  inboxSweepEveryMs: number;
  /** How often the store is swept for unfinished handoffs whose job Redis lost (jobs/resume-lost-handoffs.ts); 0 = never. */
  resumeEveryMs: number;
  /** How long a job's lock lives without renewal: a killed worker's job is taken over after about this long. */
  jobLockMs: number;
  /** Quiet period before a pre-close nudge is sent, so a burst of deal edits yields one DM. */
  nudgeDelayMs: number;
  webhookMaxBytes: number;
  /** Rejected requests (4xx) one client IP may make per minute on the public endpoints; 0 = no limit. */
  unauthFailuresPerMinute: number;
  /** Reverse proxies in front of Baton whose X-Forwarded-For is trusted for the client IP (0 = none). */
  trustProxyHops: number;
  apiToken: string | undefined;
  /** Bearer token for /metrics; unset = /metrics is open (it carries counts only, no client data). */
  metricsToken: string | undefined;
  /**
   * Port of a `baton worker`'s own listener: /healthz (the container's health signal) and /metrics (its job
   * counters live in its own process). Always on; 0 = any free port (several workers on one machine).
   */
  workerPort: number;
  sampleDealsDir: string | undefined;
  hubspot: {
    accessToken?: string;
    clientSecret?: string;
    /** Signature versions /webhooks/hubspot accepts: v3 always, v2/v1 (no replay window) only when listed. */
    signatureVersions: ('v1' | 'v2' | 'v3')[];
    apiBaseUrl: string;
    appId?: string;
    portalId?: string;
  };
  jira: { baseUrl?: string; email?: string; apiToken?: string; projectKey: string; searchSettleMs: number };
  slack: { botToken?: string; signingSecret?: string; apiUrl: string; escalationChannel?: string };
  asana: { accessToken?: string; baseUrl: string; workspaceGid?: string };
  /** Sustained request rates per downstream system, shared by all workers through Redis. */
  rates: { hubspot: number; jira: number; slack: number; slackPerChannel: number; asana: number };
  /** Timeout of every outgoing API request. */
  httpTimeoutMs: number;
  /** Per-connector circuit breaker shared through Redis: consecutive failures that open it (0 = off), cooldown. */
  circuit: { failures: number; openMs: number };
  /** Watching the handoff (issue #4): webhooks from the delivery tools, polling, snoozes, feedback. */
  watch: {
    /** Verifies Jira's X-Hub-Signature; unset = POST /webhooks/jira refuses everything. */
    jiraWebhookSecret?: string;
    /** Required as ?token= on the Asana webhook URL before a handshake is accepted. */
    asanaWebhookSecret?: string;
    /** Signs the web feedback form links; unset = no web form (Slack modal only). */
    feedbackFormSecret?: string;
    /** Reconciliation: poll open handoffs' tasks this often (0 = off). */
    pollEveryMs: number;
    snoozeMs: number;
    /** Duration text: the one feedback reminder comes this long after the ask. */
    feedbackReminder: string;
  };
  /** Dashboard sign-in: users from BATON_USERS, the session-signing secret, session lifetime. */
  dashboard: { users: DashboardUser[]; sessionSecret: string | undefined; sessionTtlMs: number; oidc: OidcSettings | null };
  /** OpenTelemetry: the OTLP/HTTP traces URL (undefined = tracing off), the service name, and OTEL_TRACES_SAMPLER when set. */
  tracing: { tracesUrl: string | undefined; serviceName: string; sampler?: string | undefined };
  /** Every secret value, so the logger can scrub them from any string that reaches a log line. */
  secrets: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (fix these variables in the environment or in .env):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** `PORT=70000: expected …`: the value is shown unless it is a secret (show-value.ts; URL passwords masked). */
function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const variable = issue.path.map(String).join('.') || 'env';
  const shown = showValue(variable, env[variable]);
  if (shown === null) return `${variable}: ${issue.message}`;
  return `${variable}=${/^[^\s"']+$/.test(shown) ? shown : JSON.stringify(shown)}: ${issue.message}`;
}

export function readEnvOptions(env: Record<string, string | undefined> = process.env): BatonConfig {
  const parsed = EnvSchema.safeParse(env);
  // Values are echoed only when they are not secrets (show-value.ts).
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => describeIssue(i, env));
  problems.push(...incompleteGroups(env));
  const users = parseUsers(env.BATON_USERS);
  problems.push(...users.problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data!;
  const secrets = [e.HUBSPOT_ACCESS_TOKEN, e.HUBSPOT_CLIENT_SECRET, e.JIRA_API_TOKEN, e.SLACK_BOT_TOKEN, e.SLACK_SIGNING_SECRET, e.ASANA_ACCESS_TOKEN, e.BATON_API_TOKEN, e.BATON_METRICS_TOKEN, e.BATON_SESSION_SECRET,
    e.JIRA_WEBHOOK_SECRET, e.OIDC_CLIENT_SECRET, e.ASANA_WEBHOOK_SECRET, e.BATON_FEEDBACK_FORM_SECRET]
    .concat(Object.entries(e.BATON_REDIS_OPTIONS ?? {}).filter(([k]) => /password/i.test(k)).map(([, v]) => String(v)))
    .filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return {
    port: e.PORT,
    host: e.BATON_HOST,
    publicUrl: (e.BATON_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    redisUrl: e.REDIS_URL,
    redisOptions: e.BATON_REDIS_OPTIONS ?? {},
    databaseUrl: e.DATABASE_URL,
    dataDir: e.BATON_DATA_DIR,
    mappingsDir: e.MAPPINGS_DIR,
    logLevel: e.LOG_LEVEL,
    queuePrefix: e.BATON_QUEUE_PREFIX,
    workerConcurrency: e.BATON_WORKER_CONCURRENCY,
    reconcileEveryMs: e.BATON_RECONCILE_EVERY_SECONDS * 1000,
    inboxRetentionMs: e.BATON_INBOX_RETENTION_DAYS * 86_400_000,
    inboxSweepEveryMs: e.BATON_INBOX_SWEEP_SECONDS * 1000,
    resumeEveryMs: e.BATON_RESUME_EVERY_SECONDS * 1000,
    jobLockMs: e.BATON_JOB_LOCK_MS,
    nudgeDelayMs: e.BATON_NUDGE_DELAY_SECONDS * 1000,
    webhookMaxBytes: e.BATON_WEBHOOK_MAX_BYTES,
    unauthFailuresPerMinute: e.BATON_UNAUTH_FAILURES_PER_MINUTE,
    trustProxyHops: e.BATON_TRUST_PROXY_HOPS,
    apiToken: e.BATON_API_TOKEN,
    metricsToken: e.BATON_METRICS_TOKEN,
    // BATON_WORKER_METRICS_PORT is the listener's former name (it was off by default): still honoured when set.
    workerPort: e.BATON_WORKER_METRICS_PORT > 0 ? e.BATON_WORKER_METRICS_PORT : e.BATON_WORKER_PORT,
    sampleDealsDir: e.BATON_SAMPLE_DEALS_DIR,
    hubspot: {
      accessToken: e.HUBSPOT_ACCESS_TOKEN,
      clientSecret: e.HUBSPOT_CLIENT_SECRET,
      signatureVersions: e.HUBSPOT_SIGNATURE_VERSIONS,
      apiBaseUrl: e.HUBSPOT_API_BASE_URL,
      appId: e.HUBSPOT_APP_ID,
      portalId: e.HUBSPOT_PORTAL_ID,
    },
    jira: { baseUrl: e.JIRA_BASE_URL, email: e.JIRA_EMAIL, apiToken: e.JIRA_API_TOKEN, projectKey: e.JIRA_PROJECT_KEY, searchSettleMs: e.JIRA_SEARCH_SETTLE_SECONDS * 1000 },
    slack: { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, apiUrl: e.SLACK_API_URL, escalationChannel: e.SLACK_ESCALATION_CHANNEL },
    asana: { accessToken: e.ASANA_ACCESS_TOKEN, baseUrl: e.ASANA_BASE_URL, workspaceGid: e.ASANA_WORKSPACE_GID },
    rates: {
      hubspot: e.HUBSPOT_REQUESTS_PER_SECOND,
      jira: e.JIRA_REQUESTS_PER_SECOND,
      slack: e.SLACK_REQUESTS_PER_SECOND,
      slackPerChannel: e.SLACK_MESSAGES_PER_SECOND_PER_CHANNEL,
      asana: e.ASANA_REQUESTS_PER_SECOND,
    },
    httpTimeoutMs: e.BATON_HTTP_TIMEOUT_MS,
    circuit: { failures: e.BATON_CIRCUIT_FAILURES, openMs: e.BATON_CIRCUIT_OPEN_SECONDS * 1000 },
    watch: {
      jiraWebhookSecret: e.JIRA_WEBHOOK_SECRET,
      asanaWebhookSecret: e.ASANA_WEBHOOK_SECRET,
      feedbackFormSecret: e.BATON_FEEDBACK_FORM_SECRET,
      pollEveryMs: e.BATON_WATCH_POLL_SECONDS * 1000,
      snoozeMs: e.BATON_SNOOZE_SECONDS * 1000,
      feedbackReminder: e.BATON_FEEDBACK_REMINDER,
    },
    dashboard: {
      users: users.users,
      sessionSecret: e.BATON_SESSION_SECRET,
      sessionTtlMs: e.BATON_SESSION_HOURS * 3600_000,
      oidc:
        e.OIDC_ISSUER_URL && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
          ? {
              issuerUrl: e.OIDC_ISSUER_URL,
              clientId: e.OIDC_CLIENT_ID,
              clientSecret: e.OIDC_CLIENT_SECRET,
              label: e.OIDC_LABEL,
              scopes: e.OIDC_SCOPES,
              groupsClaim: e.OIDC_GROUPS_CLAIM,
              adminGroups: listOf(e.OIDC_ADMIN_GROUPS),
              viewerGroups: listOf(e.OIDC_VIEWER_GROUPS),
            }
          : null,
    },
    // As the OTel spec says: the signal-specific URL is used as is, the general endpoint gets /v1/traces.
    tracing: {
      tracesUrl: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT && `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`),
      serviceName: e.OTEL_SERVICE_NAME,
      sampler: e.OTEL_TRACES_SAMPLER,
    },
    secrets,
  };
}
