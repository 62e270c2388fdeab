// Optional OpenTelemetry tracing (docs/operations.md, "Tracing"). Off unless an OTLP endpoint is configured.
// When on, BullMQ's own spans (bullmq-otel) carry each job's trace context into the jobs it adds, so one
// webhook → events → route → handoff chain is one trace. The OTel packages are imported only when on, so
// a process without an endpoint loads and registers nothing.
import type { Telemetry } from 'bullmq';

/** The log calls tracing makes; structural, so observability needs nothing of src/log (a pino Logger fits). */
type Logger = Record<'info' | 'warn' | 'error', (fields: object, message: string) => void>;

export interface TracingOptions {
  /** Full OTLP/HTTP traces URL (…/v1/traces); undefined = tracing off. */
  tracesUrl: string | undefined;
  serviceName: string;
  /** OTEL_TRACES_SAMPLER (from the config): when set, the SDK takes its sampler from the environment instead of Baton's. */
  sampler?: string | undefined;
}

interface ActiveTracing {
  telemetry: Telemetry;
  logger: Logger;
  /** Runtimes in this process using it: the last one to close shuts it down. */
  refs: number;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  tag(attributes: Record<string, string>): void;
}

/** How long close() waits for the last spans to be exported. */
const SHUTDOWN_WAIT_MS = 5_000;

// Process-global, like the OTel API registrations it wraps.
let active: Promise<ActiveTracing> | undefined;
let tagActive: ((attributes: Record<string, string>) => void) | undefined;

/**
 * Starts tracing once per process (later calls share the first one, settings included) and returns the
 * telemetry every BullMQ Queue and Worker must get; undefined when no endpoint is set or the SDK fails to
 * load (logged: tracing must never stop the handoffs).
 */
export async function startTracing(opts: TracingOptions, logger: Logger): Promise<Telemetry | undefined> {
  if (!opts.tracesUrl) return undefined;
  const tracesUrl = opts.tracesUrl;
  const loading = (active ??= load({ ...opts, tracesUrl }, logger));
  try {
    const a = await loading;
    a.refs++;
    tagActive = a.tag;
    logger.info({ traces: new URL(tracesUrl).origin, serviceName: opts.serviceName }, 'tracing on (OTLP/HTTP)');
    return a.telemetry;
  } catch (err) {
    if (active === loading) active = undefined;
    logger.error({ err: errorText(err) }, 'tracing could not start; running without it');
    return undefined;
  }
}

/** Exports every ended span now (tests; before a planned exit). Never throws: a dead collector is logged. */
export async function flushTracing(): Promise<void> {
  if (!active) return;
  const a = await active;
  await a.flush().catch((err: unknown) => a.logger.warn({ err: errorText(err) }, 'tracing: could not export spans'));
}

/** Releases one startTracing; the last release flushes, shuts the SDK down and unregisters its globals. */
export async function stopTracing(): Promise<void> {
  if (!active) return;
  const a = await active;
  if (--a.refs > 0) return flushTracing();
  active = undefined;
  tagActive = undefined;
  // Shutdown exports what is buffered; a dead collector must not fail the caller's close().
  await a.shutdown().catch((err: unknown) => a.logger.warn({ err: errorText(err) }, 'tracing: could not export the last spans'));
}

/** Puts a job's handoff and deal ids on its `process` span (the active span inside a processor); no-op when off. */
export function tagJobSpan(ids: { handoffId?: string | undefined; dealId?: string | undefined }): void {
  if (!tagActive) return;
  const attributes: Record<string, string> = {};
  if (ids.handoffId) attributes['baton.handoff_id'] = ids.handoffId;
  if (ids.dealId) attributes['baton.deal_id'] = ids.dealId;
  tagActive(attributes);
}

async function load(opts: TracingOptions & { tracesUrl: string }, logger: Logger): Promise<ActiveTracing> {
  const [api, sdk, { OTLPTraceExporter }, resources, { BullMQOtel }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('bullmq-otel'),
  ]);
  // Export failures (collector down) surface as OTel diag errors; without a diag logger they vanish.
  api.diag.setLogger(
    {
      error: (message, ...args) => logger.warn({ otel: message, args: args.map(String) }, 'tracing: OpenTelemetry error'),
      warn: (message, ...args) => logger.warn({ otel: message, args: args.map(String) }, 'tracing: OpenTelemetry warning'),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: api.DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  // BullMQ also opens root spans for housekeeping (every empty getNextJob poll, stalled-job checks, close):
  // a trace each, forever. Traces may start only where work starts: a job added (PRODUCER) or taken without
  // a parent (CONSUMER, e.g. a scheduler's job); children follow their parent. OTEL_TRACES_SAMPLER overrides.
  const workRootsOnly: import('@opentelemetry/sdk-trace-node').Sampler = {
    shouldSample: (_ctx, _traceId, _name, kind) => ({
      decision:
        kind === api.SpanKind.PRODUCER || kind === api.SpanKind.CONSUMER ? sdk.SamplingDecision.RECORD_AND_SAMPLED : sdk.SamplingDecision.NOT_RECORD,
    }),
    toString: () => 'BatonWorkRootsOnly',
  };
  const provider = new sdk.NodeTracerProvider({
    // OTEL_RESOURCE_ATTRIBUTES still applies; the service name comes from the config (OTEL_SERVICE_NAME, default baton).
    resource: resources
      .defaultResource()
      .merge(resources.detectResources({ detectors: [resources.envDetector] }))
      .merge(resources.resourceFromAttributes({ 'service.name': opts.serviceName })),
    // OTLP/HTTP with JSON bodies (this exporter's encoding); headers, timeouts, compression: OTEL_EXPORTER_OTLP_* env.
    spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: opts.tracesUrl }))],
    ...(opts.sampler ? {} : { sampler: new sdk.ParentBasedSampler({ root: workRootsOnly }) }),
  });
  // Registers the provider, an AsyncLocalStorage context manager (a processor's queue.add sees its job's
  // span) and the W3C propagator bullmq-otel writes into each job's options.
  provider.register();
  const telemetry = new BullMQOtel({ tracerName: 'baton' });
  return {
    telemetry,
    logger,
    refs: 0,
    flush: () => provider.forceFlush(),
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      try {
        // The exporter retries a dead collector for ~10 s; the process's own shutdown deadline matters more.
        const gaveUp = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer from the collector within ${SHUTDOWN_WAIT_MS} ms`)), SHUTDOWN_WAIT_MS);
        });
        await Promise.race([provider.shutdown(), gaveUp]);
      } finally {
        clearTimeout(timer);
        // Unregister the globals so a later start (or another test file in this process) begins clean.
        api.trace.disable();
        api.context.disable();
        api.propagation.disable();
        api.diag.disable();
      }
    },
    tag: (attributes) => api.trace.getActiveSpan()?.setAttributes(attributes),
  };
}

/** OTel rejects with arrays of errors (one per failed export), not just Errors. */
function errorText(err: unknown): string {
  if (Array.isArray(err)) return err.map(errorText).join('; ');
  return err instanceof Error ? err.message : String(err);
}
