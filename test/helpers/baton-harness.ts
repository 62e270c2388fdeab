// A whole Baton (server + workers) in the test process against the real Redis and a real database,
// isolated by a fresh queue prefix and a fresh SQLite file (or a given DATABASE_URL).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { readEnvOptions } from '../../src/config/read-env-options.js';
import { createLogger } from '../../src/log/create-logger.js';
import { buildRuntime, type Runtime } from '../../src/runtime/build-runtime.js';
import { startServer } from '../../src/runtime/start-server.js';
import { startWorkers, type RunningWorkers } from '../../src/runtime/start-workers.js';
import { signHubSpotRequest } from '../../connectors/hubspot/sign-request.js';

export const TEST_SECRET = 'test-hubspot-client-secret-1234';
export const TEST_API_TOKEN = 'test-api-token-5678';
export const PUBLIC_URL = 'https://baton.test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Harness {
  rt: Runtime;
  url: string;
  env: Record<string, string>;
  logs: string[];
  workers: RunningWorkers | null;
  post(body: unknown, opts?: { version?: 'v1' | 'v2' | 'v3'; raw?: string; headers?: Record<string, string>; timestampMs?: number; secret?: string }): Promise<{ status: number; body: any }>;
  api(path: string): Promise<any>;
  close(): Promise<void>;
}

export async function startBaton(opts: { env?: Record<string, string>; workers?: boolean } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-test-'));
  const env: Record<string, string> = {
    PORT: '0',
    BATON_HOST: '127.0.0.1',
    BATON_PUBLIC_URL: PUBLIC_URL,
    REDIS_URL,
    DATABASE_URL: `sqlite:${join(dir, 'baton.db')}`,
    BATON_DATA_DIR: dir,
    BATON_QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    HUBSPOT_CLIENT_SECRET: TEST_SECRET,
    BATON_API_TOKEN: TEST_API_TOKEN,
    BATON_SAMPLE_DEALS_DIR: join(process.cwd(), 'mappings', 'samples'),
    MAPPINGS_DIR: join(process.cwd(), 'mappings'),
    BATON_JOB_LOCK_MS: '2000',
    // Local stand-ins answer in milliseconds; a short timeout also keeps a killed run's lease (timeout + 5 s) short.
    BATON_HTTP_TIMEOUT_MS: '5000',
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const logs: string[] = [];
  const config = readEnvOptions(env);
  const logger = createLogger({
    level: config.logLevel,
    secrets: config.secrets,
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  const rt = await buildRuntime(config, { logger });
  const server = await startServer(rt);
  const workers = opts.workers === false ? null : await startWorkers(rt);

  const harness: Harness = {
    rt,
    url: server.url,
    env,
    logs,
    workers,
    async post(body, o = {}) {
      const raw = o.raw ?? JSON.stringify(body);
      const signed = signHubSpotRequest({
        version: o.version ?? 'v3',
        method: 'POST',
        url: `${PUBLIC_URL}/webhooks/hubspot`,
        body: raw,
        clientSecret: o.secret ?? TEST_SECRET,
        timestampMs: o.timestampMs ?? Date.now(),
      });
      const res = await fetch(`${server.url}/webhooks/hubspot`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed, ...o.headers },
        body: raw,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* keep text */
      }
      return { status: res.status, body: parsed };
    },
    async api(path) {
      const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    async close() {
      await server.close();
      await workers?.close();
      await Promise.all(rt.queues.all().map((q) => q.obliterate({ force: true }).catch(() => undefined)));
      await rt.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A HubSpot app-webhook event (legacy format) for a deal's stage change. */
export function stageChange(dealId: number, stage: string, o: { eventId?: number; occurredAt?: number; attemptNumber?: number } = {}) {
  return {
    eventId: o.eventId ?? 1000 + dealId,
    subscriptionId: 4242,
    portalId: 62515,
    appId: 9090,
    occurredAt: o.occurredAt ?? Date.now() - 1000,
    subscriptionType: 'deal.propertyChange',
    attemptNumber: o.attemptNumber ?? 0,
    objectId: dealId,
    propertyName: 'dealstage',
    propertyValue: stage,
    changeSource: 'CRM_UI',
    sourceId: 'userId:864745280',
  };
}
