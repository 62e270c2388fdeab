// The HubSpot connector against the real @hubspot/api-client, with HubSpot itself mocked by nock at the HTTP layer.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';
import {
  ENTERED_STAGE_PROPERTY,
  HUBSPOT_DEFAULT_PIPELINE,
  createHubSpotCrm,
} from '../../../connectors/hubspot/hubspot-crm.js';
import type { CrmReconcileHit } from '../../../src/handoff/ports.js';

const BASE = 'http://hubspot.test';
const TOKEN = 'pat-na1-test-token-0000-1111-2222';
const live = (extra: Partial<Parameters<typeof createHubSpotCrm>[0]> = {}) =>
  createHubSpotCrm({ accessToken: TOKEN, basePath: BASE, portalId: '62515', ...extra });

beforeAll(() => {
  nock.disableNetConnect();
  // Real socket failures come from loopback servers below (nock 14's replyWithError hangs node-fetch 2).
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked HubSpot call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

function listen(onConnection: (socket: import('node:net').Socket) => void): Promise<Server> {
  const server = createServer(onConnection);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function dealBody(overrides: Record<string, unknown> = {}) {
  return {
    id: '123',
    properties: { dealname: 'ACME onboarding', dealstage: 'closedwon', pipeline: 'default', hubspot_owner_id: '77001', amount: '42000', baton_scope: 'Implementation' },
    createdAt: '2025-08-01T10:00:00.000Z',
    updatedAt: '2025-08-20T10:00:00.000Z',
    archived: false,
    associations: {
      companies: {
        results: [
          { id: '900', type: 'deal_to_company_unlabeled' },
          { id: '901', type: 'deal_to_company' },
          { id: '901', type: 'deal_to_company_unlabeled' },
        ],
      },
      contacts: { results: [{ id: '12', type: 'deal_to_contact' }, { id: '11', type: 'deal_to_contact' }] },
    },
    ...overrides,
  };
}

const obj = (id: string, properties: Record<string, string | null>) => ({
  id,
  properties,
  createdAt: '2025-08-01T10:00:00.000Z',
  updatedAt: '2025-08-01T10:00:00.000Z',
  archived: false,
});

describe('getDeal (live)', () => {
  it('reads the deal, then companies and contacts in batches, then the owner', async () => {
    let dealQuery: Record<string, unknown> = {};
    const companyBodies: unknown[] = [];
    const contactBodies: unknown[] = [];
    nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/crm/v3/objects/deals/123')
      .query((q) => ((dealQuery = q), true))
      .reply(200, dealBody())
      .post('/crm/v3/objects/companies/batch/read', (b) => (companyBodies.push(b), true))
      .query({ archived: 'false' })
      .reply(200, {
        status: 'COMPLETE',
        results: [obj('900', { name: 'Old Parent', domain: 'old.example' }), obj('901', { name: 'ACME', domain: 'acme.example' })],
        startedAt: '2025-08-20T10:00:00.000Z',
        completedAt: '2025-08-20T10:00:00.100Z',
      })
      .post('/crm/v3/objects/contacts/batch/read', (b) => (contactBodies.push(b), true))
      .query({ archived: 'false' })
      .reply(200, {
        status: 'COMPLETE',
        // batch results come back in any order; the association order must win
        results: [
          obj('11', { email: 'second@acme.example', firstname: 'Sam', lastname: 'Second' }),
          obj('12', { email: 'first@acme.example', firstname: 'Fay', lastname: 'First' }),
        ],
        startedAt: '2025-08-20T10:00:00.000Z',
        completedAt: '2025-08-20T10:00:00.100Z',
      })
      .get('/crm/v3/owners/77001')
      .query({ idProperty: 'id', archived: 'false' })
      .reply(200, {
        id: '77001', email: 'rep@seller.example', firstName: 'Riley', lastName: 'Rep', userId: 555, type: 'PERSON',
        archived: false, createdAt: '2020-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z',
      });

    const deal = await live().getDeal('123', { dealProperties: ['baton_scope'], companyProperties: ['industry_x'], contactProperties: ['hs_language'] });

    // the query: requested + default properties, both associations, live records only
    const props = dealQuery.properties as string[];
    expect(props).toEqual(expect.arrayContaining(['dealname', 'dealstage', 'pipeline', 'hubspot_owner_id', 'baton_scope']));
    expect(dealQuery.associations).toEqual(['contacts', 'companies']);
    expect(dealQuery.archived).toBe('false');
    // companies: primary first, each id once
    expect(companyBodies).toHaveLength(1);
    expect(companyBodies[0]).toMatchObject({ inputs: [{ id: '901' }, { id: '900' }], properties: expect.arrayContaining(['name', 'domain', 'industry_x']) });
    expect(contactBodies[0]).toMatchObject({ inputs: [{ id: '12' }, { id: '11' }], properties: expect.arrayContaining(['email', 'firstname', 'hs_language']) });

    expect(deal).toMatchObject({
      crm: 'hubspot',
      accountId: '62515',
      id: '123',
      pipelineId: 'default',
      stageId: 'closedwon',
      url: 'https://app.hubspot.com/contacts/62515/record/0-3/123',
      archived: false,
      company: { id: '901', name: 'ACME', domain: 'acme.example' },
      owner: { id: '77001', email: 'rep@seller.example', firstName: 'Riley', lastName: 'Rep' },
    });
    expect(deal?.properties.baton_scope).toBe('Implementation');
    expect(deal?.contacts.map((c) => [c.id, c.email, c.firstName])).toEqual([
      ['12', 'first@acme.example', 'Fay'],
      ['11', 'second@acme.example', 'Sam'],
    ]);
  });

  it('splits more than 100 contacts into batch reads of at most 100, and skips the owner when there is none', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => String(1000 + i));
    const sizes: number[] = [];
    nock(BASE)
      .get('/crm/v3/objects/deals/5')
      .query(true)
      .reply(200, dealBody({
        id: '5',
        properties: { dealstage: 'closedwon', pipeline: 'default', hubspot_owner_id: null },
        associations: { contacts: { results: ids.map((id) => ({ id, type: 'deal_to_contact' })) } },
      }))
      .post('/crm/v3/objects/contacts/batch/read')
      .query(true)
      .times(2)
      .reply(200, (_uri, body) => {
        const inputs = (body as { inputs: Array<{ id: string }> }).inputs;
        sizes.push(inputs.length);
        return { status: 'COMPLETE', results: inputs.map(({ id }) => obj(id, { email: `${id}@x.example` })), startedAt: '2025-01-01T00:00:00Z', completedAt: '2025-01-01T00:00:00Z' };
      });
    const deal = await live({ portalId: undefined }).getDeal('5');
    expect(sizes).toEqual([100, 50]);
    expect(deal?.contacts).toHaveLength(150);
    expect(deal?.contacts[0]?.id).toBe('1000');
    expect(deal?.company).toBeNull();
    expect(deal?.owner).toBeNull();
    expect(deal?.url).toBeNull();
  });

  it('labels enumeration values from the property definitions (read once), and still reads the deal when they fail', async () => {
    const definitions = { results: [
      { name: 'dealtype', label: 'Deal Type', type: 'enumeration', fieldType: 'radio', groupName: 'dealinformation', options: [{ label: 'New Business', value: 'newbusiness', displayOrder: 0, hidden: false }] },
      { name: 'services', label: 'Services', type: 'enumeration', fieldType: 'checkbox', groupName: 'dealinformation', options: [{ label: 'Training', value: 'training', displayOrder: 0, hidden: false }, { label: 'Support', value: 'support', displayOrder: 1, hidden: false }] },
    ] };
    const dealReply = (id: string) => dealBody({ id, properties: { dealstage: 'closedwon', pipeline: 'default', hubspot_owner_id: null, dealtype: 'newbusiness', services: 'training;support' }, associations: {} });
    let dealReads = 0;
    for (let i = 0; i < 2; i++) nock(BASE).get('/crm/v3/objects/deals/7').query(true).reply(200, () => (dealReads++, dealReply('7')));
    nock(BASE).get('/crm/v3/properties/deals').query(true).once().reply(200, definitions);
    const crm = live();
    for (let i = 0; i < 2; i++) {
      const deal = await crm.getDeal('7');
      expect(deal?.labels).toEqual({ dealtype: 'New Business', services: 'Training, Support' });
      expect(deal?.properties.dealtype).toBe('newbusiness'); // conditions compare stored values
    }
    expect(dealReads).toBe(2);
    // Labels unreadable (a 503 here): the deal is read all the same, without labels.
    nock(BASE).get('/crm/v3/objects/deals/8').query(true).reply(200, dealReply('8'));
    nock(BASE).get('/crm/v3/properties/deals').query(true).reply(503, { status: 'error', message: 'unavailable', category: 'SERVICE_UNAVAILABLE' });
    const deal = await live().getDeal('8');
    expect(deal?.properties.dealtype).toBe('newbusiness');
    expect(deal?.labels).toEqual({});
  });

  it('404 → null (deleted or archived deal)', async () => {
    nock(BASE).get('/crm/v3/objects/deals/404').query(true).reply(404, { status: 'error', message: 'Object not found.  objectId are usually numeric.', category: 'OBJECT_NOT_FOUND' });
    expect(await live().getDeal('404')).toBeNull();
  });

  it('429 TEN_SECONDLY_ROLLING → RetryableError after 10 s (policyName survives the SDK)', async () => {
    nock(BASE).get('/crm/v3/objects/deals/1').query(true).reply(429, {
      status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT',
      correlationId: 'abc', policyName: 'TEN_SECONDLY_ROLLING',
    });
    const e = await live().getDeal('1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(10_000);
    expect((e as RetryableError).message).toContain('getDeal(1)');
  });

  it('429 with Retry-After → that delay', async () => {
    nock(BASE).get('/crm/v3/objects/deals/1').query(true).reply(429, { status: 'error', message: 'slow down' }, { 'Retry-After': '4' });
    const e = await live().getDeal('1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(4000);
  });

  it('500 → RetryableError; the SDK does not retry by itself (one request only)', async () => {
    nock(BASE).get('/crm/v3/objects/deals/1').query(true).once().reply(500, { status: 'error', message: 'internal error' });
    const e = await live().getDeal('1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as Error).message).toContain('500');
  });

  it('502 without a Content-Type still keeps its status', async () => {
    nock(BASE).get('/crm/v3/objects/deals/1').query(true).reply(502, 'Bad Gateway', {});
    const e = await live().getDeal('1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as Error).message).toContain('502');
  });

  it('ECONNRESET (server drops the connection) → RetryableError', async () => {
    const server = await listen((socket) => socket.resetAndDestroy());
    try {
      const port = (server.address() as AddressInfo).port;
      const e = await live({ basePath: `http://127.0.0.1:${port}` }).getDeal('1').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RetryableError);
      expect((e as Error).message).toContain('ECONNRESET');
    } finally {
      server.close();
    }
  });

  it('ECONNREFUSED (nothing listening) → RetryableError', async () => {
    const server = await listen(() => undefined);
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const e = await live({ basePath: `http://127.0.0.1:${port}` }).getDeal('1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as Error).message).toContain('ECONNREFUSED');
  });

  it('401 → PermanentError naming HUBSPOT_ACCESS_TOKEN, without the token', async () => {
    nock(BASE).get('/crm/v3/objects/deals/1').query(true).reply(401, {
      status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION',
    });
    const e = await live().getDeal('1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as Error).message).toContain('HUBSPOT_ACCESS_TOKEN');
    expect((e as Error).message).not.toContain(TOKEN);
    expect(JSON.stringify({ ...(e as object), message: (e as Error).message })).not.toContain(TOKEN);
  });

  it('403 on the owner read names the owners scope', async () => {
    nock(BASE)
      .get('/crm/v3/objects/deals/7').query(true).reply(200, dealBody({ id: '7', associations: {} }))
      .get('/crm/v3/owners/77001').query(true).reply(403, {
        status: 'error', message: "This app hasn't been granted all required scopes to make this call.", category: 'MISSING_SCOPES',
        errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.owners.read'] } }],
      });
    const e = await live().getDeal('7').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as Error).message).toContain('crm.objects.owners.read');
  });
});

describe('listPipelines (live)', () => {
  const pipelinesBody = {
    results: [
      {
        id: '4567', label: 'Renewals', displayOrder: 2, archived: false, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z',
        stages: [
          { id: '11348548', label: 'Lost', displayOrder: 2, archived: false, metadata: { isClosed: 'true', probability: '0.0' }, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' },
          { id: '11348547', label: 'Renewed', displayOrder: 1, archived: false, metadata: { isClosed: 'true', probability: '1.0' }, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' },
          { id: '11348546', label: 'Open', displayOrder: 0, archived: false, metadata: { isClosed: 'false', probability: '0.5' }, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' },
          { id: '999', label: 'Old', displayOrder: 3, archived: true, metadata: { isClosed: 'true', probability: '1.0' }, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' },
        ],
      },
      {
        id: 'default', label: 'Sales Pipeline', displayOrder: 0, archived: false, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z',
        stages: [
          { id: 'contractsent', label: 'Contract Sent', displayOrder: 0, archived: false, metadata: { isClosed: 'false', probability: '0.9' }, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' },
          { id: 'closedwon', label: 'Closed Won', displayOrder: 1, archived: false, metadata: { isClosed: 'true', probability: '1.0' }, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' },
        ],
      },
    ],
  };

  it('maps stages with isClosed/isWon from metadata, and 3 concurrent callers share one HTTP call', async () => {
    let calls = 0;
    nock(BASE).get('/crm/v3/pipelines/deals').times(5).reply(200, () => (calls++, pipelinesBody));
    const crm = live();
    const [a, b, c] = await Promise.all([crm.listPipelines(), crm.listPipelines(), crm.listPipelines()]);
    const again = await crm.listPipelines(); // within the cache window
    expect(calls).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(again).toBe(a);
    nock.cleanAll(); // the unused .times() remainder is expected

    expect(a.map((p) => p.id)).toEqual(['default', '4567']);
    const renewals = a[1]!;
    expect(renewals.stages.map((s) => [s.stageId, s.stageLabel, s.isClosed, s.isWon])).toEqual([
      ['11348546', 'Open', false, false],
      ['11348547', 'Renewed', true, true],
      ['11348548', 'Lost', true, false],
    ]);
    expect(renewals.stages[1]).toMatchObject({ pipelineId: '4567', pipelineLabel: 'Renewals' });
  });

  it('refreshes after pipelineCacheMs, and does not cache a failure', async () => {
    let calls = 0;
    nock(BASE)
      .get('/crm/v3/pipelines/deals').reply(503, { message: 'unavailable' })
      .get('/crm/v3/pipelines/deals').times(2).reply(200, () => (calls++, pipelinesBody));
    const crm = live({ pipelineCacheMs: 20 });
    await expect(crm.listPipelines()).rejects.toBeInstanceOf(RetryableError);
    await crm.listPipelines();
    await new Promise((r) => setTimeout(r, 40));
    await crm.listPipelines();
    expect(calls).toBe(2);
  });
});

describe('searchDealsEnteredStages (live)', () => {
  it(`filters dealstage IN stages and ${ENTERED_STAGE_PROPERTY} >= since, ascending, 200 per page, following "after"`, async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const since = Date.parse('2025-08-19T00:00:00Z');
    nock(BASE)
      .post('/crm/v3/objects/deals/search', (b) => (bodies.push(b), true))
      .reply(200, {
        total: 3,
        results: [
          obj('1', { dealstage: 'closedwon', [ENTERED_STAGE_PROPERTY]: '2025-08-19T10:00:00.000Z', hs_lastmodifieddate: '2025-08-19T10:00:00.000Z' }),
          obj('2', { dealstage: '11348547', [ENTERED_STAGE_PROPERTY]: '2025-08-19T11:00:00.000Z', hs_lastmodifieddate: null }),
        ],
        paging: { next: { after: '2', link: '?after=2' } },
      })
      .post('/crm/v3/objects/deals/search', (b) => (bodies.push(b), true))
      .reply(200, {
        total: 3,
        results: [obj('3', { dealstage: 'closedwon', [ENTERED_STAGE_PROPERTY]: null, hs_lastmodifieddate: '2025-08-19T12:00:00.000Z' })],
      });

    const hits: CrmReconcileHit[] = [];
    for await (const h of live().searchDealsEnteredStages(['closedwon', '11348547'], since)) hits.push(h);

    expect(hits).toEqual([
      { dealId: '1', stageId: 'closedwon', enteredStageAt: Date.parse('2025-08-19T10:00:00.000Z') },
      { dealId: '2', stageId: '11348547', enteredStageAt: Date.parse('2025-08-19T11:00:00.000Z') },
      // no entered-stage value: falls back to hs_lastmodifieddate
      { dealId: '3', stageId: 'closedwon', enteredStageAt: Date.parse('2025-08-19T12:00:00.000Z') },
    ]);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toEqual({
      filterGroups: [
        {
          filters: [
            { propertyName: 'dealstage', operator: 'IN', values: ['closedwon', '11348547'] },
            { propertyName: ENTERED_STAGE_PROPERTY, operator: 'GTE', value: String(since) },
          ],
        },
      ],
      sorts: [{ propertyName: ENTERED_STAGE_PROPERTY, direction: 'ASCENDING' }],
      properties: ['dealstage', ENTERED_STAGE_PROPERTY, 'hs_lastmodifieddate'],
      limit: 200,
    });
    expect(bodies[1]).toEqual({ ...bodies[0], after: '2' });
  });

  it('no stages → no request; a 429 mid-way surfaces as RetryableError', async () => {
    const none: CrmReconcileHit[] = [];
    for await (const h of live().searchDealsEnteredStages([], 0)) none.push(h);
    expect(none).toEqual([]);

    nock(BASE).post('/crm/v3/objects/deals/search').reply(429, { message: 'You have reached your secondly limit.' });
    const run = async () => {
      for await (const _ of live().searchDealsEnteredStages(['closedwon'], 0)) void _;
    };
    const e = await run().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(1000);
  });
});

describe('dry-run (no token)', () => {
  it('makes no HTTP calls: getDeal → null, the default pipeline, an empty search', async () => {
    const crm = createHubSpotCrm({ basePath: BASE });
    expect(crm.mode).toBe('dry-run');
    expect(crm.crm).toBe('hubspot');
    expect(await crm.getDeal('123')).toBeNull();
    expect(await crm.listPipelines()).toEqual([HUBSPOT_DEFAULT_PIPELINE]);
    const hits: CrmReconcileHit[] = [];
    for await (const h of crm.searchDealsEnteredStages(['closedwon'], 0)) hits.push(h);
    expect(hits).toEqual([]);
    expect(live().mode).toBe('live');
  });

  it('the default pipeline marks closedwon as won and closedlost as closed but not won', () => {
    const won = HUBSPOT_DEFAULT_PIPELINE.stages.filter((s) => s.isWon).map((s) => s.stageId);
    const closed = HUBSPOT_DEFAULT_PIPELINE.stages.filter((s) => s.isClosed).map((s) => s.stageId);
    expect(won).toEqual(['closedwon']);
    expect(closed).toEqual(['closedwon', 'closedlost']);
    expect(HUBSPOT_DEFAULT_PIPELINE.stages.map((s) => s.stageId)).toEqual([
      'appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost',
    ]);
  });
});
