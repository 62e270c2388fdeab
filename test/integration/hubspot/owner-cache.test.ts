import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotStandin } from '../../standins/hubspot-standin.js';
import { createHubSpotCrm } from '../../../connectors/hubspot/hubspot-crm.js';

describe('HubSpot reader: owners are cached like pipelines', () => {
  let s: Awaited<ReturnType<typeof startHubSpotStandin>>;
  beforeAll(async () => {
    s = await startHubSpotStandin({});
    s.addOwner({ id: '501', userId: 1, email: 'rep@x.example', firstName: 'R', lastName: 'P' });
    for (const id of ['1', '2', '3']) s.addDeal({ id, properties: { dealname: `d${id}`, hubspot_owner_id: '501', dealstage: 'closedwon', pipeline: 'default' } });
  });
  afterAll(() => s.close());

  // A TTL of seconds, not milliseconds: on a loaded machine the three parallel reads can take longer than a short TTL.
  it('reads an owner once for many deals, and again after the cache expires', async () => {
    const crm = createHubSpotCrm({ accessToken: s.accessToken, basePath: s.url, pipelineCacheMs: 3_000 });
    const deals = await Promise.all(['1', '2', '3'].map((id) => crm.getDeal(id)));
    expect(deals.map((d) => d?.owner?.email)).toEqual(['rep@x.example', 'rep@x.example', 'rep@x.example']);
    const ownerReads = () => Object.entries(s.state.requests).filter(([k]) => k.includes('owners')).reduce((a, [, n]) => a + n, 0);
    expect(ownerReads()).toBe(1);
    await new Promise((r) => setTimeout(r, 3_100));
    await crm.getDeal('1');
    expect(ownerReads()).toBe(2);
  });
});
