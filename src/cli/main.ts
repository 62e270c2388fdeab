#!/usr/bin/env node
// The `baton` command.
// Each command imports what it needs when it runs: `cluster` or `user hash` need not load the SDKs,
// the dashboard and the store, which would cost seconds of start-up per process.
import { Command } from 'commander';
import type { ProcessRole } from './run-process.js';
import { processEnv } from '../config/environment.js';

const runProcess = async (role: ProcessRole) => (await import('./run-process.js')).runProcess(role);

const program = new Command()
  .name('baton')
  .description('Carries a won deal from the CRM into delivery without losing context.')
  // Not `--env-file`: Node 20 takes that flag even after the script name (nodejs/node#54232) and fails or loads it itself.
  .option('--dotenv <path>', 'read variables from this file instead of ./.env (also BATON_ENV_FILE; "none" reads no file)')
  .showHelpAfterError();

// Before any command runs: `.env` (or --env-file) fills in what the environment does not set.
program.hook('preAction', async () => {
  const { loadEnvFile, describeEnvFileRead, EnvFileError } = await import('../config/load-env-file.js');
  try {
    const read = loadEnvFile({ cwd: process.cwd(), path: program.opts<{ dotenv?: string }>().dotenv });
    if (read) process.stderr.write(`${describeEnvFileRead(read)}\n`);
  } catch (e) {
    if (!(e instanceof EnvFileError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
});
/** MAPPINGS_DIR as set (by the environment or .env, read just before the command runs), else ./mappings. */
const mappingsDir = async (given: string | undefined) => given ?? (await import('../config/read-env-options.js')).defaultMappingsDir(processEnv());

program.command('start').description('run the HTTP server and the workers in one process').action(() => runProcess('all'));
program.command('server').description('run only the HTTP server (webhooks, API); stateless, scale horizontally').action(() => runProcess('server'));
program.command('worker').description('run only the job workers; run as many as you need').action(() => runProcess('worker'));

program
  .command('health')
  .description("ask this machine's Baton process for its health (the container HEALTHCHECK); exit 0 healthy, 1 not")
  .argument('[role]', 'start, server or worker: which port to ask (default: both PORT and BATON_WORKER_PORT)')
  .action(async (role: string | undefined) => {
    process.exitCode = await (await import('./health-command.js')).healthCommand(role);
  });

program
  .command('validate')
  .description('check every mapping in a directory; prints file:line:col for each error, exit 1 if any')
  .argument('[dir]', 'mappings directory (default: MAPPINGS_DIR, else ./mappings)')
  .option('--live', 'also check each mapping against HubSpot, Jira/Asana and Slack (needs their credentials)')
  .action(async (dir: string | undefined, opts: { live?: boolean }) => {
    process.exitCode = await (await import('./validate-command.js')).validateCommand(await mappingsDir(dir), process.stdout, opts);
  });

program
  .command('preview')
  .description('show the document, task plan and intro a deal would produce (calls nothing)')
  .requiredOption('-m, --mapping <name>', 'mapping name')
  .requiredOption('-d, --deal <file>', 'deal JSON: a saved deal or a HubSpot workflow webhook payload')
  .option('--dir <dir>', 'mappings directory (default: MAPPINGS_DIR, else ./mappings)')
  .option('--closed-at <iso>', 'close time (default now)')
  .option('--json', 'print JSON instead of text')
  .action(async (opts: { mapping: string; deal: string; dir?: string; closedAt?: string; json?: boolean }) => {
    process.exitCode = await (await import('./preview-command.js')).previewCommand({ ...opts, dir: await mappingsDir(opts.dir) });
  });

program
  .command('cluster')
  .description('run one server and N workers as local processes (the docker-compose topology)')
  .option('-w, --workers <n>', 'worker processes', (v) => Number.parseInt(v, 10), 2)
  .action(async (opts: { workers: number }) => {
    process.exit(await (await import('./cluster-command.js')).clusterCommand(opts));
  });

program
  .command('replay')
  .description('list failed handoffs and dead-lettered jobs; replay handoffs by id (or --all), or retry one job')
  .argument('[ids...]', 'handoff ids to replay')
  .option('--all', 'replay every failed handoff')
  .option('--job <queue/id>', 'retry one dead-lettered job')
  .action(async (ids: string[], opts: { all?: boolean; job?: string }) => {
    process.exitCode = await (await import('./replay-command.js')).replayCommand(ids, opts);
  });

const hubspot = program.command('hubspot').description('HubSpot helpers');
hubspot
  .command('setup')
  .description('create the "Baton handoff" property group and the deal properties Baton reads and writes (idempotent)')
  .action(async () => {
    process.exitCode = await (await import('./hubspot-setup-command.js')).hubspotSetupCommand();
  });

hubspot
  .command('app')
  .description('write the HubSpot developer-platform project (static-auth app with the scopes Baton needs, deal webhooks) for `hs project upload`')
  .requiredOption('--public-url <url>', "Baton's public https address (BATON_PUBLIC_URL); webhooks go to <url>/webhooks/hubspot")
  .option('--out <dir>', 'where to write the project', './hubspot-app')
  .option('--dir <dir>', 'mappings directory (their triggers decide the property subscriptions)', processEnv().MAPPINGS_DIR || './mappings')
  .action(async (opts: { publicUrl: string; out: string; dir: string }) => {
    process.exitCode = await (await import('./hubspot-app-command.js')).hubspotAppCommand(opts);
  });

const user = program.command('user').description('dashboard users (BATON_USERS)');
user
  .command('hash')
  .description('read a password from stdin and print its scrypt hash for BATON_USERS')
  .option('--name <name>', 'also print the user name, as a compact BATON_USERS entry name:role:hash')
  .option('--role <role>', 'viewer or admin (with --name)')
  .action(async (opts: { name?: string; role?: string }) => {
    process.exitCode = await (await import('./user-hash-command.js')).userHashCommand(opts);
  });

await program.parseAsync(process.argv);
