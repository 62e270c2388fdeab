// The job processors of one `baton worker` (or `baton start`) process. Every worker has its own
// blocking Redis connection; state lives in Redis and the store only, so N processes can run.
import { Worker, type Job, type Processor, type WorkerOptions } from 'bullmq';
import type { Runtime } from './build-runtime.js';
import type { JobDeps } from '../../jobs/job-deps.js';
import { createWorkerConnection } from '../queue/redis-connection.js';
import { tagJobSpan } from '../observability/tracing.js';
import { rethrowHonouringRetryAfter } from './retry-after.js';
import { QUEUE_NAMES, type QueueName } from '../queue/queues.js';
import { HandoffJobSchema, IngestJobSchema, NudgeJobSchema, RouteJobSchema, parseJob } from '../queue/job-schemas.js';
import { processIngestJob } from '../../jobs/ingest.js';
import { processRouteJob } from '../../jobs/route.js';
import { processHandoffJob } from '../../jobs/handoff.js';
import { processReconcileJob } from '../../jobs/reconcile.js';
import { processPruneJob } from '../../jobs/prune.js';
import { sweepInbox } from '../../jobs/inbox-sweep.js';
import { processNudgeJob } from '../../jobs/nudge.js';
import { processCheckJob } from '../../jobs/escalation/run-check.js';
import { processEscalationAction } from '../../jobs/escalation/escalation-action.js';
import { onCheckJobFailed } from '../../jobs/escalation/failed-checks.js';
import { sweepChecks } from '../../jobs/escalation/sweep-checks.js';
import { processAsanaStatusJob, processJiraStatusJob, processPollJob } from '../../jobs/task-status.js';
import { processFeedbackAnswers, processFeedbackAsk, sweepFeedback } from '../../jobs/feedback.js';
import { resumeLostHandoffs } from '../../jobs/resume-lost-handoffs.js';
import { keepSchedulers } from './ensure-schedulers.js';
import {
  AsanaStatusJobSchema,
  CheckJobSchema,
  EscalationActionJobSchema,
  FeedbackAnswersJobSchema,
  FeedbackJobSchema,
  JiraStatusJobSchema,
} from '../queue/job-schemas.js';

/** The maintenance queue's periodic jobs, by scheduler name. */
const MAINTENANCE_JOBS: Record<string, (d: JobDeps) => Promise<unknown>> = {
  reconcile: processReconcileJob,
  prune: processPruneJob,
  'inbox-sweep': sweepInbox,
  resume: resumeLostHandoffs,
};

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export async function startWorkers(rt: Runtime): Promise<RunningWorkers> {
  const { config, logger, jobDeps: deps } = rt;
  // Each job's logger carries queue, job id and (when the job names them) handoff and deal ids.
  type JobProcessor = (d: JobDeps, job: Job, token?: string) => Promise<unknown>;
  const make = (name: QueueName, run: JobProcessor, concurrency: number, extra: Partial<WorkerOptions> = {}) => {
    const processor: Processor = async (job, token) => {
      const ids = jobLogContext(name, job);
      tagJobSpan(ids); // the job's trace span gets the handoff/deal ids too (no-op when tracing is off)
      try {
        return await run({ ...deps, logger: logger.child(ids) }, job, token);
      } catch (e) {
        return rethrowHonouringRetryAfter(job, token, e);
      }
    };
    const connection = createWorkerConnection(config.redisUrl, config.redisOptions);
    // Outages are reported by the health monitor; a listener keeps ioredis from printing each retry.
    connection.on('error', (err) => logger.debug({ queue: name, err: err.message }, 'worker redis connection error'));
    const w = new Worker(name, processor, {
      connection,
      prefix: config.queuePrefix,
      telemetry: rt.telemetry, // tracing on: each job's span continues the trace of the job that added it
      concurrency,
      lockDuration: config.jobLockMs,
      stalledInterval: Math.max(1_000, Math.floor(config.jobLockMs / 2)),
      maxStalledCount: 5,
      ...extra,
    });
    const observe = (job: Job | undefined, outcome: string) => {
      rt.metrics.jobs.inc({ queue: name, outcome });
      if (job?.processedOn && job.finishedOn) rt.metrics.jobDuration.observe({ queue: name }, (job.finishedOn - job.processedOn) / 1000);
    };
    w.on('completed', (job: Job) => observe(job, 'completed'));
    // Delayed (Retry-After) and moved jobs throw DelayedError and emit neither event: they count when they end.
    // finishedOn is set only when a job leaves for good (retries exhausted or unrecoverable).
    w.on('failed', (job: Job | undefined) => observe(job, job?.finishedOn ? 'failed' : 'retry'));
    w.on('failed', (job: Job | undefined, err: Error) =>
      logger.warn({ ...(job ? jobLogContext(name, job) : { queue: name }), attempts: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    w.on('error', (err) => logger.error({ queue: name, err: err.message }, 'worker error'));
    return w;
  };

  const workers = [
    make(QUEUE_NAMES.events, (d, job) => processIngestJob(d, parseJob(IngestJobSchema, job.data, 'events')), 4),
    make(
      QUEUE_NAMES.route,
      async (d, job) => {
        const note = await processRouteJob(d, parseJob(RouteJobSchema, job.data, 'route'));
        d.logger.debug({ note }, 'routed');
        return note;
      },
      config.workerConcurrency,
    ),
    make(
      QUEUE_NAMES.handoff,
      async (d, job) => {
        const result = await processHandoffJob(d, job, parseJob(HandoffJobSchema, job.data, 'handoff'));
        d.logger.info({ result }, 'handoff run finished');
        return result;
      },
      config.workerConcurrency,
    ),
    make(QUEUE_NAMES.nudge, (d, job) => processNudgeJob(d, parseJob(NudgeJobSchema, job.data, 'nudge')), 4),
    make(QUEUE_NAMES.maintenance, async (d, job) => MAINTENANCE_JOBS[job.name]?.(d), 1),
    // Watching (docs/watching.md): escalation checks and clicks, live task status, feedback.
    make(
      QUEUE_NAMES.watch,
      async (d, job, token) => {
        if (job.name === 'check') return processCheckJob(d, job, parseJob(CheckJobSchema, job.data, 'watch'), token);
        if (job.name === 'ack' || job.name === 'snooze') return processEscalationAction(d, parseJob(EscalationActionJobSchema, job.data, 'watch'));
        if (job.name === 'sweep') return { checks: await sweepChecks(d), feedback: await sweepFeedback(d) };
        return undefined;
      },
      config.workerConcurrency,
      // Check jobs carry no options of their own (memory): finished ones go at once, failed ones stay a week.
      { removeOnComplete: { count: 0 }, removeOnFail: { age: 7 * 24 * 3600 } },
    ),
    make(
      QUEUE_NAMES.status,
      async (d, job) => {
        if (job.name === 'jira-event') return processJiraStatusJob(d, parseJob(JiraStatusJobSchema, job.data, 'status'));
        if (job.name === 'asana-event') return processAsanaStatusJob(d, parseJob(AsanaStatusJobSchema, job.data, 'status'));
        if (job.name === 'poll') return processPollJob(d);
        return undefined;
      },
      4,
    ),
    make(
      QUEUE_NAMES.feedback,
      async (d, job) => {
        if (job.name === 'ask') return processFeedbackAsk(d, parseJob(FeedbackJobSchema, job.data, 'feedback'));
        if (job.name === 'remind') return processFeedbackAsk(d, parseJob(FeedbackJobSchema, job.data, 'feedback'), true);
        if (job.name === 'answers') return processFeedbackAnswers(d, parseJob(FeedbackAnswersJobSchema, job.data, 'feedback'));
        return undefined;
      },
      4,
    ),
  ];

  // A check job that failed for good leaves its check `failed`, visible (the sweep catches a missed event).
  workers.find((w) => w.name === QUEUE_NAMES.watch)!.on('failed', (job, err) => void onCheckJobFailed(deps, job, err));

  const schedulers = await keepSchedulers(rt, rt.redis); // and again after Redis comes back empty
  logger.info({ concurrency: config.workerConcurrency, prefix: config.queuePrefix }, 'workers started');

  return {
    workers,
    async close() {
      schedulers.stop();
      // Finish in-flight jobs; a job that cannot finish in time is released and taken over by another worker.
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/** The ids a log line about this job should carry; read defensively because the data is not parsed yet. */
export function jobLogContext(queue: string, job: Job): Record<string, string | undefined> {
  const data = (job.data ?? {}) as { handoffId?: unknown; event?: { dealId?: unknown }; ref?: { handoffId?: unknown } };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { queue, jobId: job.id, handoffId: str(data.handoffId) ?? str(data.ref?.handoffId), dealId: str(data.event?.dealId) };
}
