// `baton cluster --workers N`: the scale-out topology as local processes — one `baton server` and N
// `baton worker`s sharing one Redis and one database (PostgreSQL when DATABASE_URL says so), exactly what
// docker-compose.yml runs as containers. Output is prefixed per process; SIGTERM/SIGINT stop them all
// gracefully and the command exits 0 when every child did.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { processEnv } from '../config/environment.js';
import { readConfigOrReport } from './read-config.js';

export async function clusterCommand(opts: { workers: number }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  // Read here too, so a configuration problem is reported once rather than by every process.
  const config = readConfigOrReport(out);
  if (!config) return 1;
  const self = process.argv[1]!;
  const execArgv = process.execArgv; // keeps `--import tsx` when run from source
  const roles = ['server', ...Array.from({ length: opts.workers }, () => 'worker')];
  const children: { name: string; proc: ChildProcess; exit: Promise<number> }[] = roles.map((role, i) => {
    const name = role === 'server' ? 'server' : `worker-${i}`;
    // Workers on one machine cannot share a port: worker N listens (/healthz, /metrics) on BATON_WORKER_PORT + N
    // (0 stays 0: each picks a free port).
    const basePort = config.workerPort;
    const env = role === 'worker' ? { ...processEnv(), BATON_WORKER_METRICS_PORT: '', BATON_WORKER_PORT: String(basePort > 0 ? basePort + i : 0) } : processEnv();
    const proc = spawn(process.execPath, [...execArgv, self, role], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [proc.stdout!, proc.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => out.write(`[${name}] ${line}\n`));
    }
    const exit = new Promise<number>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
    return { name, proc, exit };
  });
  out.write(`[cluster] started ${roles.length} processes: ${children.map((c) => `${c.name} (pid ${c.proc.pid})`).join(', ')}\n`);

  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    out.write(`[cluster] ${signal}: stopping every process\n`);
    for (const c of children) c.proc.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));
  // One process dying on its own is an incident: stop the rest rather than run half a cluster.
  const first = await Promise.race(children.map((c) => c.exit.then((code) => ({ c, code }))));
  if (!stopping) {
    out.write(`[cluster] ${first.c.name} exited with ${first.code}: stopping the rest\n`);
    stopAll('SIGTERM');
  }
  const codes = await Promise.all(children.map((c) => c.exit));
  return codes.every((c) => c === 0) && stopping ? 0 : 1;
}
