// The live HubSpot connector reads what was sold — the deal's line items and their products — when a mapping asks
// (DealReadRequest.lineItems), against the HubSpot stand-in; and reads none (no extra calls) when no mapping does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHubSpotCrm } from '../../../connectors/hubspot/hubspot-crm.js';
import { requiredScopes } from '../../../connectors/hubspot/required-scopes.js';
import { PermanentError } from '../../../src/handoff/errors.js';
import { startHubSpotStandin, type HubSpotStandin } from '../../standins/hubspot-standin.js';

describe('HubSpot line items (live connector, stand-in)', () => {
  let hs: HubSpotStandin;
  let dealId: string;
  const crm = () => createHubSpotCrm({ accessToken: hs.accessToken, basePath: hs.url, portalId: String(hs.portalId) });
  beforeEach(async () => {
    hs = await startHubSpotStandin();
    hs.addProduct('7001', { name: 'Implementation package', hs_sku: 'IMPL-STD', price: '12000', delivery_track: 'implementation' });
    hs.addProduct('7002', { name: 'Training day', hs_sku: 'TRAIN-DAY', price: '1500', delivery_track: 'training' });
    dealId = hs.addDeal({ properties: { dealname: 'Acme' } }).id;
    // Added in one order, shown by the rep in another (hs_position_on_quote).
    hs.addLineItem(dealId, { hs_product_id: '7002', quantity: '3', hs_position_on_quote: '1' });
    hs.addLineItem(dealId, { hs_product_id: '7001', quantity: '1', hs_position_on_quote: '0', recurringbillingfrequency: 'annually', hs_recurring_billing_period: 'P24M' });
    hs.addLineItem(dealId, { name: 'Custom integration (not in the library)', price: '8000', quantity: '1', hs_position_on_quote: '2' });
  });
  afterEach(async () => hs.close());

  it('reads every line item with its product, in the deal\'s order, with the properties the mappings name', async () => {
    const deal = await crm().getDeal(dealId, { lineItems: { productProperties: ['delivery_track'] } });
    expect(deal!.lineItems!.map((l) => ({ name: l.name, sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, amount: l.amount, billingFrequency: l.billingFrequency, term: l.term, track: l.product?.properties.delivery_track ?? null }))).toEqual([
      { name: 'Implementation package', sku: 'IMPL-STD', quantity: 1, unitPrice: 12000, amount: 12000, billingFrequency: 'annually', term: 'P24M', track: 'implementation' },
      { name: 'Training day', sku: 'TRAIN-DAY', quantity: 3, unitPrice: 1500, amount: 4500, billingFrequency: null, term: null, track: 'training' },
      { name: 'Custom integration (not in the library)', sku: null, quantity: 1, unitPrice: 8000, amount: 8000, billingFrequency: null, term: null, track: null },
    ]);
    expect(deal!.lineItems![2]!.product).toBeNull();
  });

  it('no mapping asks for line items: none are read, no line item or product call is made', async () => {
    const deal = await crm().getDeal(dealId);
    expect(deal!.lineItems).toBeUndefined();
    expect(Object.keys(hs.state.requests).filter((k) => k.includes('batch/read'))).toEqual([]);
  });

  it('a deal with no line items reads as an empty list', async () => {
    const empty = hs.addDeal({ properties: { dealname: 'Nothing sold yet' } }).id;
    expect((await crm().getDeal(empty, { lineItems: {} }))!.lineItems).toEqual([]);
  });

  it('the token lacks crm.objects.line_items.read: a permanent error naming the scope', async () => {
    hs.state.grants.set(hs.accessToken, new Set(requiredScopes()));
    const e = await crm().getDeal(dealId, { lineItems: {} }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as Error).message).toContain('crm.objects.line_items.read');
  });
});
