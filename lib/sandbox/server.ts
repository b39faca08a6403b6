/**
 * The HTTP(S) layer, on `node:http`/`node:https` because a fault must be
 * able to drop a connection without any reply (`socket.destroy()`), which
 * `Deno.serve` cannot do: there a failing body still sends a status line.
 * Delays (latency, slow replies) are tracked timers that `close()` cancels.
 *
 * @module
 */

import http from "node:http";
import https from "node:https";
import { once } from "node:events";
import { BODY_LIMIT_BYTES, type RawBody } from "./body.ts";
import { COMMON_HEADERS, type Reply } from "./reply.ts";

/** A request with its body read. */
export interface IncomingRequest {
  /** HTTP method. */
  method: string;
  /** The request target as sent (path and query, percent-encoded). */
  url: string;
  /** Headers, lowercased names. */
  headers: http.IncomingHttpHeaders;
  /** The body, or null when it exceeded the limit. */
  body: RawBody;
  /** Peer address as the socket reports it. */
  remoteAddress: string | undefined;
}

/** What to do with a request: reply (after a delay), or drop the connection (after a delay). */
export type Outcome =
  | { action: "reply"; reply: Reply; delayMs: number; after?: () => void }
  | { action: "drop"; delayMs: number };

/** Where and how to listen. */
export interface ListenOptions {
  /** Interface. */
  hostname: string;
  /** Port, 0 for any free one. */
  port: number;
  /** PEM certificate; with `tlsKey`, HTTPS. */
  tlsCert?: string;
  /** PEM key. */
  tlsKey?: string;
}

/** A listening server. */
export interface HttpServer {
  /** The bound port. */
  readonly port: number;
  /** Stops accepting, cancels delays, drops open connections, waits for handlers. */
  close(): Promise<void>;
}

function readBody(request: http.IncomingMessage): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    let tooLarge = Number(request.headers["content-length"]) > BODY_LIMIT_BYTES;
    let size = 0;
    let chunks: Uint8Array[] = [];
    let ended = false;
    // An oversized body is still drained, so the connection stays usable for the 413.
    request.on("data", (chunk: Uint8Array) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        tooLarge = true;
        chunks = [];
      } else {
        chunks.push(chunk);
      }
    });
    request.on("end", () => {
      ended = true;
      if (tooLarge) return resolve(null);
      const body = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        body.set(chunk, offset);
        offset += chunk.length;
      }
      resolve(body);
    });
    request.on("error", reject);
    request.on("close", () => {
      if (!ended) {
        reject(new Error("the client closed the connection before sending the whole body"));
      }
    });
  });
}

/** Starts listening; every request goes through `handle`. */
export async function listen(
  options: ListenOptions,
  handle: (request: IncomingRequest) => Promise<Outcome>,
): Promise<HttpServer> {
  const timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  // Once closing, nothing waits any more: a timer set then would outlive close().
  const sleep = (ms: number) =>
    ms <= 0 || closing ? Promise.resolve() : new Promise<void>((resolve) => {
      const id = setTimeout(() => {
        timers.delete(id);
        resolve();
      }, ms);
      timers.set(id, resolve);
    });

  async function serve(request: http.IncomingMessage, response: http.ServerResponse) {
    const socket = request.socket;
    let body: RawBody;
    try {
      body = await readBody(request);
    } catch {
      return; // the client went away; nobody to answer
    }
    const outcome = await handle({
      method: request.method ?? "GET",
      url: request.url ?? "/",
      headers: request.headers,
      body,
      remoteAddress: socket.remoteAddress,
    });
    await sleep(outcome.delayMs);
    if (closing || socket.destroyed) {
      socket.destroy();
      return;
    }
    if (outcome.action === "drop") {
      socket.destroy();
      return;
    }
    const { reply } = outcome;
    const payload = new TextEncoder().encode(reply.body);
    response.writeHead(reply.status, {
      ...COMMON_HEADERS,
      ...reply.headers,
      "content-length": String(payload.length),
    });
    response.end(payload);
    outcome.after?.();
  }

  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const task = serve(request, response).catch((error) => {
      console.error("sandbox: request failed:", error);
      request.socket.destroy();
    }).finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  const server = options.tlsCert !== undefined && options.tlsKey !== undefined
    ? https.createServer({ cert: options.tlsCert, key: options.tlsKey }, onRequest)
    : http.createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      server.off("listening", onListening);
      reject(new Error(`cannot listen on ${options.hostname}:${options.port}: ${error.message}`));
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(options.port, options.hostname);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;

  return {
    port,
    async close() {
      if (closing) return;
      closing = true;
      const closed = once(server, "close");
      server.close();
      for (const [id, resolve] of timers) {
        clearTimeout(id);
        resolve();
      }
      timers.clear();
      server.closeAllConnections();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}
