// `npm run bench`: every scenario, one table, written to bench/results/latest.md.
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { runIngestBench } from './ingest-bench.js';

const ingest = await runIngestBench();
const rows = [
  ['ingest: events/s sustained (20-event batches, 20 connections, v3 signatures)', `${ingest.eventsPerSec.toLocaleString('en-US')}`, '≥ 15,000'],
  ['ingest: requests/s', `${ingest.requestsPerSec.toLocaleString('en-US')}`, ''],
  ['ingest: ack latency p50', `${ingest.p50} ms`, ''],
  ['ingest: ack latency p99', `${ingest.p99} ms`, '≤ 50 ms'],
  ['ingest: non-2xx / errors', `${ingest.non2xx} / ${ingest.errors}`, '0 / 0'],
  ['server RSS at end / peak', `${ingest.rssMb} MB / ${ingest.peakRssMb} MB`, ''],
];
const md = [
  `# Baton benchmark results`,
  '',
  `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
  `Command: \`npm run bench\` (ingest: ${ingest.durationS} s measured after a 3 s warm-up; server process without workers; real Redis).`,
  '',
  '| figure | measured | target |',
  '| --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
].join('\n');
await writeFile(new URL('./results/latest.md', import.meta.url), md);
console.log(md);
