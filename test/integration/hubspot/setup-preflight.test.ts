// `baton hubspot setup` and the HubSpot preflight against the real SDK, HubSpot mocked by nock.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BATON_PROPERTIES, BATON_PROPERTY_GROUP } from '../../../connectors/hubspot/baton-properties.js';
import { closest, hubspotPreflight } from '../../../connectors/hubspot/hubspot-preflight.js';
import { formatSetupResult, setupHubSpotProperties } from '../../../connectors/hubspot/hubspot-setup.js';
import { requiredScopes } from '../../../connectors/hubspot/required-scopes.js';

const BASE = 'http://hubspot.test';
const TOKEN = 'pat-na1-setup-token-4444';
const opts = { accessToken: TOKEN, basePath: BASE, timeoutMs: 2_000 };
const notFound = (what: string) => ({ status: 'error', message: `Unable to find ${what}`, correlationId: 'c', category: 'OBJECT_NOT_FOUND' });
const prop = (name: string, type = 'string', extra: Record<string, unknown> = {}) => ({
  name, label: name, type, fieldType: type === 'date' ? 'date' : 'text', groupName: 'baton_handoff', description: '', options: [],
  displayOrder: 0, calculated: false, externalOptions: false, hasUniqueValue: false, hidden: false, formField: true,
  createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z', modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
  ...extra,
});

beforeAll(() => nock.disableNetConnect());
/** Set by the persistent fake below: its routes may legitimately go unused. */
let fakeInUse = false;
afterEach(() => {
  const pending = fakeInUse ? [] : nock.pendingMocks();
  fakeInUse = false;
  nock.cleanAll();
  expect(pending, 'every mocked HubSpot call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

/** A HubSpot holding the given properties (and the group when `withGroup`), recording what setup sends. */
function fakePropertiesApi(initial: Array<ReturnType<typeof prop>>, withGroup: boolean) {
  const props = new Map(initial.map((p) => [p.name, p]));
  let group = withGroup;
  fakeInUse = true;
  const sent = { groupCreates: [] as unknown[], creates: [] as Array<Record<string, unknown>>, updates: [] as Array<{ name: string; body: unknown }> };
  nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .persist()
    .get(`/crm/v3/properties/deals/groups/${BATON_PROPERTY_GROUP.name}`)
    .reply(() => (group ? [200, { name: 'baton_handoff', label: 'Baton handoff', displayOrder: -1, archived: false }] : [404, notFound('property group baton_handoff')]))
    .post('/crm/v3/properties/deals/groups')
    .reply(201, (_u, body) => {
      sent.groupCreates.push(body);
      group = true;
      return { ...(body as object), archived: false };
    })
    .get(/\/crm\/v3\/properties\/deals\/baton_[a-z_]+/)
    .query(true)
    .reply((uri) => {
      const name = uri.split('?')[0]?.split('/').pop() ?? '';
      const p = props.get(name);
      return p ? [200, p] : [404, notFound(`property ${name}`)];
    })
    .post('/crm/v3/properties/deals')
    .reply(201, (_u, body) => {
      const b = body as Record<string, unknown> & { name: string; type: string };
      sent.creates.push(b);
      props.set(b.name, prop(b.name, b.type, b));
      return props.get(b.name) as object;
    })
    .patch(/\/crm\/v3\/properties\/deals\/baton_[a-z_]+/)
    .reply(200, (uri, body) => {
      const name = uri.split('/').pop() ?? '';
      sent.updates.push({ name, body });
      const p = { ...props.get(name), ...(body as object) } as ReturnType<typeof prop>;
      props.set(name, p);
      return p;
    });
  return sent;
}

describe('setupHubSpotProperties', () => {
  it('creates the group and every property on an empty portal, then creates nothing on a second run', async () => {
    const sent = fakePropertiesApi([], false);
    const first = await setupHubSpotProperties(opts);
    expect(first.created).toEqual(['group baton_handoff', ...BATON_PROPERTIES.map((p) => p.name)]);
    expect(first.existing).toEqual([]);
    expect(sent.groupCreates).toEqual([{ name: 'baton_handoff', label: 'Baton handoff', displayOrder: -1 }]);
    const status = sent.creates.find((c) => c.name === 'baton_status');
    expect(status).toMatchObject({
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'baton_handoff',
      options: ['preparing', 'incomplete', 'in_delivery', 'kickoff_done', 'stalled'].map((value) => expect.objectContaining({ value })),
    });
    expect(sent.creates.find((c) => c.name === 'baton_kickoff_due')).toMatchObject({ type: 'date', fieldType: 'date' });
    expect(sent.creates.find((c) => c.name === 'baton_scope')).toMatchObject({ type: 'string', fieldType: 'textarea' });
    expect(sent.creates.every((c) => !('writtenBy' in c))).toBe(true);
    expect(BATON_PROPERTIES).toHaveLength(21);
    expect(formatSetupResult(first)).toMatch(/^Created \(22\):\n {2}group baton_handoff\n {2}baton_scope\n/);

    const second = await setupHubSpotProperties(opts);
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.existing).toHaveLength(BATON_PROPERTIES.length + 1);
    expect(sent.creates).toHaveLength(BATON_PROPERTIES.length);
    expect(sent.groupCreates).toHaveLength(1);
    expect(formatSetupResult(second)).toContain('Nothing to do');
  });

  it('adds missing baton_status options to an existing property, keeping the admin\'s own options', async () => {
    const existing = BATON_PROPERTIES.filter((p) => p.name !== 'baton_status').map((p) => prop(p.name, p.type));
    existing.push(prop('baton_status', 'enumeration', {
      options: [{ label: 'In delivery', value: 'in_delivery', displayOrder: 0, hidden: false }, { label: 'Custom', value: 'custom', displayOrder: 1, hidden: false }],
    }));
    const sent = fakePropertiesApi(existing, true);
    const r = await setupHubSpotProperties(opts);
    expect(r.updated).toEqual(['baton_status']);
    expect(r.created).toEqual([]);
    const body = sent.updates[0]?.body as { options: Array<{ value: string }> };
    expect(body.options.map((o) => o.value)).toEqual(['in_delivery', 'custom', 'preparing', 'incomplete', 'kickoff_done', 'stalled']);
  });

  it('reports a property that exists with another type instead of changing it', async () => {
    const existing = BATON_PROPERTIES.map((p) => (p.name === 'baton_kickoff_target' ? prop(p.name, 'string') : prop(p.name, p.type, { options: p.options ?? [] })));
    const sent = fakePropertiesApi(existing, true);
    const r = await setupHubSpotProperties(opts);
    expect(r.conflicts).toEqual([expect.objectContaining({ name: 'baton_kickoff_target', problem: expect.stringContaining('type string; Baton expects date') })]);
    expect(sent.creates).toEqual([]);
    expect(sent.updates).toEqual([]);
    expect(formatSetupResult(r)).toContain('Fix: change baton_kickoff_target to a date property');
  });

  it('a token without schema scopes → PermanentError naming the scopes, without the token', async () => {
    nock(BASE).get('/crm/v3/properties/deals/groups/baton_handoff').reply(403, {
      status: 'error', message: 'This app hasn\'t been granted all required scopes', category: 'MISSING_SCOPES',
      errors: [{ message: 'missing', context: { requiredGranularScopes: ['crm.schemas.deals.write'] } }],
    });
    const e = await setupHubSpotProperties(opts).catch((x: unknown) => x);
    expect((e as Error).name).toBe('PermanentError');
    expect((e as Error).message).toContain('crm.schemas.deals.write');
    expect((e as Error).message).not.toContain(TOKEN);
  });
});

const pipelines = {
  results: [
    {
      id: 'default', label: 'Sales Pipeline', displayOrder: 0, archived: false, createdAt: '2020-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z',
      stages: [
        { id: 'contractsent', label: 'Contract Sent', displayOrder: 4, archived: false, metadata: { isClosed: 'false', probability: '0.9' }, createdAt: '2020-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z', writePermissions: 'CRUD_ALL' },
        { id: 'closedwon', label: 'Closed Won', displayOrder: 5, archived: false, metadata: { isClosed: 'true', probability: '1.0' }, createdAt: '2020-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z', writePermissions: 'CRUD_ALL' },
      ],
    },
    {
      id: '7001', label: 'Renewals', displayOrder: 1, archived: false, createdAt: '2020-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z',
      stages: [
        { id: '8001', label: 'Open', displayOrder: 0, archived: false, metadata: { isClosed: 'false', probability: '0.2' }, createdAt: '2020-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z', writePermissions: 'CRUD_ALL' },
      ],
    },
  ],
};

/** The token's scopes as HubSpot's private-app token introspection answers them (every scope Baton needs). */
function tokenInfo(scopes = requiredScopes()) {
  nock(BASE).post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: TOKEN }).reply(200, { userId: 1, hubId: 62515, appId: 3, scopes });
}

function portal(propertyNames: string[]) {
  tokenInfo();
  nock(BASE)
    .get('/crm/v3/properties/deals').query({ archived: 'false' })
    .reply(200, { results: propertyNames.map((n) => prop(n)) })
    .get('/crm/v3/pipelines/deals')
    .reply(200, pipelines);
}

const STANDARD = ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'hubspot_owner_id'];
const ALL_BATON = BATON_PROPERTIES.map((p) => p.name);

describe('hubspotPreflight', () => {
  it('no problems when every property, the pipeline and the stages exist', async () => {
    portal([...STANDARD, ...ALL_BATON]);
    const problems = await hubspotPreflight(opts, {
      mapping: 'services-onboarding', dealProperties: [...STANDARD, 'baton_scope'], pipeline: 'default', stages: ['won', 'contractsent'],
    });
    expect(problems).toEqual([]);
  });

  it('a typo gets a did-you-mean, a missing Baton property says run setup, an unknown one says create it', async () => {
    portal([...STANDARD, ...ALL_BATON.filter((n) => n !== 'baton_risks')]);
    const problems = await hubspotPreflight(opts, {
      mapping: 'services-onboarding', dealProperties: ['dealname', 'baton_scopee', 'baton_risks', 'region_of_client'], pipeline: 'default', stages: ['won'],
    });
    expect(problems).toEqual([
      {
        problem: 'mapping services-onboarding: deal property baton_scopee does not exist — did you mean baton_scope?',
        fix: 'use baton_scope in the mapping, or create baton_scopee in HubSpot (Settings → Properties → Deal properties)',
      },
      { problem: 'mapping services-onboarding: deal property baton_risks does not exist in HubSpot', fix: 'run `baton hubspot setup` to create the Baton handoff properties' },
      { problem: expect.stringContaining('deal property region_of_client does not exist'), fix: expect.stringContaining('create region_of_client in HubSpot') },
    ]);
    expect(problems[2]?.problem).not.toContain('did you mean');
  });

  it('a portal without the write-back properties is told to run setup', async () => {
    portal(STANDARD);
    const problems = await hubspotPreflight(opts, { mapping: 'm', dealProperties: ['dealname'], stages: ['won'] });
    expect(problems).toEqual([
      {
        problem: expect.stringContaining('the deal properties Baton writes back are missing: baton_status, baton_work_url, baton_kickoff_due'),
        fix: 'run `baton hubspot setup` to create the Baton handoff properties',
      },
    ]);
  });

  it('an unknown pipeline lists the real ones; an unknown stage lists the stages of the pipeline', async () => {
    portal([...STANDARD, ...ALL_BATON]);
    expect(await hubspotPreflight(opts, { mapping: 'm', dealProperties: [], pipeline: 'Sales', stages: ['won'] })).toEqual([
      { problem: "mapping m: deal pipeline 'Sales' does not exist in HubSpot", fix: 'set trigger.pipeline to one of: Sales Pipeline (default), Renewals (7001)' },
    ]);
    portal([...STANDARD, ...ALL_BATON]);
    const p = await hubspotPreflight(opts, { mapping: 'm', dealProperties: [], pipeline: 'renewals', stages: ['won', 'Opn', '8001'] });
    expect(p).toEqual([
      { problem: 'mapping m: no stage of Renewals (7001) is closed won (closed with probability 100%)', fix: expect.stringContaining('mark the won stage as closed won') },
      { problem: "mapping m: stage 'Opn' does not exist in Renewals (7001) — did you mean Open?", fix: 'use one of: Open (8001), or `won` for any closed-won stage' },
    ]);
  });

  it('a rejected token is one problem with the fix, not a crash', async () => {
    nock(BASE).post('/oauth/v2/private-apps/get/access-token-info').reply(401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' });
    nock(BASE).get('/oauth/v1/access-tokens/' + TOKEN).reply(401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' });
    nock(BASE).get('/crm/v3/properties/deals').query(true).reply(401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' });
    const p = await hubspotPreflight(opts, { mapping: 'm', dealProperties: ['dealname'], stages: ['won'] });
    expect(p).toHaveLength(1);
    expect(p[0]?.problem).toContain('401');
    expect(p[0]?.fix).toContain('HUBSPOT_ACCESS_TOKEN');
    expect(JSON.stringify(p)).not.toContain(TOKEN);
  });

  it("an OAuth token's scopes are read from the OAuth token endpoint; a missing one is one line naming the feature", async () => {
    nock(BASE).post('/oauth/v2/private-apps/get/access-token-info').reply(400, { status: 'error', message: 'not a private app token', category: 'VALIDATION_ERROR' });
    nock(BASE).get(`/oauth/v1/access-tokens/${TOKEN}`).reply(200, { token: TOKEN, hub_id: 62515, app_id: 3, scopes: requiredScopes().filter((s) => s !== 'crm.objects.deals.write') });
    nock(BASE).get('/crm/v3/properties/deals').query({ archived: 'false' }).reply(200, { results: [...STANDARD, ...ALL_BATON].map((n) => prop(n)) });
    nock(BASE).get('/crm/v3/pipelines/deals').reply(200, pipelines);
    expect(await hubspotPreflight(opts, { mapping: 'm', dealProperties: ['dealname'], pipeline: 'default', stages: ['won'] })).toEqual([
      {
        problem: "mapping m: the HubSpot token lacks the scope crm.objects.deals.write, needed for writing Baton's status properties back on the deal",
        fix: expect.stringContaining('add crm.objects.deals.write'),
      },
    ]);
  });

  it('closest() suggests only near names', () => {
    expect(closest('baton_scopee', ['baton_scope', 'baton_status'])).toBe('baton_scope');
    expect(closest('dealnme', ['dealname'])).toBe('dealname');
    expect(closest('completely_else', ['baton_scope'])).toBeUndefined();
  });
});
