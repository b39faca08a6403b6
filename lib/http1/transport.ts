/**
 * The client's transport: HTTP/1.1 over `Deno.connect`/`Deno.connectTls`,
 * with kept-alive connections pooled per origin.
 *
 * Why not `fetch`: when a reused connection closes before the reply, Deno's
 * fetch sends the request again by itself, even a POST the server already
 * stored (tests/sandbox_faults_test.ts shows it). For an upload that must
 * happen exactly once, every re-send has to be the caller's decision, made
 * after looking the record up. Here a request is written once, on one
 * connection, and any failure is reported, saying whether the request can
 * have reached the server. It is also about a third cheaper per request than
 * fetch, which shows on fast networks.
 *
 * @module
 */

import { type ConnectOptions, openConnection } from "./connect.ts";
import { Http1Connection } from "./connection.ts";
import { requestHead } from "./wire.ts";
import { TransportError } from "../errors.ts";
import { splitUrl, type Transport, type TransportReply } from "../transport.ts";
import type { TransportRequest } from "../transport.ts";

/** Options of {@linkcode Http1Transport}. */
export interface Http1TransportOptions {
  /** Extra CA certificates (PEM) to trust besides the default roots. */
  caCerts?: string[];
  /**
   * An HTTP proxy for `https:` origins, e.g. `http://proxy.lab.example:3128`
   * (already checked by the config): a CONNECT tunnel, with TLS end to end
   * through it. Plain `http:` is for this machine's sandbox and goes direct.
   */
  proxy?: string;
  /**
   * A connection idle longer than this is closed instead of reused (ms,
   * default 4,000): Node servers close idle connections after 5 s, and a
   * request written as the server closes cannot tell whether it arrived.
   */
  maxIdleMs?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
}

interface Origin {
  hostname: string;
  port: number;
  tls: boolean;
  /** The Host header. */
  host: string;
  /** Parked connections, the most recently used last. */
  idle: Http1Connection[];
}

// More idle connections than this per origin are closed when released.
const MAX_IDLE_PER_ORIGIN = 32;
const encoder = new TextEncoder();

/**
 * Sends each request once over a pooled HTTP/1.1 connection.
 *
 * @example
 * ```ts ignore
 * const transport = new Http1Transport();
 * const reply = await transport.send({
 *   method: "GET", url: "http://127.0.0.1:12313/api/newComponentUUID", headers: {},
 *   signal: AbortSignal.timeout(5000), maxResponseBytes: 1 << 20,
 *   onTooLarge: () => new Error("too large"),
 * });
 * transport.close();
 * ```
 */
export class Http1Transport implements Transport {
  #options: Http1TransportOptions;
  #connectOptions: ConnectOptions;
  #origins = new Map<string, Origin>();
  #open = new Set<Http1Connection>();
  #closed = false;

  /** A transport with no connection yet. */
  constructor(options: Http1TransportOptions = {}) {
    this.#options = options;
    this.#connectOptions = { caCerts: options.caCerts, proxy: proxyEndpoint(options.proxy) };
  }

  /** Connections open now, in use or parked. */
  get openConnections(): number {
    for (const connection of this.#open) {
      if (connection.closed) this.#open.delete(connection);
    }
    return this.#open.size;
  }

  /** Sends `request` once and reads the whole reply. */
  async send(request: TransportRequest): Promise<TransportReply> {
    const { method, url, signal } = request;
    if (this.#closed) throw new TransportError("the connection was closed", { sent: false });
    signal.throwIfAborted();
    const split = splitUrl(url);
    const origin = this.#origin(split.origin);
    const { target } = split;
    let bytes: Uint8Array;
    try {
      bytes = encodeRequest(method, target, origin.host, request.headers, request.body);
    } catch (error) {
      throw new TransportError((error as Error).message, { sent: false, cause: error });
    }
    const connection = this.#takeIdle(origin) ?? await this.#connect(origin, signal).catch(
      (error) => {
        // Stopped (timeout or abort) before a connection existed: nothing was
        // sent, which the HTTP layer must know to retry a write without a lookup.
        if (!signal.aborted) throw error;
        const proxy = this.#connectOptions.proxy;
        throw new TransportError(
          `no connection was made to ${origin.host}` +
            (proxy && origin.tls ? ` through the proxy ${proxy.hostname}:${proxy.port}` : ""),
          { sent: false, cause: signal.reason },
        );
      },
    );
    let tooLarge: Error | undefined;
    const abort = () => connection.close();
    signal.addEventListener("abort", abort, { once: true });
    // An abort between opening the connection and listening for it.
    if (signal.aborted) abort();
    try {
      const reply = await connection.exchange(
        bytes,
        method,
        request.maxResponseBytes,
        (status) => tooLarge = request.onTooLarge(status),
      );
      this.#release(origin, connection, reply.reusable);
      return { status: reply.head.status, headers: reply.head.headers, text: reply.text };
    } catch (error) {
      this.#discard(connection);
      if (signal.aborted) throw signal.reason;
      if (error === tooLarge) throw error;
      const reused = connection.reused ? " (on a kept-alive connection)" : "";
      throw new TransportError(`${(error as Error).message}${reused}`, {
        sent: true,
        cause: error,
      });
    } finally {
      signal.removeEventListener("abort", abort);
    }
  }

  /** Closes every connection; requests in flight fail, later ones are refused. */
  close(): void {
    this.#closed = true;
    for (const connection of this.#open) connection.close();
    this.#open.clear();
    this.#origins.clear();
  }

  #origin(text: string): Origin {
    let origin = this.#origins.get(text);
    if (origin) return origin;
    const url = new URL(text);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TransportError(`"${url.protocol}" is not http: or https:`, { sent: false });
    }
    const tls = url.protocol === "https:";
    origin = {
      hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port ? Number(url.port) : tls ? 443 : 80,
      tls,
      host: url.host,
      idle: [],
    };
    this.#origins.set(text, origin);
    return origin;
  }

  #now(): number {
    return (this.#options.now ?? performance.now.bind(performance))();
  }

  #takeIdle(origin: Origin): Http1Connection | undefined {
    const maxIdleMs = this.#options.maxIdleMs ?? 4000;
    const now = this.#now();
    for (let connection; (connection = origin.idle.pop());) {
      if (!connection.closed && now - connection.idleSince <= maxIdleMs) {
        connection.unpark();
        return connection;
      }
      this.#discard(connection);
    }
    return undefined;
  }

  #release(origin: Origin, connection: Http1Connection, reusable: boolean): void {
    if (!reusable || this.#closed || origin.idle.length >= MAX_IDLE_PER_ORIGIN) {
      this.#discard(connection);
      return;
    }
    connection.park(this.#now());
    origin.idle.push(connection);
  }

  #discard(connection: Http1Connection): void {
    connection.close();
    this.#open.delete(connection);
  }

  async #connect(origin: Origin, signal: AbortSignal): Promise<Http1Connection> {
    const conn = await openConnection(origin, this.#connectOptions, signal);
    const connection = new Http1Connection(conn);
    if (this.#closed) connection.close();
    else this.#open.add(connection);
    return connection;
  }
}

/** The request head and body as one buffer, written with one call. */
function encodeRequest(
  method: string,
  target: string,
  host: string,
  headers: Record<string, string>,
  body: string | undefined,
): Uint8Array {
  const bodyBytes = body === undefined ? undefined : encoder.encode(body);
  const head = encoder.encode(requestHead(method, target, host, headers, bodyBytes?.length));
  if (!bodyBytes) return head;
  const bytes = new Uint8Array(head.length + bodyBytes.length);
  bytes.set(head);
  bytes.set(bodyBytes, head.length);
  return bytes;
}

/** Host and port of a proxy URL already checked by the config (`http://host:port`). */
function proxyEndpoint(proxy: string | undefined): { hostname: string; port: number } | undefined {
  if (proxy === undefined) return undefined;
  const url = new URL(proxy);
  return { hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(url.port || 80) };
}
