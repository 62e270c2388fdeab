import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_EVENTS_PER_REQUEST,
  WebhookShapeError,
  parseHubSpotWebhook,
} from '../../../connectors/hubspot/parse-webhook.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/hubspot/${name}.json`, import.meta.url), 'utf8'));
type Ev = Record<string, unknown>;
const batchFixture = (name: string): Ev[] => fixture(name) as Ev[];

function shapeError(body: unknown): string {
  try {
    parseHubSpotWebhook(body);
  } catch (e) {
    expect(e).toBeInstanceOf(WebhookShapeError);
    return (e as Error).message;
  }
  throw new Error('expected a WebhookShapeError');
}

describe('parseHubSpotWebhook: app batches from the fixtures', () => {
  it('deal.creation', () => {
    const r = parseHubSpotWebhook(fixture('hubspot-deal-creation-batch'));
    expect(r).toEqual({
      kind: 'app-batch',
      ignored: 0,
      events: [
        {
          identity: 'hubspot:123456:deal.creation:4658499848:120:1755648120000:',
          crm: 'hubspot',
          accountId: '123456',
          kind: 'deal.created',
          dealId: '4658499848',
          occurredAt: 1755648120000,
          source: { changeSource: 'CRM', sourceId: 'userId:864745280', appId: '3715530' },
        },
      ],
    });
  });

  it('deal.propertyChange carries the property and its new value', () => {
    const [e] = parseHubSpotWebhook(fixture('hubspot-deal-propertychange-batch')).events;
    expect(e).toMatchObject({
      kind: 'deal.property_changed',
      dealId: '4658499851',
      property: { name: 'dealstage', value: 'presentationscheduled' },
      identity: 'hubspot:123456:deal.propertyChange:4658499851:123:1755648123000:dealstage',
      source: { changeSource: 'USER', sourceId: 'userId:864745280', appId: '3715530' },
    });
  });

  it('deal.deletion and deal.restore', () => {
    expect(parseHubSpotWebhook(fixture('hubspot-deal-deletion-batch')).events[0]).toMatchObject({
      kind: 'deal.deleted',
      dealId: '4658499849',
      occurredAt: 1755648121000,
    });
    expect(parseHubSpotWebhook(fixture('hubspot-deal-restore-batch')).events[0]).toMatchObject({
      kind: 'deal.restored',
      dealId: '4658499852',
    });
  });

  it('deal.merge: the surviving id and the ids that no longer exist', () => {
    const [e] = parseHubSpotWebhook(fixture('hubspot-deal-merge-batch')).events;
    expect(e).toMatchObject({ kind: 'deal.merged', dealId: '4658499850', mergedDealIds: ['4658500850'] });
  });

  it('merge that creates a new record: newObjectId survives, the old primary is listed as merged', () => {
    const [ev] = batchFixture('hubspot-deal-merge-batch');
    const [e] = parseHubSpotWebhook([{ ...ev, newObjectId: 999 }]).events;
    expect(e?.dealId).toBe('999');
    expect(e?.mergedDealIds?.sort()).toEqual(['4658499850', '4658500850']);
  });

  it('deal.associationChange uses fromObjectId for DEAL_TO_* and toObjectId for *_TO_DEAL', () => {
    const batch = batchFixture('hubspot-deal-associationchange-batch');
    const [e] = parseHubSpotWebhook(batch).events;
    expect(e).toMatchObject({
      kind: 'deal.association_changed',
      dealId: '4658499847',
      identity: 'hubspot:123456:deal.associationChange:4658499847-3907:119:1755648119000:DEAL_TO_CONTACT',
    });
    const [reverse] = parseHubSpotWebhook([{ ...batch[0], associationType: 'CONTACT_TO_DEAL', fromObjectId: 3907, toObjectId: 4658499847 }]).events;
    expect(reverse?.dealId).toBe('4658499847');
    // the removal of the same association is a different event
    const [removed] = parseHubSpotWebhook([{ ...batch[0], associationRemoved: true }]).events;
    expect(removed?.identity).not.toBe(e?.identity);
  });

  it('the docs example (contact events, "eventType" spelling) is valid and fully ignored', () => {
    expect(parseHubSpotWebhook(fixture('hubspot-webhook-docs-example-batch'))).toEqual({ kind: 'app-batch', ignored: 2, events: [] });
  });

  it('the signature-vector body (contact.creation) is ignored', () => {
    expect(parseHubSpotWebhook(fixture('hubspot-webhook-contact-creation-signature-vector')).ignored).toBe(1);
  });
});

describe('parseHubSpotWebhook: mixed batches and identities', () => {
  const creation = batchFixture('hubspot-deal-creation-batch')[0]!;
  const change = batchFixture('hubspot-deal-propertychange-batch')[0]!;
  const contacts = batchFixture('hubspot-webhook-docs-example-batch');

  it('keeps deal events in order and counts contact/company/other-object events as ignored', () => {
    const batch = [
      contacts[0],
      creation,
      { ...change, propertyName: 'amount', propertyValue: '1000' },
      { ...creation, subscriptionType: 'company.creation' },
      contacts[1],
      { ...change, subscriptionType: 'object.propertyChange', objectTypeId: '0-1' }, // a contact, generic format
      { ...change, subscriptionType: 'deal.privacyDeletion' }, // a deal type Baton has no use for
      change,
    ];
    const r = parseHubSpotWebhook(batch);
    expect(r.ignored).toBe(5);
    expect(r.events.map((e) => e.kind)).toEqual(['deal.created', 'deal.property_changed', 'deal.property_changed']);
    expect(r.events.map((e) => e.property?.name ?? null)).toEqual([null, 'amount', 'dealstage']);
  });

  it('identity is stable across redeliveries (attemptNumber is not part of it)', () => {
    const first = parseHubSpotWebhook([change]).events[0]!;
    const retry = parseHubSpotWebhook([{ ...change, attemptNumber: 7 }]).events[0]!;
    expect(retry.identity).toBe(first.identity);
    expect(retry).toEqual(first);
  });

  it('identity separates events that share an eventId (HubSpot does not guarantee eventId is unique)', () => {
    const ids = new Set(
      [
        change,
        { ...change, objectId: 1 },
        { ...change, occurredAt: change.occurredAt as number + 1 },
        { ...change, propertyName: 'amount' },
        { ...change, portalId: 999 },
        { ...change, subscriptionType: 'deal.creation' },
      ].map((ev) => parseHubSpotWebhook([ev]).events[0]!.identity),
    );
    expect(ids.size).toBe(6);
  });

  it('generic object.* events for deals (objectTypeId 0-3) normalise like the legacy ones', () => {
    const generic = { ...change, subscriptionType: 'object.propertyChange', objectTypeId: '0-3' };
    const [e] = parseHubSpotWebhook([generic]).events;
    expect(e).toMatchObject({ kind: 'deal.property_changed', dealId: '4658499851', property: { name: 'dealstage', value: 'presentationscheduled' } });
    expect(e?.identity).toContain(':object.propertyChange:');
    const assoc = {
      eventId: 5, subscriptionId: 6, portalId: 7, occurredAt: 8, subscriptionType: 'object.associationChange',
      fromObjectTypeId: '0-1', toObjectTypeId: '0-3', fromObjectId: 11, toObjectId: 22, associationTypeId: 4,
    };
    expect(parseHubSpotWebhook([assoc]).events[0]).toMatchObject({ kind: 'deal.association_changed', dealId: '22' });
    expect(parseHubSpotWebhook([{ ...assoc, toObjectTypeId: '0-2' }]).ignored).toBe(1);
  });

  it('a property cleared to empty keeps a null value', () => {
    const { propertyValue: _drop, ...cleared } = change;
    expect(parseHubSpotWebhook([cleared]).events[0]?.property).toEqual({ name: 'dealstage', value: null });
  });

  it('accepts exactly 100 events', () => {
    const batch = Array.from({ length: MAX_EVENTS_PER_REQUEST }, (_, i) => ({ ...change, eventId: i }));
    expect(parseHubSpotWebhook(batch).events).toHaveLength(100);
  });
});

describe('parseHubSpotWebhook: shape errors name the offending path', () => {
  const change = batchFixture('hubspot-deal-propertychange-batch')[0]!;

  it.each([
    [[], 'body: expected at least one event'],
    [Array.from({ length: 101 }, () => change), 'body: 101 events exceed the limit of 100 per request'],
    [[change, 'x'], 'event[1]: expected an object'],
    [[change, null], 'event[1]: expected an object'],
    [[change, [change]], 'event[1]: expected an object'],
    [[change, change, change, { ...change, occurredAt: '1755648123000' }], 'event[3].occurredAt: expected a number'],
    [[{ ...change, eventId: undefined }], 'event[0].eventId: expected a number'],
    [[{ ...change, subscriptionId: null }], 'event[0].subscriptionId: expected a number'],
    [[{ ...change, portalId: '123456' }], 'event[0].portalId: expected a number'],
    [[{ ...change, subscriptionType: 42 }], 'event[0].subscriptionType: expected a string'],
    [[{ ...change, objectId: undefined }], 'event[0].objectId: expected a number'],
    [[{ ...change, objectId: Number.NaN }], 'event[0].objectId: expected a number'],
    [[{ ...change, propertyName: undefined }], 'event[0].propertyName: expected a non-empty string'],
    [[{ ...change, propertyValue: { nested: true } }], 'event[0].propertyValue: expected a string'],
    [[{ ...change, subscriptionType: 'object.creation' }], 'event[0].objectTypeId: expected a string'],
    [[{ ...change, subscriptionType: 'deal.associationChange' }], 'event[0].fromObjectId: expected a number'],
    [[{ ...change, subscriptionType: 'deal.merge', mergedObjectIds: 'x' }], 'event[0].mergedObjectIds: expected an array of numbers'],
    [[{ ...change, subscriptionType: 'deal.merge', mergedObjectIds: [1, '2'] }], 'event[0].mergedObjectIds[1]: expected a number'],
    [[{ ...change, changeSource: {} }], 'event[0].changeSource: expected a string'],
    ['[]', 'body: expected a JSON array of events or a workflow payload object'],
    [42, 'body: expected a JSON array of events or a workflow payload object'],
    [null, 'body: expected a JSON array of events or a workflow payload object'],
    [{ hello: 'world' }, 'body: expected a JSON array of events, or a workflow payload object with dealId (or objectId) and properties'],
  ])('%#: %j → %s', (body, reason) => {
    expect(shapeError(body)).toBe(reason);
  });

  it('an ignored (non-deal) event still needs the common fields', () => {
    const contact = batchFixture('hubspot-webhook-docs-example-batch')[0]!;
    expect(shapeError([{ ...contact, occurredAt: null }])).toBe('event[0].occurredAt: expected a number');
  });

  it('a hostile subscriptionType cannot reach Object.prototype', () => {
    expect(parseHubSpotWebhook([{ ...change, subscriptionType: 'constructor' }]).ignored).toBe(1);
    expect(parseHubSpotWebhook([{ ...change, subscriptionType: 'deal.__proto__' }]).ignored).toBe(1);
  });
});

describe('parseHubSpotWebhook: workflow "Send a webhook" payloads', () => {
  const payload = fixture('hubspot-workflow-deal-payload') as Record<string, unknown>;

  it('the legacy v1 record becomes one deal.snapshot with the deal properties, associations and owner', () => {
    const r = parseHubSpotWebhook(payload);
    expect(r.kind).toBe('workflow');
    expect(r.ignored).toBe(0);
    expect(r.events).toHaveLength(1);
    const e = r.events[0]!;
    expect(e).toMatchObject({
      crm: 'hubspot',
      accountId: '62515',
      kind: 'deal.snapshot',
      dealId: '4658499851',
      occurredAt: 1755648123000, // the dealstage timestamp
      identity: 'hubspot:62515:workflow:4658499851:closedwon:1755648123000',
      source: { changeSource: 'CRM_UI', sourceId: 'userId:864745280' },
    });
    expect(e.snapshot).toEqual({
      properties: {
        dealname: 'ACME <!channel> onboarding',
        amount: '42000',
        pipeline: 'default',
        dealstage: 'closedwon',
        hubspot_owner_id: '77001',
        hs_lastmodifieddate: '1755648124000',
        baton_scope: 'Implementation + training',
        baton_risks: '',
      },
      pipelineId: 'default',
      stageId: 'closedwon',
      ownerId: '77001',
      contactIds: ['3907', '3908'],
      companyIds: ['18450221'],
    });
  });

  it('the same enrolment delivered twice has one identity; re-entering the stage later has another', () => {
    const again = parseHubSpotWebhook(structuredClone(payload)).events[0]!;
    expect(again.identity).toBe(parseHubSpotWebhook(payload).events[0]!.identity);
    const reentry = structuredClone(payload) as { properties: { dealstage: { timestamp: number } } };
    reentry.properties.dealstage.timestamp = 1755700000000;
    expect(parseHubSpotWebhook(reentry).events[0]!.identity).toBe('hubspot:62515:workflow:4658499851:closedwon:1755700000000');
  });

  it('without a dealstage timestamp, occurredAt is the newest property timestamp and identity uses a content hash', () => {
    const p = structuredClone(payload) as { properties: Record<string, { timestamp?: number }> };
    delete p.properties.dealstage!.timestamp;
    const e = parseHubSpotWebhook(p).events[0]!;
    expect(e.occurredAt).toBe(1755648124000);
    expect(e.identity).toMatch(/^hubspot:62515:workflow:4658499851:closedwon:h[0-9a-f]{16}$/);
  });

  it('accepts a customised flat body {portalId, dealId, properties: {name: "value"}}', () => {
    const flat = {
      portalId: '62515',
      dealId: '42',
      properties: { dealname: 'Flat deal', dealstage: 'closedwon', pipeline: 'default', amount: 1200, hs_is_closed_won: true, notes: null },
    };
    const e = parseHubSpotWebhook(flat, { receivedAt: 1_700_000_000_000 }).events[0]!;
    expect(e).toMatchObject({ kind: 'deal.snapshot', dealId: '42', accountId: '62515', occurredAt: 1_700_000_000_000 });
    expect(e.snapshot?.properties).toEqual({
      dealname: 'Flat deal', dealstage: 'closedwon', pipeline: 'default', amount: '1200', hs_is_closed_won: 'true', notes: null,
    });
    expect(e.snapshot?.contactIds).toEqual([]);
    // identical body → identical identity; any change in content → a new one
    const same = parseHubSpotWebhook(structuredClone(flat), { receivedAt: 1_800_000_000_000 }).events[0]!;
    expect(same.identity).toBe(e.identity);
    const edited = parseHubSpotWebhook({ ...flat, properties: { ...flat.properties, amount: 1300 } }).events[0]!;
    expect(edited.identity).not.toBe(e.identity);
  });

  it('accepts objectId in place of dealId, and takes occurredAt from hs_lastmodifieddate (ISO) when there are no timestamps', () => {
    const e = parseHubSpotWebhook({
      portalId: 1,
      objectId: 77,
      properties: { dealstage: '11348547', hs_lastmodifieddate: '2025-08-20T10:00:00.000Z' },
    }).events[0]!;
    expect(e.dealId).toBe('77');
    expect(e.occurredAt).toBe(Date.parse('2025-08-20T10:00:00.000Z'));
    expect(e.snapshot?.stageId).toBe('11348547');
  });

  it('isDeleted: true becomes deal.deleted, never a snapshot that could start a handoff', () => {
    expect(parseHubSpotWebhook({ ...payload, isDeleted: true }).events[0]!.kind).toBe('deal.deleted');
  });

  it('a __proto__ property key is dropped, not used to change the bag', () => {
    const body = JSON.parse('{"portalId":1,"dealId":2,"properties":{"__proto__":{"value":"x"},"dealname":"d"}}');
    const e = parseHubSpotWebhook(body).events[0]!;
    expect(Object.getPrototypeOf(e.snapshot!.properties)).toBe(Object.prototype);
    expect(e.snapshot!.properties).toEqual({ dealname: 'd' });
  });

  it.each([
    [{ portalId: 1, dealId: 'abc', properties: {} }, 'dealId: expected a numeric id'],
    [{ portalId: 1, dealId: -3, properties: {} }, 'dealId: expected a numeric id'],
    [{ dealId: 2, properties: {} }, 'portalId: expected a numeric id'],
    [{ portalId: 1, dealId: 2, properties: [] }, 'properties: expected an object'],
    [{ portalId: 1, dealId: 2, properties: { a: [1] } }, 'properties.a: expected a string'],
    [{ portalId: 1, dealId: 2, properties: { a: { value: {} } } }, 'properties.a.value: expected a string'],
    [{ portalId: 1, dealId: 2, properties: { a: { value: 'x', timestamp: 'yesterday' } } }, 'properties.a.timestamp: expected a number'],
    [{ portalId: 1, dealId: 2, properties: {}, associations: [] }, 'associations: expected an object'],
    [{ portalId: 1, dealId: 2, properties: {}, associations: { associatedVids: [1, 'x'] } }, 'associations.associatedVids[1]: expected a numeric id'],
  ])('%#: rejects %j with "%s"', (body, reason) => {
    expect(shapeError(body)).toBe(reason);
  });
});
