// The dead-letter view: jobs that ended failed in any of Baton's queues (every queue in QUEUE_NAMES, via
// BatonQueues.all()). One lister and one retry serve both `baton replay` and the admin page, so what one
// shows the other can see and act on.
import type { Queue } from 'bullmq';

export interface DeadJob {
  queue: string;
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  finishedOn: number | null;
  handoffId: string | null;
}

export interface QueueCounts {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** Failed jobs are kept (removeOnFail: false; a week for check jobs): the newest `perQueue` of each queue, newest first. */
export async function listDeadJobs(queues: Queue[], perQueue = 10): Promise<{ counts: QueueCounts[]; jobs: DeadJob[] }> {
  const counts: QueueCounts[] = [];
  const jobs: DeadJob[] = [];
  await Promise.all(
    queues.map(async (q) => {
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
      counts.push({ queue: q.name, waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 });
      if (!c.failed) return;
      for (const j of await q.getFailed(0, perQueue - 1)) {
        if (!j) continue; // removed between the listing and the read
        const data = j.data as { handoffId?: unknown; ref?: { handoffId?: unknown } } | undefined;
        const handoffId = data?.handoffId ?? data?.ref?.handoffId;
        jobs.push({
          queue: q.name,
          id: String(j.id),
          name: j.name,
          failedReason: j.failedReason ?? '',
          attemptsMade: j.attemptsMade,
          finishedOn: j.finishedOn ?? null,
          handoffId: typeof handoffId === 'string' ? handoffId : null,
        });
      }
    }),
  );
  counts.sort((a, b) => a.queue.localeCompare(b.queue));
  jobs.sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0));
  return { counts, jobs };
}

/** Runs a dead-lettered job again as it was (same id, same data). False when there is no such failed job. */
export async function retryDeadJob(queues: Queue[], queue: string, id: string): Promise<boolean> {
  const q = queues.find((x) => x.name === queue);
  const job = q ? await q.getJob(id) : undefined;
  if (!job || !(await job.isFailed())) return false;
  await job.retry('failed');
  return true;
}
