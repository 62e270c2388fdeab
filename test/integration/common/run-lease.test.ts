// Run leases against the real Redis (two connections stand for two worker processes) and the fence every
// connector request passes: the lease is exclusive, renewal is strict, and a fenced scope reaches calls made
// deep inside awaited code.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunLeases, type RunLease } from '../../../jobs/run-lease.js';
import { passFence, runFenced, RunFenceLostError } from '../../../connectors/common/run-fence.js';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const a = new Redis(url);
const b = new Redis(url);
afterAll(() => {
  a.disconnect();
  b.disconnect();
});
const prefix = () => `t${randomBytes(5).toString('hex')}`;

function leaseOf(r: Awaited<ReturnType<ReturnType<typeof createRunLeases>['acquire']>>): RunLease {
  if (!('lease' in r)) throw new Error(`expected the lease, got busy for ${r.busyForMs} ms`);
  return r.lease;
}

describe('run leases', () => {
  it('one holder at a time; the other learns how long to wait; release frees it', async () => {
    const p = prefix();
    const first = createRunLeases(a, p, 5_000);
    const second = createRunLeases(b, p, 5_000);
    const held = leaseOf(await first.acquire('handoff:h1'));
    const busy = await second.acquire('handoff:h1');
    expect('busyForMs' in busy && busy.busyForMs).toBeGreaterThan(4_000);
    expect('lease' in (await second.acquire('handoff:h2'))).toBe(true); // another subject is free
    await held.release();
    expect('lease' in (await second.acquire('handoff:h1'))).toBe(true);
  });

  it('renewal extends the lease by its TTL', async () => {
    const p = prefix();
    const leases = createRunLeases(a, p, 400);
    const held = leaseOf(await leases.acquire('handoff:h'));
    await new Promise((r) => setTimeout(r, 250));
    await held.renew();
    expect(await a.pttl(`${p}:lease:handoff:h`)).toBeGreaterThan(300);
  });

  it('renewal is strict: after expiry, or after another run took it, the old run cannot get it back', async () => {
    const p = prefix();
    const leases = createRunLeases(a, p, 100);
    const stalled = leaseOf(await leases.acquire('handoff:h'));
    await new Promise((r) => setTimeout(r, 150)); // expired, nobody took it
    await expect(stalled.renew()).rejects.toBeInstanceOf(RunFenceLostError);
    expect(await a.exists(`${p}:lease:handoff:h`)).toBe(0); // the failed renewal did not re-create it

    const other = leaseOf(await createRunLeases(b, p, 5_000).acquire('handoff:h'));
    await expect(stalled.renew()).rejects.toThrow(/lost the lease on handoff:h/);
    await stalled.release(); // not ours: must not free the other run's lease
    await other.renew();
    expect('busyForMs' in (await leases.acquire('handoff:h'))).toBe(true);
  });
});

describe('the run fence', () => {
  it('is a no-op outside a fenced run', async () => {
    await expect(passFence()).resolves.toBeUndefined();
  });

  it('runs for every request inside the scope, through nested awaits and parallel branches', async () => {
    let checks = 0;
    const request = async () => {
      await new Promise((r) => setImmediate(r));
      await passFence();
    };
    await runFenced(
      async () => void checks++,
      async () => {
        await request();
        await Promise.all([request(), (async () => request())()]);
      },
    );
    expect(checks).toBe(3);
    await request(); // after the scope ended
    expect(checks).toBe(3);
  });

  it('stops the run at the first request after the lease was lost', async () => {
    const p = prefix();
    const held = leaseOf(await createRunLeases(a, p, 5_000).acquire('handoff:h'));
    const sent: number[] = [];
    const run = runFenced(
      () => held.renew(),
      async () => {
        for (let i = 1; i <= 3; i++) {
          await passFence();
          sent.push(i);
          if (i === 1) await b.set(`${p}:lease:handoff:h`, 'another-run', 'PX', 5_000); // taken over after the first call
        }
      },
    );
    await expect(run).rejects.toBeInstanceOf(RunFenceLostError);
    expect(sent).toEqual([1]);
  });
});
