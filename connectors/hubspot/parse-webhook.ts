// Normalises what HubSpot POSTs to Baton into CRM-neutral events (src/handoff/ports.ts):
//  - app webhook batches (JSON array, legacy `deal.*` and generic `object.*` subscription types, FACTS 1a);
//  - the workflow "Send a webhook" action (one enrolled deal as a JSON object, FACTS 1c).
// Hot path: a hand-rolled validator (no schema library) so a 20-event batch costs a few microseconds.
import { createHash } from 'node:crypto';
import type { CrmEvent, CrmEventKind, PropertyBag } from '../../src/handoff/ports.js';

/** The message is the 400 reason, e.g. "event[3].occurredAt: expected a number". */
export class WebhookShapeError extends Error {
  override readonly name = 'WebhookShapeError';
}

export interface ParsedWebhook {
  events: CrmEvent[];
  /** Valid events Baton does not act on (other object types, unknown deal subscriptions). They still get a 2xx. */
  ignored: number;
  kind: 'app-batch' | 'workflow';
}

export const MAX_EVENTS_PER_REQUEST = 100;
export const HUBSPOT_DEAL_OBJECT_TYPE_ID = '0-3';

const CRM = 'hubspot';

// Maps, not object literals: a subscriptionType of "constructor" must not find Object.prototype.constructor.
const LEGACY_KINDS = new Map<string, CrmEventKind>([
  ['deal.creation', 'deal.created'],
  ['deal.propertyChange', 'deal.property_changed'],
  ['deal.deletion', 'deal.deleted'],
  ['deal.merge', 'deal.merged'],
  ['deal.restore', 'deal.restored'],
  ['deal.associationChange', 'deal.association_changed'],
]);
const GENERIC_KINDS = new Map<string, CrmEventKind>([
  ['object.creation', 'deal.created'],
  ['object.propertyChange', 'deal.property_changed'],
  ['object.deletion', 'deal.deleted'],
  ['object.merge', 'deal.merged'],
  ['object.restore', 'deal.restored'],
  ['object.associationChange', 'deal.association_changed'],
]);

type Json = Record<string, unknown>;

export interface ParseOptions {
  /** Fallback occurredAt for a workflow payload that carries no timestamps (flat custom bodies). Default Date.now(). */
  receivedAt?: number;
}

export function parseHubSpotWebhook(body: unknown, opts: ParseOptions = {}): ParsedWebhook {
  if (Array.isArray(body)) return parseBatch(body);
  if (isObject(body)) return parseWorkflow(body, opts.receivedAt ?? Date.now());
  throw new WebhookShapeError('body: expected a JSON array of events or a workflow payload object');
}

// ---------------------------------------------------------------------------------------------------------------
// App webhook batches

function parseBatch(batch: unknown[]): ParsedWebhook {
  if (batch.length === 0) throw new WebhookShapeError('body: expected at least one event');
  if (batch.length > MAX_EVENTS_PER_REQUEST) {
    throw new WebhookShapeError(`body: ${batch.length} events exceed the limit of ${MAX_EVENTS_PER_REQUEST} per request`);
  }
  const events: CrmEvent[] = [];
  let ignored = 0;
  for (let i = 0; i < batch.length; i++) {
    const ev = parseAppEvent(batch[i], i);
    if (ev === null) ignored++;
    else events.push(ev);
  }
  return { events, ignored, kind: 'app-batch' };
}

function parseAppEvent(raw: unknown, i: number): CrmEvent | null {
  if (!isObject(raw)) throw new WebhookShapeError(`event[${i}]: expected an object`);
  const eventId = num(raw, 'eventId', i);
  num(raw, 'subscriptionId', i);
  const portalId = num(raw, 'portalId', i);
  const occurredAt = num(raw, 'occurredAt', i);
  // An old docs example calls it eventType; real deliveries and the SDK use subscriptionType.
  const typeRaw = raw.subscriptionType ?? raw.eventType;
  if (typeof typeRaw !== 'string') throw new WebhookShapeError(`event[${i}].subscriptionType: expected a string`);
  const type = typeRaw;

  let kind: CrmEventKind | undefined;
  if (type.startsWith('deal.')) {
    kind = LEGACY_KINDS.get(type);
  } else if (type.startsWith('object.')) {
    kind = GENERIC_KINDS.get(type);
    if (kind !== undefined && kind !== 'deal.association_changed') {
      const objectTypeId = raw.objectTypeId;
      if (typeof objectTypeId !== 'string') throw new WebhookShapeError(`event[${i}].objectTypeId: expected a string`);
      if (objectTypeId !== HUBSPOT_DEAL_OBJECT_TYPE_ID) return null;
    }
  }
  // contact.*, company.*, other object types and deal subscriptions Baton has no use for: valid, ignored.
  if (kind === undefined) return null;

  const accountId = intText(portalId);
  let dealId: number;
  let discriminator = '';
  let objectKey: string;
  const event: CrmEvent = { identity: '', crm: CRM, accountId, kind, dealId: '', occurredAt };

  if (kind === 'deal.association_changed') {
    const from = num(raw, 'fromObjectId', i);
    const to = num(raw, 'toObjectId', i);
    const side = dealSideOfAssociation(raw, type);
    if (side === null) return null; // a generic association event with no deal on either side
    dealId = side === 'from' ? from : to;
    const associationType = optString(raw, 'associationType', i) ?? optString(raw, 'associationTypeId', i);
    discriminator = `${associationType ?? ''}${raw.associationRemoved === true ? ':removed' : ''}`;
    objectKey = `${intText(from)}-${intText(to)}`;
  } else {
    dealId = num(raw, 'objectId', i);
    objectKey = intText(dealId);
    if (kind === 'deal.property_changed') {
      const name = raw.propertyName;
      if (typeof name !== 'string' || name === '') {
        throw new WebhookShapeError(`event[${i}].propertyName: expected a non-empty string`);
      }
      event.property = { name, value: scalarToString(raw.propertyValue, `event[${i}].propertyValue`) };
      discriminator = name;
    } else if (kind === 'deal.merged') {
      const primary = optNum(raw, 'primaryObjectId', i);
      const created = optNum(raw, 'newObjectId', i);
      // The surviving record: a merge may create a new id; otherwise the primary object survives.
      dealId = created ?? primary ?? dealId;
      const merged = new Set<string>();
      const list = raw.mergedObjectIds;
      if (list !== undefined) {
        if (!Array.isArray(list)) throw new WebhookShapeError(`event[${i}].mergedObjectIds: expected an array of numbers`);
        for (let j = 0; j < list.length; j++) {
          const id = list[j];
          if (typeof id !== 'number' || !Number.isFinite(id)) {
            throw new WebhookShapeError(`event[${i}].mergedObjectIds[${j}]: expected a number`);
          }
          if (id !== dealId) merged.add(String(id));
        }
      }
      if (primary !== undefined && primary !== dealId) merged.add(String(primary));
      event.mergedDealIds = [...merged];
    }
  }

  // objectKey already holds the text of objectId, which is the deal id except for merges and associations.
  event.dealId = kind !== 'deal.association_changed' && dealId === raw.objectId ? objectKey : intText(dealId);
  event.identity = `hubspot:${accountId}:${type}:${objectKey}:${intText(eventId)}:${intText(occurredAt)}:${discriminator}`;
  const source = readSource(raw, i);
  if (source !== undefined) event.source = source;
  return event;
}

/** Which end of an association event is the deal (brief: fromObjectId when the association is from a deal). */
function dealSideOfAssociation(raw: Json, type: string): 'from' | 'to' | null {
  if (type.startsWith('object.')) {
    if (raw.fromObjectTypeId === HUBSPOT_DEAL_OBJECT_TYPE_ID) return 'from';
    if (raw.toObjectTypeId === HUBSPOT_DEAL_OBJECT_TYPE_ID) return 'to';
    return raw.objectTypeId === HUBSPOT_DEAL_OBJECT_TYPE_ID ? 'from' : null;
  }
  const at = raw.associationType;
  if (typeof at === 'string' && !at.startsWith('DEAL_TO_') && at.endsWith('_TO_DEAL')) return 'to';
  return 'from';
}

function readSource(raw: Json, i: number): CrmEvent['source'] | undefined {
  const changeSource = optString(raw, 'changeSource', i);
  const sourceId = optString(raw, 'sourceId', i);
  const appId = raw.appId;
  if (changeSource === undefined && sourceId === undefined && appId === undefined) return undefined;
  const source: NonNullable<CrmEvent['source']> = {};
  if (changeSource !== undefined) source.changeSource = changeSource;
  if (sourceId !== undefined) source.sourceId = sourceId;
  if (typeof appId === 'number' || typeof appId === 'string') source.appId = String(appId);
  return source;
}

// ---------------------------------------------------------------------------------------------------------------
// Workflow "Send a webhook" payloads: the legacy v1 deal record ({value, timestamp, source…} per property) or a
// customised flat body ({name: "value"}). Both become one deal.snapshot event carrying the deal's properties.

function parseWorkflow(body: Json, receivedAt: number): ParsedWebhook {
  const idRaw = body.dealId ?? body.objectId;
  if (idRaw === undefined || body.properties === undefined) {
    throw new WebhookShapeError(
      'body: expected a JSON array of events, or a workflow payload object with dealId (or objectId) and properties',
    );
  }
  const dealId = idString(idRaw, 'dealId');
  const accountId = idString(body.portalId, 'portalId');
  const props = body.properties;
  if (!isObject(props)) throw new WebhookShapeError('properties: expected an object');

  const properties: PropertyBag = {};
  let maxTs: number | undefined;
  let stageTs: number | undefined;
  let stageSource: { source?: unknown; sourceId?: unknown } | undefined;
  for (const name in props) {
    if (name === '__proto__') continue; // own key from JSON.parse; assigning it would swap the bag's prototype
    const v = props[name];
    if (isObject(v)) {
      properties[name] = scalarToString(v.value, `properties.${name}.value`);
      const ts = v.timestamp;
      if (ts !== undefined && ts !== null) {
        const t = typeof ts === 'number' ? ts : typeof ts === 'string' && /^\d+$/.test(ts) ? Number(ts) : NaN;
        if (!Number.isFinite(t)) throw new WebhookShapeError(`properties.${name}.timestamp: expected a number`);
        if (maxTs === undefined || t > maxTs) maxTs = t;
        if (name === 'dealstage') {
          stageTs = t;
          stageSource = v;
        }
      }
    } else {
      properties[name] = scalarToString(v, `properties.${name}`);
    }
  }

  const assoc = body.associations;
  let contactIds: string[] = [];
  let companyIds: string[] = [];
  if (assoc !== undefined && assoc !== null) {
    if (!isObject(assoc)) throw new WebhookShapeError('associations: expected an object');
    contactIds = idList(assoc.associatedVids, 'associations.associatedVids');
    companyIds = idList(assoc.associatedCompanyIds, 'associations.associatedCompanyIds');
  }

  const stageId = properties.dealstage ?? null;
  const occurredAt = stageTs ?? maxTs ?? parseTime(properties.hs_lastmodifieddate) ?? receivedAt;
  // Same enrolment delivered twice → same identity; a later re-entry into the stage has a new stage timestamp.
  const version = stageTs !== undefined ? String(stageTs) : `h${hashSnapshot(properties, contactIds, companyIds)}`;
  const event: CrmEvent = {
    identity: `hubspot:${accountId}:workflow:${dealId}:${stageId ?? ''}:${version}`,
    crm: CRM,
    accountId,
    // A workflow can still fire for a record deleted since enrolment; never start a handoff from that.
    kind: body.isDeleted === true ? 'deal.deleted' : 'deal.snapshot',
    dealId,
    occurredAt,
    snapshot: {
      properties,
      pipelineId: properties.pipeline ?? null,
      stageId,
      ownerId: properties.hubspot_owner_id ?? null,
      contactIds,
      companyIds,
    },
  };
  if (stageSource !== undefined) {
    const source: NonNullable<CrmEvent['source']> = {};
    if (typeof stageSource.source === 'string') source.changeSource = stageSource.source;
    if (typeof stageSource.sourceId === 'string') source.sourceId = stageSource.sourceId;
    if (source.changeSource !== undefined || source.sourceId !== undefined) event.source = source;
  }
  return { events: [event], ignored: 0, kind: 'workflow' };
}

function hashSnapshot(properties: PropertyBag, contactIds: string[], companyIds: string[]): string {
  const h = createHash('sha256');
  for (const k of Object.keys(properties).sort()) h.update(`${k}\u0000${properties[k] ?? '\u0001'}\u0000`);
  h.update(`c:${contactIds.join(',')}|o:${companyIds.join(',')}`);
  return h.digest('hex').slice(0, 16);
}

function parseTime(v: string | null | undefined): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * String(n) for the ids and ms timestamps in events. Those exceed V8's small-integer range, and converting such
 * doubles costs ~0.4 µs each on this class of machine; splitting into two small integers is ~3x cheaper.
 */
function intText(n: number): string {
  if (n >= 0 && n <= 0x3fffffff) return String(n);
  if (n > 0 && Number.isSafeInteger(n)) {
    const hi = Math.floor(n / 1e9);
    const lo = String(n - hi * 1e9);
    return String(hi) + '000000000'.slice(lo.length) + lo;
  }
  return String(n);
}

// ---------------------------------------------------------------------------------------------------------------
// Small validators: each throws with the JSON path of the offending value.

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(o: Json, key: string, i: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WebhookShapeError(`event[${i}].${key}: expected a number`);
  return v;
}

function optNum(o: Json, key: string, i: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WebhookShapeError(`event[${i}].${key}: expected a number`);
  return v;
}

function optString(o: Json, key: string, i: number): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new WebhookShapeError(`event[${i}].${key}: expected a string`);
}

/** Property values are strings in HubSpot; custom bodies may carry numbers or booleans, kept as their text. */
function scalarToString(v: unknown, path: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new WebhookShapeError(`${path}: expected a string`);
}

/** Ids in workflow payloads: numbers in the v1 record, possibly numeric strings in a customised body. */
function idString(v: unknown, path: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v;
  throw new WebhookShapeError(`${path}: expected a numeric id`);
}

function idList(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new WebhookShapeError(`${path}: expected an array of ids`);
  const out: string[] = [];
  for (let j = 0; j < v.length; j++) out.push(idString(v[j], `${path}[${j}]`));
  return out;
}
