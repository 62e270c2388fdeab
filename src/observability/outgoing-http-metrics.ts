// Counts every outgoing API request by connector and status from Node's diagnostics channels, so no
// SDK needs wrapping: node:http(s) carries HubSpot's node-fetch, jira.js's axios and Asana's
// superagent; undici (global fetch) carries Slack's WebClient.
import dc from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Counter } from 'prom-client';

/** Connector name → its configured base URL (unset ones are ignored). */
export type ConnectorOrigins = Record<string, string | undefined>;

const CHANNELS = {
  httpFinish: 'http.client.response.finish',
  httpError: 'http.client.request.error',
  fetchHeaders: 'undici:request:headers',
  fetchError: 'undici:request:error',
} as const;

export function observeOutgoingHttp(counter: Counter<'connector' | 'status'>, origins: ConnectorOrigins): () => void {
  const byHost = new Map<string, string>();
  for (const [connector, url] of Object.entries(origins)) {
    if (!url) continue;
    try {
      byHost.set(new URL(url).host, connector);
    } catch {
      // Config validation already rejected malformed URLs; nothing to observe for this one.
    }
  }
  const count = (host: string | undefined, status: string) => {
    const connector = host === undefined ? undefined : byHost.get(host);
    if (connector) counter.inc({ connector, status });
  };
  const hostOfOrigin = (origin: unknown) => {
    try {
      return new URL(String(origin)).host;
    } catch {
      return undefined;
    }
  };
  const errorCode = (error: NodeJS.ErrnoException) => error.code ?? error.name ?? 'error';
  const handlers: Record<(typeof CHANNELS)[keyof typeof CHANNELS], (msg: unknown) => void> = {
    [CHANNELS.httpFinish]: (msg) => {
      const { request, response } = msg as { request: ClientRequest; response: IncomingMessage };
      count(String(request.getHeader('host') ?? request.host), String(response.statusCode ?? 0));
    },
    [CHANNELS.httpError]: (msg) => {
      const { request, error } = msg as { request: ClientRequest; error: NodeJS.ErrnoException };
      count(String(request.getHeader('host') ?? request.host), errorCode(error));
    },
    [CHANNELS.fetchHeaders]: (msg) => {
      const { request, response } = msg as { request: { origin: unknown }; response: { statusCode: number } };
      count(hostOfOrigin(request.origin), String(response.statusCode));
    },
    [CHANNELS.fetchError]: (msg) => {
      const { request, error } = msg as { request: { origin: unknown }; error: NodeJS.ErrnoException };
      count(hostOfOrigin(request.origin), errorCode(error));
    },
  };
  for (const [channel, fn] of Object.entries(handlers)) dc.subscribe(channel, fn);
  return () => {
    for (const [channel, fn] of Object.entries(handlers)) dc.unsubscribe(channel, fn);
  };
}
