// `npm run bench`: every scenario, one table, written to bench/results/latest.md.
// Scenarios can be picked: `npm run bench -- ingest drain`.
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { runIngestBench } from './ingest-bench.js';
import { runDrainBench } from './drain-bench.js';
import { runHotPathBench } from './hot-path-bench.js';
import { runEscalationBench } from './escalation-bench.js';

const picked = process.argv.slice(2);
const want = (name: string) => picked.length === 0 || picked.includes(name);
const rows: string[][] = [];
const notes: string[] = [];
const fmt = (n: number) => n.toLocaleString('en-US');

if (want('hotpath')) {
  const r = runHotPathBench();
  rows.push(['ack path CPU: v3 signature check, 20-event body (median)', `${r.verifyUs} µs`, ''], ['ack path CPU: parse + shape-check, 20-event batch (median)', `${r.parseUs} µs`, '']);
}
if (want('ingest')) {
  const r = await runIngestBench();
  rows.push(
    ['ingest: events/s sustained (20-event batches, 20 connections, v3 signatures checked)', fmt(r.eventsPerSec), '≥ 15,000'],
    ['ingest: ack latency p50 / p99', `${r.p50} ms / ${r.p99} ms`, 'p99 ≤ 50 ms'],
    ['ingest: non-2xx / errors', `${r.non2xx} / ${r.errors}`, '0 / 0'],
    ['ingest: server RSS at end / peak', `${r.rssMb} MB / ${r.peakRssMb} MB`, ''],
  );
  notes.push(`ingest: ${r.durationS} s measured after a 3 s warm-up; one \`baton server\` process (no workers) on the real Redis; autocannon in the bench process.`);
}
if (want('drain')) {
  const r = await runDrainBench({ deals: 1000, workers: 2 });
  rows.push(
    [`drain: ${fmt(r.deals)} closed-won deals, ${r.workers} workers, stand-ins limited (HubSpot ${r.rates.hubspot}/s, Jira ${r.rates.jira}/s, Slack 1/s/channel)`, `${r.drainS} s`, ''],
    ['drain: theoretical minimum (calls served ÷ limit, slowest API)', `${r.minimumS} s (HubSpot ${fmt(r.calls.hubspot)}, Jira ${fmt(r.calls.jira)}, Slack ${fmt(r.calls.slack)} calls)`, ''],
    ['drain: time ÷ minimum', `${r.ratio}×`, '≤ 1.15×'],
    ['drain: 429s received (HubSpot / Jira / Slack)', `${r.count429.hubspot} / ${r.count429.jira} / ${r.count429.slack}`, ''],
    ['drain: duplicates (Jira parents / Slack intros / HubSpot notes)', `${r.duplicates.jiraParents} / ${r.duplicates.slackIntros} / ${r.duplicates.hubspotNotes}`, '0'],
    ['drain: failed handoffs', `${r.failed} (done ${fmt(r.done)})`, '0'],
  );
  notes.push('drain: Baton is configured at 97% of each stand-in limit; the stand-ins answer 429 + Retry-After above it.');
}
if (want('escalation')) {
  const r = await runEscalationBench();
  rows.push(
    [`escalation: Redis memory per pending check (${fmt(r.pending)} pending; one job hash ${r.jobHashBytes} B)`, `${fmt(r.bytesPerPending)} B`, '≤ 1,024 B'],
    [`escalation: lateness p50 / p99 (due → sent, ${r.ratePerSec} due/s for ${fmt(r.due)} checks, ${fmt(r.fired)} fired)`, `${r.p50Ms} ms / ${r.p99Ms} ms (max ${r.maxMs} ms)`, 'p99 ≤ 1,000 ms'],
    ['escalation: due → claimed p50 / p99 (queue pickup + live reads)', `${r.claimP50Ms} ms / ${r.claimP99Ms} ms`, ''],
    ['escalation: worker RSS at end / peak', `${r.workerRssMb} MB / ${r.workerPeakRssMb} MB`, ''],
  );
  notes.push('escalation: one `baton worker` process (SQLite store, dry-run Slack), real BullMQ delayed jobs; the 100,000 pending checks stay in Redis while the due ones fire.');
}

const md = [
  '# Baton benchmark results',
  '',
  `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average at the end ${loadavg()[0]!.toFixed(2)}.`,
  `Command: \`npm run bench${picked.length ? ` -- ${picked.join(' ')}` : ''}\`.`,
  '',
  '| figure | measured | target |',
  '| --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  ...notes.map((n) => `- ${n}`),
  '',
].join('\n');
await writeFile(new URL('./results/latest.md', import.meta.url), md);
console.log(md);
