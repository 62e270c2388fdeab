// Outgoing requests are counted by connector and status whichever HTTP stack the SDK uses.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter, Registry } from 'prom-client';
import { observeOutgoingHttp } from '../../../src/observability/outgoing-http-metrics.js';
import { freePort } from '../../helpers/free-port.js';

describe('observeOutgoingHttp', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.statusCode = req.url === '/limited' ? 429 : 200;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('counts node:http and fetch requests to configured origins, with status or error code, and nothing else', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'req_total', help: 'x', labelNames: ['connector', 'status'], registers: [registry] });
    const closedPort = await freePort();
    const stop = observeOutgoingHttp(counter, { jira: `${base}/rest`, slack: `http://127.0.0.1:${closedPort}/api/`, asana: undefined });

    await new Promise<void>((resolve) => http.get(`${base}/limited`, (res) => res.resume().on('end', () => resolve())));
    await (await fetch(`${base}/ok`)).text();
    await fetch(`http://127.0.0.1:${closedPort}/api/chat.postMessage`).catch(() => undefined);
    const other = http.createServer((_q, res) => res.end());
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    await (await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`)).text();
    other.close();
    stop();
    await (await fetch(`${base}/after-stop`)).text();

    const values = (await counter.get()).values.map((v) => ({ ...v.labels, n: v.value }));
    expect(values).toContainEqual({ connector: 'jira', status: '429', n: 1 });
    expect(values).toContainEqual({ connector: 'jira', status: '200', n: 1 });
    expect(values.filter((v) => v.connector === 'slack')).toEqual([{ connector: 'slack', status: expect.stringMatching(/ECONNREFUSED|Error/), n: 1 }]);
    expect(values.reduce((sum, v) => sum + v.n, 0)).toBe(3);
  });
});
