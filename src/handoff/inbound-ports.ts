// What arrives from outside, as the receivers (src/http) see it: a signed request is verified and its body
// normalised by the system's connector, so no receiver knows a vendor's signature scheme or payload. Each
// connector folder implements these (e.g. connectors/hubspot/hubspot-webhook.ts); src/runtime builds them
// from the configured secrets and hands them to the HTTP app.
import type { CrmEvent } from './ports.js';

/** A delivery as received: the raw bytes (signatures cover them exactly) and what the signature needs. */
export interface SignedRequest {
  method: string;
  /**
   * The URL the sender called. A receiver whose sender signs the URL (HubSpot) gives the public one
   * (BATON_PUBLIC_URL + path and query), never one built from Host headers; others give the path.
   */
  url: string;
  rawBody: Buffer;
  /** Header names as Node gives them (lower-cased). */
  headers: Record<string, string | string[] | undefined>;
  nowMs: number;
}

/** Why a signature was refused names what was wrong and the setting, never a secret or a signature. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export interface RequestVerifier {
  /**
   * `secrets`: for a sender whose secret Baton keeps per webhook (Asana's handshake), the current ones; a
   * verifier built with its own secret ignores them.
   */
  verify(req: SignedRequest, secrets?: readonly string[]): SignatureCheck;
}

/** A verified body's content, or what is malformed about it (the receiver's 400). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface PayloadParser<T> {
  /** Normalises a body already parsed as JSON. */
  parse(body: unknown): ParseResult<T>;
}

export interface InboundWebhook<T> extends RequestVerifier, PayloadParser<T> {}

/** A CRM's webhook delivery, normalised. */
export interface CrmDelivery {
  events: CrmEvent[];
  /** Valid events Baton does not act on (other object types, unknown subscriptions). They still get a 2xx. */
  ignored: number;
}

/** A CRM's webhooks (HubSpot today): a delivery becomes CrmEvents. */
export type CrmWebhook = InboundWebhook<CrmDelivery>;
