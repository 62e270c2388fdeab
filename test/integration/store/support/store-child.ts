// A separate process doing what every `baton worker` does at start-up and on a duplicate event:
// open the store, migrate, create the handoff, store the inbox events. Waits for "go" on stdin so
// several children hit the database at the same moment. Prints one JSON line with what it saw.
import { createInterface } from 'node:readline';
import { openStore } from '../../../../src/store/database.js';
import { migrateToLatest } from '../../../../src/store/migrations.js';
import { createHandoffIfAbsent } from '../../../../src/store/handoff-repo.js';
import { insertInboxEvents } from '../../../../src/store/inbox-repo.js';
import { sampleEvent, sampleHandoff } from './samples.js';

const [databaseUrl, dataDir] = process.argv.slice(2);
if (!databaseUrl || !dataDir) throw new Error('usage: store-child <databaseUrl> <dataDir>');

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

const store = openStore({ databaseUrl, dataDir });
try {
  const applied = await migrateToLatest(store);
  const { handoff, created } = await createHandoffIfAbsent(store, sampleHandoff({ title: `from ${process.pid}` }));
  const events = Array.from({ length: 50 }, (_, i) => sampleEvent(i));
  const fresh = await insertInboxEvents(store, events, new Date());
  process.stdout.write(`${JSON.stringify({ applied, created, handoffId: handoff.id, fresh: fresh.map((e) => e.identity) })}\n`);
} finally {
  await store.close();
}
