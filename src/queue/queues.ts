// The queues and their retry policy. One place names them so server and worker processes agree.
import { Queue, type JobsOptions, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';

export const QUEUE_NAMES = {
  events: 'events', // one job per accepted webhook request: the durable write on the ack path
  route: 'route', // one job per new event: read the deal, pick mappings
  handoff: 'handoff', // one job per handoff run: the steps
  nudge: 'nudge', // before close: one DM to the rep per distinct set of missing fields (debounced)
  maintenance: 'maintenance', // schedulers: reconciliation
  watch: 'watch', // escalation checks (delayed, one job per handoff+trigger+rung+round), acks, snoozes, the sweep
  status: 'status', // Jira/Asana webhooks and the polling reconciliation: live task status
  feedback: 'feedback', // the delayed feedback request, its one reminder, and the answers
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** Retries with exponential backoff; failed jobs are kept (the dead-letter view), completed ones trimmed. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

export interface BatonQueues {
  events: Queue;
  route: Queue;
  handoff: Queue;
  nudge: Queue;
  maintenance: Queue;
  watch: Queue;
  status: Queue;
  feedback: Queue;
  all(): Queue[];
  close(): Promise<void>;
}

/** `telemetry` (tracing on, src/observability/tracing.ts) makes each added job carry its producer's trace context. */
export function createQueues(connection: Redis, prefix: string, telemetry?: Telemetry): BatonQueues {
  const make = (name: QueueName) => new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS, telemetry });
  // Escalation checks wait in Redis by the hundred thousand: no defaults are merged into (and stored with) each
  // job. Check jobs set their own minimal options; the watch worker removes finished ones (see start-workers).
  const lean = (name: QueueName) => new Queue(name, { connection, prefix, telemetry });
  const q = {
    events: make(QUEUE_NAMES.events),
    route: make(QUEUE_NAMES.route),
    handoff: make(QUEUE_NAMES.handoff),
    nudge: make(QUEUE_NAMES.nudge),
    maintenance: make(QUEUE_NAMES.maintenance),
    watch: lean(QUEUE_NAMES.watch),
    status: make(QUEUE_NAMES.status),
    feedback: make(QUEUE_NAMES.feedback),
  };
  return {
    ...q,
    all: () => Object.values(q),
    close: async () => {
      await Promise.all(Object.values(q).map((x) => x.close()));
    },
  };
}

/** BullMQ custom job ids must not contain ':'; a digest of a natural key makes a safe, stable id. */
export function jobIdFor(kind: string, naturalKey: string): string {
  return `${kind}-${createHash('sha1').update(naturalKey).digest('hex')}`;
}
