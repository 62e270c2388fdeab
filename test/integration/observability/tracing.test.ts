// Optional OpenTelemetry tracing (issue 6): with an OTLP endpoint, one closed-won webhook's jobs (events →
// route → handoff) reach a stand-in collector as ONE trace; without one, nothing is loaded or registered.
// Tracing state is process-global: the Baton's close() must leave no OTel globals behind (asserted below).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, stageChange, waitFor, type Harness } from '../../helpers/baton-harness.js';
import { flushTracing, startTracing } from '../../../src/observability/tracing.js';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface CollectedSpan extends OtlpSpan {
  service: string | undefined;
  scope: string;
}

/** A minimal OTLP/HTTP collector: POST /v1/traces with JSON bodies (what @opentelemetry/exporter-trace-otlp-http sends). */
async function startCollector() {
  const state = { status: 200 };
  const spans: CollectedSpan[] = [];
  const requests: { path: string; contentType: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] });
      if (req.method !== 'POST' || req.url !== '/v1/traces' || state.status !== 200) {
        res.writeHead(req.url === '/v1/traces' ? state.status : 404).end();
        return;
      }
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const body = JSON.parse(raw.toString('utf8')) as {
        resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { scope?: { name: string }; spans?: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans ?? []) {
        const service = attr({ attributes: rs.resource?.attributes }, 'service.name');
        for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, service, scope: ss.scope?.name ?? '' });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, spans, requests, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function attr(span: { attributes?: OtlpAttribute[] | undefined }, key: string): string | undefined {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? String(v.intValue) : undefined);
}

/** What the OTel API has registered process-wide (tracer provider, context manager, propagator, diag). */
function otelGlobals(): string[] {
  const g = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return Object.keys(g ?? {}).filter((k) => k !== 'version' && g?.[k] !== undefined);
}

/** Whether an OTel SDK package has been loaded into this process (they are CommonJS: require.cache sees them). */
function sdkLoaded(): boolean {
  const cache = createRequire(import.meta.url).cache;
  return Object.keys(cache).some((k) => /[\\/](@opentelemetry[\\/](sdk-trace-node|exporter-trace-otlp-http)|bullmq-otel)[\\/]/.test(k));
}

async function handoffDone(b: Harness, dealId: string): Promise<string> {
  const h = await waitFor(async () => {
    const page = await b.api('/api/handoffs?limit=50');
    return (page.items as { id: string; dealId: string; status: string }[]).find((x) => x.dealId === dealId && x.status === 'done');
  }, `handoff for deal ${dealId} done`);
  return h.id;
}

describe('OpenTelemetry tracing across jobs', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(async () => {
    await collector?.close();
  });

  // First in the file on purpose: it checks that nothing OTel was loaded into this process yet.
  it('without an endpoint: nothing is loaded, registered or exported, and the handoff runs as before', async () => {
    const b = await startBaton();
    try {
      expect(b.rt.config.tracing).toEqual({ tracesUrl: undefined, serviceName: 'baton' });
      expect(b.rt.telemetry).toBeUndefined();
      expect(await startTracing(b.rt.config.tracing, b.rt.logger)).toBeUndefined();
      expect(b.rt.queues.all().every((q) => q.opts.telemetry === undefined)).toBe(true);
      expect(b.workers!.workers.every((w) => w.opts.telemetry === undefined)).toBe(true);

      expect((await b.post([stageChange(1001, 'closedwon', { eventId: 61 })])).status).toBe(200);
      await handoffDone(b, '1001');
      await flushTracing(); // a no-op when off

      expect(sdkLoaded()).toBe(false);
      expect(otelGlobals()).toEqual([]);
      expect(b.logs.join('')).not.toContain('tracing on');
    } finally {
      await b.close();
    }
    expect(collector.requests).toHaveLength(0);
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT: the events, route and handoff jobs of one webhook share one trace', async () => {
    const b = await startBaton({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/` } });
    try {
      expect(b.rt.config.tracing).toEqual({ tracesUrl: `${collector.url}/v1/traces`, serviceName: 'baton' });
      expect(b.rt.telemetry).toBeDefined();
      expect(b.rt.queues.all().every((q) => q.opts.telemetry === b.rt.telemetry)).toBe(true);
      expect(b.workers!.workers.every((w) => w.opts.telemetry === b.rt.telemetry)).toBe(true);
      // The counterparts of the checks the test above makes with tracing off.
      expect(sdkLoaded()).toBe(true);
      expect(otelGlobals()).toEqual(expect.arrayContaining(['trace', 'context', 'propagation']));

      expect((await b.post([stageChange(1001, 'closedwon', { eventId: 62 })])).status).toBe(200);
      const handoffId = await handoffDone(b, '1001');
      // The process span ends after the job is marked complete: flush until it has been exported.
      const handoffSpan = await waitFor(async () => {
        await flushTracing();
        return collector.spans.find((s) => s.name === 'process handoff' && attr(s, 'baton.handoff_id') === handoffId);
      }, 'the handoff job span at the collector');

      const trace = collector.spans.filter((s) => s.traceId === handoffSpan.traceId);
      const byId = new Map(trace.map((s) => [s.spanId, s]));
      // Walk parent links from the handoff job up to the root: the webhook's add to the events queue.
      const chain: CollectedSpan[] = [];
      for (let s: CollectedSpan | undefined = handoffSpan; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) chain.push(s);
      expect(chain.map((s) => s.name)).toEqual([
        'process handoff',
        'add handoff.run',
        'process route',
        'addBulk route',
        'process events',
        'add events.hubspot',
      ]);
      expect(chain.at(-1)!.parentSpanId ?? '').toBe(''); // the root: nothing above the webhook
      expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
      expect(attr(chain.find((s) => s.name === 'process route')!, 'baton.deal_id')).toBe('1001');
      expect(chain.every((s) => s.service === 'baton' && s.scope === 'baton')).toBe(true);
      // Only traces that start with work: BullMQ's housekeeping (empty getNextJob polls, stalled checks) is not exported.
      expect(collector.spans.filter((s) => !s.parentSpanId).every((s) => /^(add|addBulk|process) /.test(s.name))).toBe(true);
      expect(collector.requests.every((r) => r.path === '/v1/traces' && r.contentType?.startsWith('application/json'))).toBe(true);
    } finally {
      await b.close();
    }
    // close() shut the SDK down and unregistered its globals: later tests in this process start clean.
    expect(otelGlobals()).toEqual([]);
    expect(await startTracing({ tracesUrl: undefined, serviceName: 'baton' }, b.rt.logger)).toBeUndefined();
  });

  it('a collector that refuses spans is logged and never fails a handoff, a flush or close()', async () => {
    collector.state.status = 400; // not retried by the exporter, so this stays quick
    const sent = collector.requests.length;
    const b = await startBaton({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`, OTEL_SERVICE_NAME: 'baton-test' } });
    try {
      expect(b.rt.config.tracing).toEqual({ tracesUrl: `${collector.url}/v1/traces`, serviceName: 'baton-test' });
      expect((await b.post([stageChange(1001, 'closedwon', { eventId: 63 })])).status).toBe(200);
      await handoffDone(b, '1001');
      await flushTracing();
      expect(collector.requests.length).toBeGreaterThan(sent);
      expect(b.logs.join('')).toContain('tracing: could not export spans');
    } finally {
      await b.close();
      collector.state.status = 200;
    }
    expect(otelGlobals()).toEqual([]);
  });
});
