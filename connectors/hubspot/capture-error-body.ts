// Pass it per call (SDK 13 ignores middleware given only to the Client). The SDK deserialises error bodies into its `Error` model, which drops fields Baton needs (policyName on 429s),
// and throws a status-less Error when an error response has no Content-Type. This SDK middleware keeps the raw
// text of every error response, keyed by the response's headers object (the same object the SDK's ApiException
// carries), and gives the SDK a re-readable body.

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
        if (res.httpStatusCode < 400) return res;
        let text = '';
        try {
          text = await res.body.text();
        } catch {
          // Body unreadable (connection dropped mid-body): classify on the status alone.
        }
        bodies.set(res.headers, text);
        res.body = { text: async () => text, binary: async () => Buffer.from(text) };
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
