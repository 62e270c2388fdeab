// `baton start|server|worker`: one process, its parts chosen by role, with a graceful shutdown.
import { readConfigOrReport } from './read-config.js';
import { buildRuntime } from '../runtime/build-runtime.js';
import { startServer, startWorkerListener } from '../runtime/start-server.js';
import { startWorkers } from '../runtime/start-workers.js';
import type { Runtime } from '../runtime/build-runtime.js';
import type { BatonConfig } from '../config/read-env-options.js';
import { reportStartupFailure } from './report-startup-failure.js';

export type ProcessRole = 'all' | 'server' | 'worker';

const SHUTDOWN_DEADLINE_MS = 25_000;

/** `prepare` adjusts the runtime before anything starts (tests inject their hooks there, e.g. test/helpers/crash-worker.ts). */
export async function runProcess(role: ProcessRole, opts: { prepare?: (rt: Runtime) => void } = {}): Promise<void> {
  const config = readConfigOrReport(process.stderr);
  if (!config) process.exit(1);
  // Signals are caught from the first moment: one arriving during start-up stops the process once it is up.
  let stop: ((signal: string) => Promise<void>) | undefined;
  let pending: string | undefined;
  const onSignal = (signal: string) => {
    if (stop) void stop(signal);
    else pending ??= signal;
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  let started;
  try {
    started = await start(role, config, opts.prepare);
  } catch (e) {
    // One or two lines saying what failed and the fix (no stack trace unless LOG_LEVEL=debug), exit 1.
    reportStartupFailure(e, process.stderr, config);
    process.exit(1);
  }
  const { rt, server, workers, workerListener } = started;
  if (!config.hubspot.clientSecret && role !== 'worker') {
    rt.logger.warn('HUBSPOT_CLIENT_SECRET is not set: every HubSpot webhook will be refused (401)');
  }

  let stopping = false;
  stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.logger.info({ signal }, 'shutting down: no new webhooks, finishing in-flight jobs');
    const deadline = setTimeout(() => {
      rt.logger.error('shutdown deadline passed; exiting with jobs still running (they will be retried)');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    await server?.close();
    await workerListener?.close();
    await workers?.close();
    await rt.close();
    rt.logger.info('stopped');
    process.exit(0);
  };
  if (pending) await stop(pending);
}

async function start(role: ProcessRole, config: BatonConfig, prepare?: (rt: Runtime) => void) {
  const rt = await buildRuntime(config);
  prepare?.(rt);
  const server = role === 'worker' ? null : await startServer(rt);
  const workers = role === 'server' ? null : await startWorkers(rt);
  // A server process serves /healthz and /metrics itself; a worker-only process has its own small listener.
  const workerListener = role === 'worker' && workers ? await startWorkerListener(rt, workers) : null;
  return { rt, server, workers, workerListener };
}
