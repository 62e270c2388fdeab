// Pass it per call (SDK 13 ignores middleware given only to the Client). The SDK deserialises error bodies into its `Error` model, which drops fields Baton needs (policyName on 429s),
// and throws a status-less Error when an error response has no Content-Type. This SDK middleware keeps the raw
// text of every error response, keyed by the response's headers object (the same object the SDK's ApiException
// carries), and gives the SDK a re-readable body. A 2xx that is not JSON is made to fail the SDK's parse.

interface ResponseLike {
  httpStatusCode: number;
  headers: Record<string, string>;
  body: { text(): Promise<string>; binary(): Promise<Buffer> };
}

export interface ErrorBodyCapture {
  middleware: { pre(ctx: unknown): unknown; post(ctx: unknown): unknown };
  /** The raw body of the failed response behind `err` (an SDK ApiException), when captured. */
  rawBodyOf(err: unknown): string | undefined;
}

export function createErrorBodyCapture(): ErrorBodyCapture {
  const bodies = new WeakMap<object, string>();
  return {
    middleware: {
      pre: async (ctx) => ctx,
      post: async (ctx) => {
        const res = ctx as ResponseLike;
        if (res.httpStatusCode < 400) return notJsonAsGarbled(res);
        // An unreadable body (connection dropped mid-body) is '': classified on the status alone.
        const text = await readOnce(res);
        bodies.set(res.headers, text);
        // Without a Content-Type the SDK throws a plain Error and the status is lost.
        if (res.headers['content-type'] === undefined) res.headers['content-type'] = 'text/plain';
        return res;
      },
    },
    rawBodyOf(err) {
      if (typeof err !== 'object' || err === null) return undefined;
      const headers = (err as { headers?: unknown }).headers;
      return typeof headers === 'object' && headers !== null ? bodies.get(headers) : undefined;
    },
  };
}

/**
 * Every HubSpot API Baton calls answers JSON (or nothing: 204). The SDK deserialises a 2xx of another type (a
 * proxy's login page, a gateway's HTML) into an empty model that would pass for an answer; labelled JSON, it
 * fails the SDK's parse instead and is classified like a cut-off body (retryable, "not JSON").
 */
async function notJsonAsGarbled(res: ResponseLike): Promise<ResponseLike> {
  const type = res.headers['content-type'] ?? '';
  if (res.httpStatusCode === 204 || /json/i.test(type)) return res;
  if ((await readOnce(res)).trim() !== '') res.headers['content-type'] = 'application/json';
  return res;
}

/** Reads the body ('' when unreadable) and leaves the SDK a body it can read again. */
async function readOnce(res: ResponseLike): Promise<string> {
  let text = '';
  try {
    text = await res.body.text();
  } catch {
    // unreadable: the caller decides on the status
  }
  res.body = { text: async () => text, binary: async () => Buffer.from(text) };
  return text;
}
