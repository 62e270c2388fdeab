// Prometheus metrics (prom-client), one registry per process. Counters are incremented where things
// happen; queue depths are read from Redis when /metrics is scraped, so they are never stale.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';

export interface Metrics {
  registry: Registry;
  webhooks: Counter<'source' | 'outcome'>;
  webhookEvents: Counter<'source' | 'outcome'>;
  jobs: Counter<'queue' | 'outcome'>;
  jobDuration: Histogram<'queue'>;
  steps: Counter<'step' | 'outcome'>;
  apiRequests: Counter<'connector' | 'status'>;
  rateLimitWait: Histogram<'connector'>;
  circuitTransitions: Counter<'connector' | 'to'>;
  escalations: Counter<'trigger' | 'outcome'>;
  rateLimited: Counter<'path'>;
  timeToKickoff: Histogram<'mapping'>;
  /** Inbox events still pending past the sweep's threshold, as the last sweep found them (jobs/inbox-sweep.ts). */
  inboxStuck: Gauge;
  /** Registers the queues whose depth is reported on each scrape. */
  watchQueues(queues: Queue[]): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'baton_' });
  const queues: Queue[] = [];
  const m: Metrics = {
    registry,
    webhooks: new Counter({ name: 'baton_webhooks_total', help: 'Webhook requests by source and outcome (accepted, ignored, or the rejection reason)', labelNames: ['source', 'outcome'], registers: [registry] }),
    webhookEvents: new Counter({ name: 'baton_webhook_events_total', help: 'Events in accepted webhook requests', labelNames: ['source', 'outcome'], registers: [registry] }),
    jobs: new Counter({ name: 'baton_jobs_total', help: 'Jobs finished by queue and outcome', labelNames: ['queue', 'outcome'], registers: [registry] }),
    jobDuration: new Histogram({ name: 'baton_job_duration_seconds', help: 'Job processing time', labelNames: ['queue'], buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] }),
    steps: new Counter({ name: 'baton_handoff_steps_total', help: 'Handoff step outcomes', labelNames: ['step', 'outcome'], registers: [registry] }),
    apiRequests: new Counter({ name: 'baton_external_requests_total', help: 'Requests to external APIs by connector and HTTP status (or network error code)', labelNames: ['connector', 'status'], registers: [registry] }),
    rateLimitWait: new Histogram({ name: 'baton_rate_limit_wait_seconds', help: 'Time spent waiting for a shared rate-limit slot', labelNames: ['connector'], buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers: [registry] }),
    circuitTransitions: new Counter({ name: 'baton_circuit_transitions_total', help: 'Circuit breaker state changes per connector (to: open, half-open, closed)', labelNames: ['connector', 'to'], registers: [registry] }),
    escalations: new Counter({ name: 'baton_escalations_total', help: 'Escalation checks that found a stall, by trigger and outcome (sent, skipped, failed)', labelNames: ['trigger', 'outcome'], registers: [registry] }),
    timeToKickoff: new Histogram({ name: 'baton_time_to_kickoff_seconds', help: 'Time from the deal closing to its kickoff task done, by mapping', labelNames: ['mapping'], buckets: [3600, 6 * 3600, 86_400, 2 * 86_400, 3 * 86_400, 5 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400], registers: [registry] }),
    rateLimited: new Counter({ name: 'baton_requests_rate_limited_total', help: 'Requests answered 429 because their address made too many rejected requests', labelNames: ['path'], registers: [registry] }),
    inboxStuck: new Gauge({ name: 'baton_inbox_stuck_events', help: 'CRM events still waiting to be routed 5 minutes after they arrived, at the last inbox sweep', registers: [registry] }),
    watchQueues: (qs) => queues.push(...qs),
  };
  new Gauge({
    name: 'baton_queue_jobs',
    help: 'Jobs in each queue by state (read from Redis at scrape time)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const q of queues) {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
      }
    },
  });
  return m;
}

/** The limiter key's first segment names the connector ('slack:post:C1' → 'slack'). */
export const connectorOfKey = (key: string) => key.split(':')[0] ?? key;
