// Builds one process's dependencies from the config: logger, store (migrated), Redis, queues,
// mappings and connectors. Server and worker processes share this; each uses what it needs.
import type { Redis } from 'ioredis';
import type { BatonConfig } from '../config/read-env-options.js';
import { processEnv, type Env } from '../config/environment.js';
import { createLogger, type Logger } from '../log/create-logger.js';
import { openStore, describeStore, pingStore, type Store } from '../store/database.js';
import { migrateToLatest } from '../store/migrations.js';
import { recordDryRun } from '../store/dry-run-repo.js';
import { createRunLeases, runLeaseTtlMs } from '../../jobs/run-lease.js';
import { runFencing } from '../../connectors/common/run-fence.js';
import { createProducerConnection, checkEvictionPolicy } from '../queue/redis-connection.js';
import { createQueues, type BatonQueues } from '../queue/queues.js';
import { formatMappingError, type LoadedMapping, type MappingError } from '../mapping/load-mappings.js';
import { resolveStoreTarget } from '../store/database-target.js';
import { explainStoreFailure } from '../store/explain-store-failure.js';
import { loadRequiredMappings } from './require-mappings.js';
import { redisFailure, StartupError } from './startup-error.js';
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

/**
 * Throws a StartupError (what failed, the value, the fix) when the process cannot work: no valid mapping,
 * the store cannot be opened or migrated, Redis is not reachable. `env`: what `${NAME}` in the mappings reads
 * (default: this process's environment).
 */
export async function buildRuntime(config: BatonConfig, opts: { logger?: Logger; env?: Env } = {}): Promise<Runtime> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel, secrets: config.secrets });
  // First the mappings: local, cheap, and without one there is nothing to run.
  const loaded = await loadRequiredMappings(config.mappingsDir, opts.env ?? processEnv());
  for (const e of loaded.errors) {
    logger.error({ mappingError: formatMappingError(e) }, `mapping rejected: ${formatMappingError(e)} (deals it would match are not handed off until it is fixed)`);
  }
  logger.info({ mappings: loaded.mappings.map((m) => m.mapping.name), dir: config.mappingsDir }, 'mappings loaded');
  let mappings: LoadedMapping[] = loaded.mappings;

  const location = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
  let store: Store | undefined;
  try {
    store = openStore({ ...location, onPoolError: (err) => logger.warn({ err: err.message }, 'database connection lost; queries will retry') });
    await migrateToLatest(store);
  } catch (e) {
    await store?.close().catch(() => {});
    throw new StartupError(explainStoreFailure(e, resolveStoreTarget(location)), { cause: e });
  }
  logger.info({ store: describeStore(location) }, 'store ready');

  const redis = createProducerConnection(config.redisUrl, config.redisOptions);
  let lastRedisError: unknown;
  redis.on('error', (err) => {
    lastRedisError = err;
    logger.debug({ err: err.message }, 'redis connection error');
  });
  try {
    await waitForRedis(redis);
  } catch {
    redis.disconnect();
    await store.close();
    throw redisFailure(config.redisUrl, lastRedisError);
  }
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
  const jobDeps: JobDeps = { config, logger, store, queues, mappings: () => mappings, connectors: connectors.registry, now: () => new Date(), metrics, leases, fencing: runFencing };
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

/** Redis gets a moment to come up (it may start beside Baton); the caller says why it did not. */
async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('Redis did not become ready')), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
