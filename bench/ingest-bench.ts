// Webhook ingest: a `baton server` process (no workers) against the real Redis, loaded by autocannon
// from this process with 20 connections and signed 20-event batches (v3 signatures, checked).
// Reports events/s sustained, ack latency p50/p99 and the server's RSS.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { signHubSpotRequest } from '../connectors/hubspot/sign-request.js';
import { waitHttp } from './wait-http.js';

export interface IngestResult {
  eventsPerSec: number;
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  rssMb: number;
  peakRssMb: number;
  durationS: number;
  batch: number;
  connections: number;
}

const SECRET = 'bench-secret-0000';
const PUBLIC_URL = 'https://baton.bench';

export async function runIngestBench(opts: { durationS?: number; batch?: number; connections?: number; port?: number } = {}): Promise<IngestResult> {
  const durationS = opts.durationS ?? 20;
  const batch = opts.batch ?? 20;
  const connections = opts.connections ?? 20;
  const port = opts.port ?? 3917;
  const dir = await mkdtemp(join(tmpdir(), 'baton-bench-'));
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const env = {
    ...process.env,
    PORT: String(port),
    BATON_HOST: '127.0.0.1',
    BATON_PUBLIC_URL: PUBLIC_URL,
    HUBSPOT_CLIENT_SECRET: SECRET,
    BATON_QUEUE_PREFIX: prefix,
    DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'server'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    await waitHttp(`http://127.0.0.1:${port}/readyz`);

    // 500 distinct signed batches, cycled; timestamps stay inside HubSpot's 5-minute window.
    const bodies: { body: string; headers: Record<string, string> }[] = [];
    const ts = Date.now();
    for (let i = 0; i < 500; i++) {
      const events = Array.from({ length: batch }, (_, j) => ({
        eventId: i * batch + j,
        subscriptionId: 4242,
        portalId: 62515,
        appId: 9090,
        occurredAt: ts - j,
        subscriptionType: 'deal.propertyChange',
        attemptNumber: 0,
        objectId: 100_000 + i * batch + j,
        propertyName: 'dealstage',
        propertyValue: 'closedwon',
        changeSource: 'CRM_UI',
        sourceId: 'userId:864745280',
      }));
      const body = JSON.stringify(events);
      bodies.push({
        body,
        headers: { 'content-type': 'application/json', ...signHubSpotRequest({ version: 'v3', method: 'POST', url: `${PUBLIC_URL}/webhooks/hubspot`, body, clientSecret: SECRET, timestampMs: ts }) },
      });
    }
    let n = 0;
    // Warm up (JIT, connections), then measure.
    await autocannon({ url: `http://127.0.0.1:${port}`, connections, duration: 3, requests: [{ method: 'POST', path: '/webhooks/hubspot', setupRequest: (r) => ({ ...r, ...bodies[n++ % bodies.length]! }) }] });
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections,
      duration: durationS,
      requests: [{ method: 'POST', path: '/webhooks/hubspot', setupRequest: (r) => ({ ...r, ...bodies[n++ % bodies.length]! }) }],
    });
    const status = await readFile(`/proc/${server.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return {
      eventsPerSec: Math.round((result.requests.average * batch)),
      requestsPerSec: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      rssMb: Math.round(kb('VmRSS') / 1024),
      peakRssMb: Math.round(kb('VmHWM') / 1024),
      durationS,
      batch,
      connections,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}:*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

