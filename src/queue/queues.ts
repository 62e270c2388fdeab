// The queues and their retry policy. One place names them so server and worker processes agree.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';

export const QUEUE_NAMES = {
  events: 'events', // one job per accepted webhook request: the durable write on the ack path
  route: 'route', // one job per new event: read the deal, pick mappings
  handoff: 'handoff', // one job per handoff run: the steps
  nudge: 'nudge', // before close: one DM to the rep per distinct set of missing fields (debounced)
  maintenance: 'maintenance', // schedulers: reconciliation
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
  all(): Queue[];
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string): BatonQueues {
  const make = (name: QueueName) => new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const q = {
    events: make(QUEUE_NAMES.events),
    route: make(QUEUE_NAMES.route),
    handoff: make(QUEUE_NAMES.handoff),
    nudge: make(QUEUE_NAMES.nudge),
    maintenance: make(QUEUE_NAMES.maintenance),
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
