/**
 * What the HTTP layer sends requests through: one exchange, no retries, no
 * status handling. The client's own HTTP/1.1 transport is the default
 * (lib/http1/transport.ts); a `fetch` stands in for it in tests.
 *
 * @module
 */

import { readCappedText } from "./body.ts";

/** One exchange. */
export interface TransportRequest {
  method: "GET" | "POST";
  /** Absolute `http:` or `https:` URL. */
  url: string;
  headers: Record<string, string>;
  /** The JSON text to send. */
  body?: string;
  /** Aborting closes the exchange; the promise rejects with `signal.reason`. */
  signal: AbortSignal;
  /** The largest body to read. */
  maxResponseBytes: number;
  /** The error to throw when the reply body is larger. */
  onTooLarge: (status: number) => Error;
}

/** A reply read whole. */
export interface TransportReply {
  status: number;
  /** Header fields by lowercase name. */
  headers: Readonly<Record<string, string>>;
  /** The body as text. */
  text: string;
}

/**
 * An absolute URL's origin and request target (path and query, no fragment),
 * split without `new URL()`, which costs more on the hot path.
 *
 * @example
 * ```ts
 * import { splitUrl } from "./transport.ts";
 * const { origin, target } = splitUrl("https://db.example:8443/api/action?x=1#top");
 * console.assert(origin === "https://db.example:8443" && target === "/api/action?x=1");
 * ```
 */
export function splitUrl(url: string): { origin: string; target: string } {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  if (slash < 0) return { origin: url.replace(/[?#].*$/s, ""), target: "/" };
  return { origin: url.slice(0, slash), target: url.slice(slash).replace(/#.*$/s, "") };
}

/** Sends exchanges; never sends one twice on its own. */
export interface Transport {
  /** Sends the request once and reads the reply. */
  send(request: TransportRequest): Promise<TransportReply>;
  /** Closes every connection it holds. */
  close(): void;
}

/**
 * A transport over a `fetch` function, for tests that stand in for the
 * network. It is not used against real servers: Deno's fetch silently sends
 * a request again when a reused connection closes before the reply.
 *
 * @example
 * ```ts
 * import { fetchTransport } from "./transport.ts";
 * const transport = fetchTransport(() => Promise.resolve(new Response('{"ok":1}')));
 * const reply = await transport.send({
 *   method: "GET", url: "http://127.0.0.1/x", headers: {}, signal: new AbortController().signal,
 *   maxResponseBytes: 100, onTooLarge: () => new Error("too large"),
 * });
 * console.assert(reply.status === 200 && reply.text === '{"ok":1}');
 * ```
 */
export function fetchTransport(fetchFn: typeof fetch): Transport {
  return {
    async send(request) {
      const response = await fetchFn(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
      });
      const text = await readCappedText(
        response,
        request.maxResponseBytes,
        () => request.onTooLarge(response.status),
      );
      return { status: response.status, headers: Object.fromEntries(response.headers), text };
    },
    close() {},
  };
}
