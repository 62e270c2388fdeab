import { describe, expect, it } from 'vitest';
import { readEnvOptions, ConfigError } from '../../../src/config/read-env-options.js';
import { createProducerConnection, createWorkerConnection } from '../../../src/queue/redis-connection.js';

describe('readEnvOptions', () => {
  it('applies the documented defaults', () => {
    const c = readEnvOptions({});
    expect(c.port).toBe(3000);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.mappingsDir).toBe('./mappings');
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.hubspot.apiBaseUrl).toBe('https://api.hubapi.com');
    expect(c.slack.apiUrl).toBe('https://slack.com/api/');
    expect(c.asana.baseUrl).toBe('https://app.asana.com/api/1.0');
    expect(c.jira.projectKey).toBe('DEL');
    expect(c.apiToken).toBeUndefined();
  });

  it('reports every problem at once, one line each, with the value unless it is a secret', () => {
    let err: unknown;
    try {
      readEnvOptions({ PORT: 'eighty', REDIS_URL: 'http://nope', JIRA_EMAIL: 'a@b.c', HUBSPOT_API_BASE_URL: 'ftp://x', SLACK_BOT_TOKEN: 'xoxb-secret-value', DATABASE_URL: 'mysql://baton:pg-secret@db/baton', BATON_SESSION_SECRET: 'short-secret' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual([
      'PORT=eighty: expected a port number from 1 to 65535 (or 0 for any free port)',
      'REDIS_URL=http://nope: expected redis:// or rediss://',
      'DATABASE_URL=mysql://baton:***@db/baton: expected postgres://…, sqlite:<path> or unset for ./data/baton.db',
      'HUBSPOT_API_BASE_URL=ftp://x: expected an http(s) URL',
      'BATON_SESSION_SECRET: must be at least 32 characters (e.g. `openssl rand -base64 48`)',
      'JIRA_BASE_URL: required when JIRA_EMAIL is set (or unset them all for dry-run)',
      'JIRA_API_TOKEN: required when JIRA_EMAIL is set (or unset them all for dry-run)',
    ]);
    expect((err as Error).message).not.toContain('xoxb-secret-value');
    expect((err as Error).message).not.toContain('pg-secret');
    expect((err as Error).message).not.toContain('short-secret');
  });

  it('HUBSPOT_SIGNATURE_VERSIONS: v3 only by default; v2/v1 only when listed; v3 never left out', () => {
    expect(readEnvOptions({}).hubspot.signatureVersions).toEqual(['v3']);
    expect(readEnvOptions({ HUBSPOT_SIGNATURE_VERSIONS: ' V3, v2 ,v2' }).hubspot.signatureVersions).toEqual(['v3', 'v2']);
    expect(() => readEnvOptions({ HUBSPOT_SIGNATURE_VERSIONS: 'v2' })).toThrow(
      /^ {2}- HUBSPOT_SIGNATURE_VERSIONS=v2: v3 is missing: expected v3, or v3,v2 for workflow "Send a webhook" actions \(v1 and v2 have no timestamp, so no replay window\)$/m,
    );
    expect(() => readEnvOptions({ HUBSPOT_SIGNATURE_VERSIONS: 'v3,v4' })).toThrow(/HUBSPOT_SIGNATURE_VERSIONS=v3,v4: unknown version v4: expected v3, or v3,v2/);
  });

  it('treats empty strings as unset and strips a trailing slash from the public URL', () => {
    const c = readEnvOptions({ PORT: '', BATON_PUBLIC_URL: 'https://baton.example.com/', HUBSPOT_ACCESS_TOKEN: '' });
    expect(c.port).toBe(3000);
    expect(c.publicUrl).toBe('https://baton.example.com');
    expect(c.hubspot.accessToken).toBeUndefined();
  });

  it('collects secrets for the log scrubber', () => {
    const c = readEnvOptions({ HUBSPOT_ACCESS_TOKEN: 'pat-na1-abc', SLACK_SIGNING_SECRET: 'sss-123', BATON_API_TOKEN: 'tok-999' });
    expect(c.secrets.sort()).toEqual(['pat-na1-abc', 'sss-123', 'tok-999']);
  });

  it('passes BATON_REDIS_OPTIONS (e.g. Sentinel) to every connection, keeping the options BullMQ relies on', () => {
    expect(() => readEnvOptions({ BATON_REDIS_OPTIONS: '{not json' })).toThrow(/BATON_REDIS_OPTIONS: expected a JSON object/);
    expect(() => readEnvOptions({ BATON_REDIS_OPTIONS: '[1,2]' })).toThrow(/BATON_REDIS_OPTIONS: expected a JSON object/);
    const c = readEnvOptions({
      BATON_REDIS_OPTIONS: JSON.stringify({ sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'baton-primary', sentinelPassword: 'sentinel-pass-1', maxRetriesPerRequest: 5 }),
    });
    expect(c.redisOptions).toMatchObject({ name: 'baton-primary', sentinels: [{ host: '10.0.0.1', port: 26379 }] });
    expect(c.secrets).toContain('sentinel-pass-1'); // scrubbed from logs like any other secret
    const producer = createProducerConnection(c.redisUrl, { ...c.redisOptions, lazyConnect: true });
    const worker = createWorkerConnection(c.redisUrl, { ...c.redisOptions, lazyConnect: true });
    try {
      expect(producer.options.sentinels).toEqual([{ host: '10.0.0.1', port: 26379 }]);
      expect(producer.options.name).toBe('baton-primary');
      expect(producer.options.maxRetriesPerRequest).toBe(1); // fail fast on the webhook path, whatever the operator says
      expect(producer.options.enableOfflineQueue).toBe(false);
      expect(worker.options.maxRetriesPerRequest).toBeNull(); // BullMQ workers require null
    } finally {
      producer.disconnect();
      worker.disconnect();
    }
  });
});

describe('numbers out of range', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      readEnvOptions(env);
    } catch (e) {
      return (e as ConfigError).problems;
    }
    return [];
  };

  it('names the range and the value, not "expected a number" (PORT=70000 used to say that)', () => {
    expect(problemsOf({ PORT: '70000', BATON_WORKER_PORT: '-1', BATON_WORKER_METRICS_PORT: '80.5' })).toEqual([
      'PORT=70000: expected a port number from 1 to 65535 (or 0 for any free port)',
      'BATON_WORKER_PORT=-1: expected a port number from 1 to 65535 (or 0 for any free port)',
      'BATON_WORKER_METRICS_PORT=80.5: expected a port number from 1 to 65535 (or 0 for any free port)',
    ]);
    expect(problemsOf({ BATON_WORKER_CONCURRENCY: '0', HUBSPOT_REQUESTS_PER_SECOND: '99999' })).toEqual([
      'BATON_WORKER_CONCURRENCY=0: expected a whole number from 1 to 500',
      'HUBSPOT_REQUESTS_PER_SECOND=99999: must be at most 10000',
    ]);
    expect(readEnvOptions({ PORT: '65535', BATON_WORKER_PORT: '1' })).toMatchObject({ port: 65535, workerPort: 1 });
  });
});
