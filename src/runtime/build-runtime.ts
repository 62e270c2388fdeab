// Builds one process's dependencies from the config: logger, store (migrated), Redis, queues,
// mappings and connectors. Server and worker processes share this; each uses what it needs.
import type { Redis } from 'ioredis';
import type { BatonConfig } from '../config/read-env-options.js';
import { createLogger, type Logger } from '../log/create-logger.js';
import { openStore, describeStore, pingStore, type Store } from '../store/database.js';
import { migrateToLatest } from '../store/migrations.js';
import { recordDryRun } from '../store/dry-run-repo.js';
import { createRunLeases, runLeaseTtlMs } from '../../jobs/run-lease.js';
import { createProducerConnection, checkEvictionPolicy } from '../queue/redis-connection.js';
import { createQueues, type BatonQueues } from '../queue/queues.js';
import { loadMappingsFromDir, formatMappingError, type LoadedMapping, type MappingError } from '../mapping/load-mappings.js';
import { HealthMonitor } from './health-monitor.js';
import { buildConnectors, type Connectors } from './build-connectors.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { observeOutgoingHttp } from '../observability/outgoing-http-metrics.js';
import { startTracing, stopTracing } from '../observability/tracing.js';
import type { Telemetry } from 'bullmq';
import type { DryRunSink } from '../handoff/ports.js';
import type { JobDeps } from '../../jobs/job-deps.js';

export interface Runtime {
  config: BatonConfig;
  logger: Logger;
  store: Store;
  redis: Redis;
  queues: BatonQueues;
  health: HealthMonitor;
  mappingErrors: MappingError[];
  metrics: Metrics;
  connectors: Connectors;
  jobDeps: JobDeps;
  /** BullMQ telemetry for every Queue and Worker when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT); else undefined. */
  telemetry?: Telemetry;
  close(): Promise<void>;
}

export async function buildRuntime(config: BatonConfig, opts: { logger?: Logger } = {}): Promise<Runtime> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel, secrets: config.secrets });
  const store = openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onPoolError: (err) => logger.warn({ err: err.message }, 'database connection lost; queries will retry'),
  });
  await migrateToLatest(store);
  logger.info({ store: describeStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }) }, 'store ready');

  const redis = createProducerConnection(config.redisUrl, config.redisOptions);
  redis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  await waitForRedis(redis, config.redisUrl);
  const eviction = await checkEvictionPolicy(redis);
  if (eviction) logger.warn(eviction);
  // Before the queues: a Queue takes its telemetry at construction.
  const telemetry = await startTracing(config.tracing, logger);
  const queues = createQueues(redis, config.queuePrefix, telemetry);
  // Without a listener BullMQ prints every reconnect error of an outage to the console; the health monitor reports outages.
  for (const q of queues.all()) q.on('error', (err) => logger.debug({ queue: q.name, err: err.message }, 'queue redis error'));

  const health = new HealthMonitor(redis, () => pingStore(store), logger);
  await health.check();
  health.start();

  const loaded = await loadMappingsFromDir(config.mappingsDir, process.env);
  for (const e of loaded.errors) logger.error({ mappingError: formatMappingError(e) }, 'mapping rejected');
  logger.info({ mappings: loaded.mappings.map((m) => m.mapping.name), dir: config.mappingsDir }, 'mappings loaded');
  let mappings: LoadedMapping[] = loaded.mappings;

  const sink: DryRunSink = { record: (r) => recordDryRun(store, r) };
  const metrics = createMetrics();
  metrics.watchQueues(queues.all());
  const stopHttpMetrics = observeOutgoingHttp(metrics.apiRequests, {
    hubspot: config.hubspot.apiBaseUrl,
    jira: config.jira.baseUrl,
    slack: config.slack.apiUrl,
    asana: config.asana.baseUrl,
  });
  const connectors = buildConnectors(config, redis, sink, logger, metrics);
  const leases = createRunLeases(redis, config.queuePrefix, runLeaseTtlMs(config));
  const jobDeps: JobDeps = { config, logger, store, queues, mappings: () => mappings, connectors: connectors.registry, now: () => new Date(), metrics, leases };
  logger.info(
    { crm: connectors.crm.mode, jira: connectors.workTools.jira.mode, asana: connectors.workTools.asana.mode, slack: connectors.chat.mode, writeBack: connectors.crmWriter.mode },
    'connectors',
  );

  return {
    config,
    logger,
    store,
    redis,
    queues,
    health,
    mappingErrors: loaded.errors,
    metrics,
    connectors,
    jobDeps,
    telemetry,
    async close() {
      stopHttpMetrics();
      health.stop();
      await queues.close();
      if (telemetry) await stopTracing(); // exports the last spans (workers close before the runtime)
      redis.disconnect();
      await store.close();
      mappings = [];
    },
  };
}

async function waitForRedis(redis: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`Redis at ${url.replace(/\/\/[^@]*@/, '//***@')} is not reachable: start Redis or set REDIS_URL`)), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
