// `baton replay`: list failed handoffs and dead-lettered jobs, or replay them.
import { readConfigOrReport } from './read-config.js';
import { createLogger } from '../log/create-logger.js';
import { buildRuntime } from '../runtime/build-runtime.js';
import { listFailedHandoffs, replayHandoff } from './replay-handoffs.js';
import { listDeadJobs, retryDeadJob } from '../queue/dead-letter.js';

export interface ReplayOptions {
  all?: boolean;
  job?: string;
}

export async function replayCommand(ids: string[], opts: ReplayOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const config = readConfigOrReport(out);
  if (!config) return 1;
  const rt = await buildRuntime(config, { logger: createLogger({ level: 'warn', secrets: config.secrets }) });
  try {
    const deps = rt.jobDeps;
    if (opts.job) {
      const cut = opts.job.indexOf('/');
      const [queue, id] = cut > 0 ? [opts.job.slice(0, cut), opts.job.slice(cut + 1)] : [];
      const ok = queue && id ? await retryDeadJob(deps.queues.all(), queue, id) : false;
      out.write(ok ? `retried ${opts.job}\n` : `no failed job ${opts.job} (use queue/id as listed)\n`);
      return ok ? 0 : 1;
    }
    const targets = opts.all ? (await listFailedHandoffs(deps)).map((h) => h.id) : ids;
    if (targets.length === 0) {
      const failed = await listFailedHandoffs(deps);
      const dead = await listDeadJobs(deps.queues.all(), 100);
      out.write(failed.length ? 'Failed handoffs (replay with `baton replay <id>` or `--all`):\n' : 'No failed handoffs.\n');
      for (const h of failed) out.write(`  ${h.id}  ${h.mapping}  deal ${h.dealId}  ${h.lastError ?? ''}\n`);
      out.write(dead.jobs.length ? 'Dead-lettered jobs (retry with `baton replay --job <queue>/<id>`):\n' : 'No dead-lettered jobs.\n');
      for (const j of dead.jobs) out.write(`  ${j.queue}/${j.id}  ${j.name}  after ${j.attemptsMade} attempt(s): ${j.failedReason}\n`);
      return 0;
    }
    let failures = 0;
    for (const id of targets) {
      const r = await replayHandoff(deps, id, 'admin (cli)');
      out.write(`${r.replayed ? 'replayed' : 'skipped '} ${id}: ${r.reason}\n`);
      if (!r.replayed) failures++;
    }
    return failures ? 1 : 0;
  } finally {
    await rt.close();
  }
}
