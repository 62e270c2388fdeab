import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/create-logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts secret-bearing keys and scrubs configured secret values anywhere', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', secrets: ['pat-na1-SECRET', 'xoxb-TOKEN'], destination });
    log.info({ req: { headers: { authorization: 'Bearer abc' } }, client: { accessToken: 'zzz' } }, 'call failed for pat-na1-SECRET');
    log.error({ err: new Error('401 from Slack with token xoxb-TOKEN') }, 'boom');
    log.warn({ nested: { deep: ['x', 'has xoxb-TOKEN inside'] } }, 'nested');
    const out = lines.join('\n');
    expect(out).not.toContain('pat-na1-SECRET');
    expect(out).not.toContain('xoxb-TOKEN');
    expect(out).not.toContain('Bearer abc');
    expect(out).not.toContain('zzz');
    expect(out.match(/\[REDACTED\]/g)!.length).toBeGreaterThanOrEqual(5);
  });
});
