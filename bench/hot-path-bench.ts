// Micro-benchmark of the acknowledged path's CPU work: signature check and shape-check of a 20-event batch.
import { createHmac } from 'node:crypto';
import { verifyHubSpotSignature } from '../connectors/hubspot/verify-signature.js';
import { parseHubSpotWebhook } from '../connectors/hubspot/parse-webhook.js';

function medianUs(fn: () => void, n: number, rounds = 7): number {
  for (let i = 0; i < n; i++) fn(); // warm up
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    results.push(Number(process.hrtime.bigint() - t0) / n / 1000);
  }
  return results.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}

export function runHotPathBench(): { verifyUs: number; parseUs: number } {
  const events = Array.from({ length: 20 }, (_, i) => ({
    eventId: 1000 + i, subscriptionId: 4242, portalId: 62515, appId: 9090, occurredAt: 1_764_000_000_000 + i,
    subscriptionType: 'deal.propertyChange', attemptNumber: 0, objectId: 100_000 + i, propertyName: 'dealstage',
    propertyValue: 'closedwon', changeSource: 'CRM_UI', sourceId: 'userId:864745280',
  }));
  const raw = Buffer.from(JSON.stringify(events));
  const url = 'https://baton.example/webhooks/hubspot';
  const secret = 'bench-secret';
  const now = Date.now();
  const sig = createHmac('sha256', secret).update('POST').update(url).update(raw).update(String(now)).digest('base64');
  const headers = { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(now) };
  const verifyUs = medianUs(() => {
    if (!verifyHubSpotSignature({ method: 'POST', url, rawBody: raw, headers, clientSecret: secret, nowMs: now }).ok) throw new Error('should verify');
  }, 5_000);
  const body: unknown = JSON.parse(raw.toString());
  const parseUs = medianUs(() => parseHubSpotWebhook(body), 20_000);
  return { verifyUs: Math.round(verifyUs * 10) / 10, parseUs: Math.round(parseUs * 10) / 10 };
}
