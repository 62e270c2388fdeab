// The HubSpot connector's public surface: ingest (signature + normalisation) and the CrmConnector.
export { verifyHubSpotSignature, decodeV3Uri, MAX_TIMESTAMP_SKEW_MS } from './verify-signature.js';
export type { SignatureCheck, SignatureInput } from './verify-signature.js';
export { parseHubSpotWebhook, WebhookShapeError, MAX_EVENTS_PER_REQUEST, HUBSPOT_DEAL_OBJECT_TYPE_ID } from './parse-webhook.js';
export type { ParsedWebhook, ParseOptions } from './parse-webhook.js';
export { createHubSpotCrm, HUBSPOT_DEFAULT_PIPELINE, ENTERED_STAGE_PROPERTY } from './hubspot-crm.js';
export type { HubSpotCrmOptions } from './hubspot-crm.js';
export { classifyHubSpotError } from './classify-error.js';
