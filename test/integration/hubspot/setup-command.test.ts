import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotStandin } from '../../standins/hubspot-standin.js';
import { hubspotSetupCommand } from '../../../src/cli/hubspot-setup-command.js';

function sink() {
  let text = '';
  return {
    out: new Writable({
      write(c, _e, cb) {
        text += String(c);
        cb();
      },
    }),
    text: () => text,
  };
}

describe('baton hubspot setup (against the HubSpot stand-in)', () => {
  let standin: Awaited<ReturnType<typeof startHubSpotStandin>>;
  const saved = { ...process.env };
  beforeAll(async () => {
    standin = await startHubSpotStandin({ batonProperties: false });
    process.env.HUBSPOT_ACCESS_TOKEN = standin.accessToken;
    process.env.HUBSPOT_API_BASE_URL = standin.url;
  });
  afterAll(async () => {
    process.env = saved;
    await standin.close();
  });

  it('creates the group and properties once, then finds them all existing', async () => {
    const first = sink();
    expect(await hubspotSetupCommand(first.out)).toBe(0);
    expect(first.text()).toMatch(/baton_scope/);
    expect(first.text()).toMatch(/created/i);
    const second = sink();
    expect(await hubspotSetupCommand(second.out)).toBe(0);
    expect(second.text()).not.toMatch(/^\s*created/im);
  });

  it('refuses clearly without a token', async () => {
    const s = sink();
    const token = process.env.HUBSPOT_ACCESS_TOKEN;
    delete process.env.HUBSPOT_ACCESS_TOKEN;
    try {
      expect(await hubspotSetupCommand(s.out)).toBe(1);
      expect(s.text()).toContain('HUBSPOT_ACCESS_TOKEN is not set');
    } finally {
      process.env.HUBSPOT_ACCESS_TOKEN = token;
    }
  });
});
