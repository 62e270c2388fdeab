// The HubSpot write-back against the real @hubspot/api-client, HubSpot mocked by nock at the HTTP layer.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../../connectors/common/rate-limiter.js';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';
import { createHubSpotWriter } from '../../../connectors/hubspot/hubspot-writer.js';
import { NOTE_TO_DEAL_ASSOCIATION_TYPE_ID, hubspotDate } from '../../../connectors/hubspot/write-requests.js';
import { NOTE_BODY_MAX_CHARS } from '../../../connectors/hubspot/note-body.js';
import type { WriteBackRequest } from '../../../src/handoff/ports.js';

const BASE = 'http://hubspot.test';
const TOKEN = 'pat-na1-writer-token-9999-8888';
const HANDOFF = 'h-7f3a';

/** Counts limiter slots taken, per key. */
function countingLimiter(): RateLimiter & { taken: string[] } {
  const taken: string[] = [];
  return { taken, take: async (key) => (taken.push(key), 0) };
}

function writer(extra: { basePath?: string; timeoutMs?: number; limiter?: RateLimiter } = {}) {
  return createHubSpotWriter({
    accessToken: TOKEN,
    basePath: extra.basePath ?? BASE,
    portalId: '62515',
    limiter: extra.limiter ?? countingLimiter(),
    requestsPerSecond: 9,
    timeoutMs: extra.timeoutMs ?? 2_000,
  });
}

function request(over: Partial<WriteBackRequest> = {}, saved: Record<string, unknown> = {}): WriteBackRequest & { savedCalls: Array<Record<string, unknown>> } {
  const savedCalls: Array<Record<string, unknown>> = [];
  return {
    handoffId: HANDOFF,
    mapping: 'services-onboarding',
    idempotencyKey: `${HANDOFF}:write-back`,
    dealId: '123',
    status: 'in_delivery',
    workUrl: 'https://acme.atlassian.net/browse/DEL-1',
    kickoffDue: '2025-09-03',
    handoffUrl: 'https://baton.example/handoffs/h-7f3a',
    clientThreadTs: '1724150000.000100',
    note: 'Baton handoff: ACME\nDelivery work: https://acme.atlassian.net/browse/DEL-1',
    progress: { saved: { ...saved }, save: async (ids) => void savedCalls.push(ids) },
    savedCalls,
    ...over,
  };
}

const note = (id: string, body: string) => ({
  id,
  properties: { hs_note_body: body, hs_object_id: id },
  createdAt: '2025-08-20T10:00:00.000Z',
  updatedAt: '2025-08-20T10:00:00.000Z',
  archived: false,
});
const dealWith = (props: Record<string, string | null>, noteIds: string[] = [], paging?: unknown) => ({
  id: '123',
  properties: { hs_object_id: '123', ...props },
  createdAt: '2025-08-01T10:00:00.000Z',
  updatedAt: '2025-08-20T10:00:00.000Z',
  archived: false,
  ...(noteIds.length > 0
    ? { associations: { notes: { results: noteIds.map((id) => ({ id, type: 'deal_to_note' })), ...(paging ? { paging } : {}) } } }
    : {}),
});
const created = (id: string, body: string) => note(id, body);

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked HubSpot call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('writeBack (live)', () => {
  it('creates one note associated to the deal (type 214), records it, then PATCHes the status with baton_note_id', async () => {
    const order: string[] = [];
    let dealQuery: Record<string, unknown> = {};
    let noteBody: { properties: Record<string, string>; associations: unknown } | undefined;
    let patchBody: unknown;
    nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/crm/v3/objects/deals/123')
      .query((q) => ((dealQuery = q), true))
      .reply(200, () => (order.push('read'), dealWith({ baton_note_id: null })))
      .post('/crm/v3/objects/notes', (b) => ((noteBody = b), true))
      .reply(201, () => (order.push('note'), created('9001', 'x')))
      .patch('/crm/v3/objects/deals/123', (b) => ((patchBody = b), true))
      .reply(200, () => (order.push('patch'), dealWith({})));

    const limiter = countingLimiter();
    const req = request();
    const res = await writer({ limiter }).writeBack(req);

    expect(res).toEqual({ noteId: '9001' });
    expect(order).toEqual(['read', 'note', 'patch']);
    expect(dealQuery).toEqual({ properties: 'baton_note_id', associations: 'notes', archived: 'false' });
    expect(noteBody?.associations).toEqual([
      { to: { id: '123' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: NOTE_TO_DEAL_ASSOCIATION_TYPE_ID }] },
    ]);
    expect(NOTE_TO_DEAL_ASSOCIATION_TYPE_ID).toBe(214);
    expect(noteBody?.properties.hs_note_body).toBe(
      '<p>Baton handoff: ACME<br>Delivery work: https://acme.atlassian.net/browse/DEL-1</p><p>Baton ref h-7f3a</p>',
    );
    expect(Date.parse(noteBody?.properties.hs_timestamp ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(patchBody).toEqual({
      properties: {
        baton_status: 'in_delivery',
        baton_work_url: 'https://acme.atlassian.net/browse/DEL-1',
        baton_kickoff_due: String(Date.UTC(2025, 8, 3)),
        baton_handoff_url: 'https://baton.example/handoffs/h-7f3a',
        baton_client_thread_ts: '1724150000.000100',
        baton_note_id: '9001',
      },
    });
    // the note id is recorded the moment it exists
    expect(req.savedCalls).toEqual([{ noteId: '9001' }]);
    // every request took a slot on the shared HubSpot limiter
    expect(limiter.taken).toEqual(['hubspot', 'hubspot', 'hubspot']);
  });

  it('leaves out the work URL, kickoff and thread when unknown, and never writes dealstage or pipeline', async () => {
    let patchBody: { properties: Record<string, string> } | undefined;
    nock(BASE)
      .get('/crm/v3/objects/deals/123').query(true).reply(200, dealWith({}))
      .post('/crm/v3/objects/notes').reply(201, created('9002', 'x'))
      .patch('/crm/v3/objects/deals/123', (b) => ((patchBody = b), true)).reply(200, dealWith({}));
    await writer().writeBack(request({ workUrl: null, kickoffDue: null, clientThreadTs: null, status: 'incomplete' }));
    expect(patchBody?.properties).toEqual({
      baton_status: 'incomplete',
      baton_handoff_url: 'https://baton.example/handoffs/h-7f3a',
      baton_note_id: '9002',
    });
  });

  it('a note id recorded by an earlier attempt is reused: no read, no second note, just the PATCH', async () => {
    let patchBody: { properties: Record<string, string> } | undefined;
    nock(BASE).patch('/crm/v3/objects/deals/123', (b) => ((patchBody = b), true)).reply(200, dealWith({}));
    const res = await writer().writeBack(request({}, { noteId: '9001' }));
    expect(res).toEqual({ noteId: '9001' });
    expect(patchBody?.properties.baton_note_id).toBe('9001');
  });

  it('retry after a crash between creating the note and recording it: finds the note by its marker, no second note', async () => {
    const notes: Array<{ id: string; body: string }> = [];
    const patches: unknown[] = [];
    let creates = 0;
    // A tiny HubSpot: the first attempt's note really exists when the second attempt looks for it.
    const scope = nock(BASE)
      .persist()
      .get('/crm/v3/objects/deals/123')
      .query(true)
      .reply(200, () => dealWith({ baton_note_id: null }, ['100', ...notes.map((n) => n.id)]))
      .post('/crm/v3/objects/notes/batch/read')
      .query(true)
      .reply(200, (_u, body) => ({
        status: 'COMPLETE',
        results: (body as { inputs: Array<{ id: string }> }).inputs.map(({ id }) =>
          note(id, notes.find((n) => n.id === id)?.body ?? '<p>Call notes: client asked about Baton ref h-7f3a0 pricing</p>')),
        startedAt: '2025-08-20T10:00:00Z',
        completedAt: '2025-08-20T10:00:00Z',
      }))
      .post('/crm/v3/objects/notes')
      .reply(201, (_u, body) => {
        creates += 1;
        const id = String(9000 + creates);
        notes.push({ id, body: (body as { properties: { hs_note_body: string } }).properties.hs_note_body });
        return created(id, 'x');
      })
      .patch('/crm/v3/objects/deals/123', (b) => (patches.push(b), true))
      .reply(200, dealWith({}));

    // attempt 1 creates the note, then the process dies before the step records anything (save is lost, PATCH never sent)
    const first = request();
    first.progress.save = async () => {
      throw new Error('process killed');
    };
    await expect(writer().writeBack(first)).rejects.toThrow('process killed');
    expect(creates).toBe(1);
    expect(patches).toHaveLength(0);

    // attempt 2 starts with nothing saved
    const second = request();
    const res = await writer().writeBack(second);
    scope.persist(false);
    nock.cleanAll();

    expect(creates).toBe(1);
    expect(res).toEqual({ noteId: '9001' });
    expect(second.savedCalls).toEqual([{ noteId: '9001' }]);
    expect(patches).toEqual([expect.objectContaining({ properties: expect.objectContaining({ baton_note_id: '9001' }) })]);
  });

  it('a baton_note_id left by an earlier handoff of the same deal is not taken for this one', async () => {
    let noteBody: { properties: Record<string, string> } | undefined;
    nock(BASE)
      .get('/crm/v3/objects/deals/123').query(true).reply(200, dealWith({ baton_note_id: '500' }, ['500']))
      .post('/crm/v3/objects/notes/batch/read', (b) => (expect(b).toMatchObject({ inputs: [{ id: '500' }], properties: ['hs_note_body'] }), true))
      .query(true)
      .reply(200, { status: 'COMPLETE', results: [note('500', '<p>old</p><p>Baton ref h-0001</p>')], startedAt: '2025-08-20T10:00:00Z', completedAt: '2025-08-20T10:00:00Z' })
      .post('/crm/v3/objects/notes', (b) => ((noteBody = b), true)).reply(201, created('9003', 'x'))
      .patch('/crm/v3/objects/deals/123').reply(200, dealWith({}));
    const res = await writer().writeBack(request());
    expect(res).toEqual({ noteId: '9003' });
    expect(noteBody?.properties.hs_note_body).toContain('Baton ref h-7f3a');
  });

  it('a deal with more associated notes than one page: lists them all through the v4 associations API', async () => {
    const v4Queries: Array<Record<string, unknown>> = [];
    nock(BASE)
      .get('/crm/v3/objects/deals/123').query(true)
      .reply(200, dealWith({}, ['1'], { next: { after: 'p2', link: 'x' } }))
      .get('/crm/v4/objects/deals/123/associations/notes').query((q) => (v4Queries.push(q), q.after === undefined))
      .reply(200, { results: [{ toObjectId: 1, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 213, label: null }] }], paging: { next: { after: 'p2' } } })
      .get('/crm/v4/objects/deals/123/associations/notes').query((q) => (v4Queries.push(q), q.after === 'p2'))
      .reply(200, { results: [{ toObjectId: 2, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 213, label: null }] }] })
      .post('/crm/v3/objects/notes/batch/read').query(true)
      .reply(200, { status: 'COMPLETE', results: [note('1', 'a'), note('2', '<p>x</p><p>Baton ref h-7f3a</p>')], startedAt: '2025-08-20T10:00:00Z', completedAt: '2025-08-20T10:00:00Z' })
      .patch('/crm/v3/objects/deals/123').reply(200, dealWith({}));
    const res = await writer().writeBack(request());
    expect(res).toEqual({ noteId: '2' });
    expect(v4Queries.map((q) => q.limit)).toEqual(['500', '500']);
  });

  it('hostile deal text stays text: HTML-escaped, newlines as <br>, emoji and RTL kept', async () => {
    let body = '';
    nock(BASE)
      .get('/crm/v3/objects/deals/123').query(true).reply(200, dealWith({}))
      .post('/crm/v3/objects/notes', (b) => ((body = b.properties.hs_note_body), true)).reply(201, created('9004', 'x'))
      .patch('/crm/v3/objects/deals/123').reply(200, dealWith({}));
    const hostile = `Baton handoff: <script>alert("x")</script> & <img src=x onerror=alert(1)>\n<!-- Baton ref h-other -->\nשלום 🎉 'quoted'`;
    await writer().writeBack(request({ note: hostile }));
    expect(body).toBe(
      '<p>Baton handoff: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;<br>' +
        '&lt;!-- Baton ref h-other --&gt;<br>שלום 🎉 &#39;quoted&#39;</p><p>Baton ref h-7f3a</p>',
    );
    expect(body).not.toMatch(/<script|<img|<!--/);
  });

  it('a 100 KB note is cut to HubSpot\'s 65,536 characters without breaking an entity, and keeps its marker', async () => {
    let body = '';
    nock(BASE)
      .get('/crm/v3/objects/deals/123').query(true).reply(200, dealWith({}))
      .post('/crm/v3/objects/notes', (b) => ((body = b.properties.hs_note_body), true)).reply(201, created('9005', 'x'))
      .patch('/crm/v3/objects/deals/123').reply(200, dealWith({}));
    await writer().writeBack(request({ note: '&'.repeat(100_000) }));
    expect(body.length).toBeLessThanOrEqual(NOTE_BODY_MAX_CHARS);
    expect(body).toMatch(/(&amp;)+ … \(truncated\)<\/p><p>Baton ref h-7f3a<\/p>$/);
  });

  it('429 TEN_SECONDLY_ROLLING without Retry-After → RetryableError with 10 s', async () => {
    nock(BASE).get('/crm/v3/objects/deals/123').query(true).reply(429, {
      status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT',
      correlationId: 'c1', policyName: 'TEN_SECONDLY_ROLLING',
    });
    const e = await writer().writeBack(request()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(10_000);
    expect((e as Error).message).toContain('TEN_SECONDLY_ROLLING');
  });

  it('429 with Retry-After on the PATCH → RetryableError with that delay; the note is already recorded', async () => {
    const req = request();
    nock(BASE)
      .get('/crm/v3/objects/deals/123').query(true).reply(200, dealWith({}))
      .post('/crm/v3/objects/notes').reply(201, created('9006', 'x'))
      .patch('/crm/v3/objects/deals/123').reply(429, { status: 'error', message: 'slow down', policyName: 'TEN_SECONDLY_ROLLING' }, { 'Retry-After': '3' });
    const e = await writer().writeBack(req).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(3_000);
    expect(req.savedCalls).toEqual([{ noteId: '9006' }]);
  });

  it('503 → RetryableError, one request only (SDK retries are off)', async () => {
    nock(BASE).get('/crm/v3/objects/deals/123').query(true).once().reply(503, { status: 'error', message: 'Service unavailable' });
    const e = await writer().writeBack(request()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as Error).message).toContain('503');
  });

  it('no answer within timeoutMs → RetryableError', async () => {
    nock(BASE).get('/crm/v3/objects/deals/123').query(true).delay(1_000).reply(200, dealWith({}));
    const started = Date.now();
    const e = await writer({ timeoutMs: 150 }).writeBack(request()).catch((x: unknown) => x);
    expect(Date.now() - started).toBeLessThan(900);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as Error).message).toMatch(/no answer within 150 ms/);
  });

  it('a server that accepts and never answers is cut off by the deadline (real socket)', async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    const server: Server = createServer((s) => {
      sockets.push(s);
      s.resume();
      s.on('close', () => (closed += 1));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const e = await writer({ basePath: `http://127.0.0.1:${port}`, timeoutMs: 200 }).writeBack(request()).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RetryableError);
      // the idle socket is destroyed too, not left hanging
      await new Promise((r) => setTimeout(r, 150));
      expect(sockets.length).toBe(1);
      expect(closed).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('401 → PermanentError naming HUBSPOT_ACCESS_TOKEN, never the token', async () => {
    nock(BASE).get('/crm/v3/objects/deals/123').query(true).reply(401, {
      status: 'error', message: `Authentication credentials not found for ${TOKEN}`, category: 'INVALID_AUTHENTICATION',
    });
    const e = await writer().writeBack(request()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).field).toBe('HUBSPOT_ACCESS_TOKEN');
    expect((e as Error).message).toContain('HUBSPOT_ACCESS_TOKEN');
    expect((e as Error).message).not.toContain(TOKEN);
  });

  it('a deleted deal → PermanentError that says so', async () => {
    nock(BASE).get('/crm/v3/objects/deals/123').query(true).reply(404, { status: 'error', message: 'Object not found.', category: 'OBJECT_NOT_FOUND' });
    const e = await writer().writeBack(request()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as Error).message).toMatch(/deal 123 does not exist any more/);
  });

  it('400 on the PATCH naming a missing property → PermanentError with the property as field', async () => {
    nock(BASE)
      .get('/crm/v3/objects/deals/123').query(true).reply(200, dealWith({}))
      .post('/crm/v3/objects/notes').reply(201, created('9007', 'x'))
      .patch('/crm/v3/objects/deals/123').reply(400, {
        status: 'error',
        message: 'Property values were not valid: [{"isValid":false,"message":"Property \\"baton_status\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"baton_status"}]',
        correlationId: 'c2',
        category: 'VALIDATION_ERROR',
      });
    const e = await writer().writeBack(request()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).field).toBe('baton_status');
    expect((e as Error).message).toContain('400');
    expect((e as Error).message).toContain('Run `baton hubspot setup`');
  });

  it('a kickoff date that is not a date fails permanently before any call', async () => {
    const e = await writer().writeBack(request({ kickoffDue: '2025-02-30' })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).field).toBe('baton_kickoff_due');
  });
});

describe('hubspotDate', () => {
  it('is midnight UTC of the day in ms', () => {
    expect(hubspotDate('2025-09-03')).toBe('1756857600000');
    expect(hubspotDate('2024-02-29T15:00:00-05:00')).toBe(String(Date.UTC(2024, 1, 29)));
    expect(() => hubspotDate('09/03/2025')).toThrow(PermanentError);
  });
});
