// `baton health [role]`: the container HEALTHCHECK. It asks the Baton process on this machine for its
// /healthz on the port its role listens on: `start` and `server` on PORT (process up), `worker` on
// BATON_WORKER_PORT (Redis and the store reachable, its BullMQ workers running). One image runs all three
// commands and a HEALTHCHECK cannot see which, so without a role it asks both ports: healthy when a
// Baton listener answered and every listener that answered said healthy. Exit 0 healthy, 1 not.
import { readConfigOrReport } from './read-config.js';
import { processEnv } from '../config/environment.js';

const PROBE_TIMEOUT_MS = 2_000;

export async function healthCommand(role: string | undefined, out: NodeJS.WritableStream = process.stdout, env = processEnv()): Promise<number> {
  if (role !== undefined && role !== 'start' && role !== 'server' && role !== 'worker') {
    out.write(`unknown role ${role}: use start, server or worker (or none to ask both ports)\n`);
    return 1;
  }
  const config = readConfigOrReport(out, env);
  if (!config) return 1;
  // A listener bound to every interface answers on loopback; one bound to an address answers there.
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const targets = [
    ...(role !== 'worker' ? [{ what: role ?? 'server', url: `http://${host}:${config.port}/healthz` }] : []),
    ...(role === 'worker' || role === undefined ? [{ what: 'worker', url: `http://${host}:${config.workerPort}/healthz` }] : []),
  ];
  const answers = await Promise.all(targets.map(async (t) => ({ ...t, ...(await probe(t.url)) })));
  for (const a of answers) out.write(`${a.what} ${a.url}: ${a.answer}\n`);
  const answered = answers.filter((a) => a.ok !== null);
  const healthy = answered.length > 0 && answered.every((a) => a.ok);
  out.write(healthy ? 'healthy\n' : 'unhealthy\n');
  return healthy ? 0 : 1;
}

/** ok null = nothing listens there (or it did not answer in time). */
async function probe(url: string): Promise<{ ok: boolean | null; answer: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = (await res.text()).slice(0, 300);
    return { ok: res.ok, answer: `${res.status} ${body}` };
  } catch (e) {
    const cause = e instanceof Error ? ((e.cause as { code?: string } | undefined)?.code ?? e.name) : String(e);
    return { ok: null, answer: `no answer (${cause})` };
  }
}
