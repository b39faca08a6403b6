/**
 * Opening a connection to an origin: plain TCP, TLS, or TLS through an HTTP
 * proxy's CONNECT tunnel. Every failure here happens before a request is
 * written, so it is a {@linkcode TransportError} with `sent: false`.
 *
 * @module
 */

import { Http1Connection } from "./connection.ts";
import { TransportError } from "../errors.ts";

/** Where to connect. */
export interface Endpoint {
  /** Host name or IP address (IPv6 without brackets). */
  hostname: string;
  port: number;
  tls: boolean;
}

/** How to connect. */
export interface ConnectOptions {
  /** Extra CA certificates (PEM) to trust besides the default roots. */
  caCerts?: string[];
  /** An HTTP proxy that carries TLS connections through CONNECT. */
  proxy?: { hostname: string; port: number };
}

const encoder = new TextEncoder();

/**
 * An open connection to `endpoint`, TLS handshake done. Aborting `signal`
 * rejects with its reason and closes whatever was opened.
 *
 * @example
 * ```ts ignore
 * const conn = await openConnection({ hostname: "apa.dunedb.org", port: 443, tls: true }, {}, signal);
 * ```
 */
export async function openConnection(
  endpoint: Endpoint,
  options: ConnectOptions,
  signal: AbortSignal,
): Promise<Deno.Conn> {
  const { hostname, port, tls } = endpoint;
  const tlsOptions = { hostname, caCerts: options.caCerts, alpnProtocols: ["http/1.1"] };
  let handshaking = false;
  let opened: Deno.Conn | undefined;
  const close = () => {
    try {
      opened?.close();
    } catch {
      // Already closed, or handed over to startTls.
    }
  };
  signal.addEventListener("abort", close, { once: true });
  const via = options.proxy && tls
    ? ` (through the proxy ${options.proxy.hostname}:${options.proxy.port})`
    : "";
  try {
    if (tls && options.proxy) {
      opened = await tunnel(options.proxy, endpoint, signal);
      opened = await Deno.startTls(opened as Deno.TcpConn, tlsOptions);
      signal.throwIfAborted();
    } else {
      const connecting: Promise<Deno.Conn> = tls
        ? Deno.connectTls({ ...tlsOptions, port })
        : Deno.connect({ hostname, port });
      opened = await whenNotAborted(connecting, signal);
    }
    if (tls) {
      handshaking = true;
      await (opened as Deno.TlsConn).handshake();
    }
    return opened;
  } catch (error) {
    close();
    if (signal.aborted) throw signal.reason;
    // A missing --allow-net is reported as such by the HTTP layer.
    if (
      error instanceof TransportError || error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) {
      throw error;
    }
    // A connection cut during the handshake is a network failure, not a
    // certificate one: it may be tried again.
    const cut = error instanceof Deno.errors.UnexpectedEof ||
      error instanceof Deno.errors.ConnectionReset ||
      error instanceof Deno.errors.ConnectionAborted || error instanceof Deno.errors.BrokenPipe;
    throw new TransportError(`${(error as Error).message}${via}`, {
      sent: false,
      tls: handshaking && !cut,
      cause: error,
    });
  } finally {
    signal.removeEventListener("abort", close);
  }
}

/** A TCP connection to `proxy`, turned by CONNECT into a tunnel to `endpoint`. */
async function tunnel(
  proxy: { hostname: string; port: number },
  endpoint: Endpoint,
  signal: AbortSignal,
): Promise<Deno.Conn> {
  const via = `the proxy ${proxy.hostname}:${proxy.port}`;
  let conn: Deno.Conn;
  try {
    conn = await whenNotAborted(Deno.connect(proxy), signal);
  } catch (error) {
    // A missing --allow-net names the proxy's host itself.
    if (
      signal.aborted || error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) {
      throw error;
    }
    throw new TransportError(`could not reach ${via} (M2M_PROXY): ${(error as Error).message}`, {
      sent: false,
      cause: error,
    });
  }
  const connection = new Http1Connection(conn);
  const abort = () => connection.close();
  signal.addEventListener("abort", abort, { once: true });
  const host = endpoint.hostname.includes(":") ? `[${endpoint.hostname}]` : endpoint.hostname;
  const authority = `${host}:${endpoint.port}`;
  try {
    const reply = await connection.exchange(
      encoder.encode(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n\r\n`),
      "CONNECT",
      64 * 1024,
      () => new TransportError(`${via} answered CONNECT with an oversized reply`, { sent: false }),
    );
    const { status } = reply.head;
    if (status < 200 || status > 299) {
      throw new TransportError(
        `${via} refused to connect to ${authority}: it answered ${status}` +
          (status === 407 ? " (it wants credentials, which this client does not send)" : ""),
        { sent: false },
      );
    }
    return connection.detach();
  } catch (error) {
    connection.close();
    if (signal.aborted || (error instanceof TransportError && !error.sent)) throw error;
    // Whatever went wrong with the proxy, nothing reached the DB server.
    throw new TransportError(`${via}: ${(error as Error).message}`, { sent: false, cause: error });
  } finally {
    signal.removeEventListener("abort", abort);
  }
}

/** `promise`, or `signal.reason` as soon as it aborts (a late connection is closed). */
function whenNotAborted(promise: Promise<Deno.Conn>, signal: AbortSignal): Promise<Deno.Conn> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      reject(signal.reason);
      promise.then((conn) => conn.close(), () => {});
    };
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (conn) => {
        signal.removeEventListener("abort", abort);
        resolve(conn);
      },
      (error) => {
        signal.removeEventListener("abort", abort);
        reject(error);
      },
    );
  });
}
