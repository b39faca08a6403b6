/**
 * HTTP/1.1 as bytes: the request head we write, and the reply head we parse
 * and how its body is framed (RFC 9112). Pure functions, no I/O.
 *
 * @module
 */

import { TransportError } from "../errors.ts";

/** A reply's status line and header fields, names lowercased. */
export interface ReplyHead {
  /** The status code, e.g. 200. */
  status: number;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  version: string;
  /** Header fields by lowercase name; repeated fields joined with ", ". */
  headers: Record<string, string>;
}

/** How the body after a head ends. */
export type Framing =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  /** Until the server closes the connection (no length given). */
  | { kind: "close" };

/** A reply the client cannot read as HTTP/1.1 (the request was sent). */
export function protocolError(message: string): TransportError {
  return new TransportError(message, { sent: true });
}

const FORBIDDEN_IN_HEADERS = /[\r\n\0]/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The request line and header block for one request, ending with the blank
 * line. `target` is the path and query; `bodyLength` is sent as
 * `content-length` when there is a body. A header name or value that would
 * let text escape its field is refused, naming the header.
 *
 * @example
 * ```ts
 * import { requestHead } from "./wire.ts";
 * const head = requestHead("POST", "/api/action", "db.example:8443", { accept: "application/json" }, 2);
 * console.assert(head === "POST /api/action HTTP/1.1\r\nhost: db.example:8443\r\n" +
 *   "accept: application/json\r\ncontent-length: 2\r\n\r\n");
 * ```
 */
export function requestHead(
  method: string,
  target: string,
  host: string,
  headers: Record<string, string>,
  bodyLength: number | undefined,
): string {
  let head = `${method} ${target} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const name in headers) {
    const value = headers[name];
    if (!TOKEN.test(name) || FORBIDDEN_IN_HEADERS.test(value)) {
      throw new TypeError(`header "${name.slice(0, 40)}" has a character HTTP does not allow`);
    }
    head += `${name}: ${value}\r\n`;
  }
  if (bodyLength !== undefined) head += `content-length: ${bodyLength}\r\n`;
  return head + "\r\n";
}

/**
 * Parses a reply head (status line and fields, without the blank line).
 *
 * @example
 * ```ts
 * import { parseReplyHead } from "./wire.ts";
 * const head = parseReplyHead("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2");
 * console.assert(head.status === 503 && head.headers["retry-after"] === "2");
 * ```
 */
export function parseReplyHead(text: string): ReplyHead {
  const lines = text.split("\r\n");
  const statusLine = /^(HTTP\/1\.[01]) ([1-5]\d\d)(?: |$)/.exec(lines[0]);
  if (!statusLine) {
    throw protocolError(`the reply does not start with an HTTP/1.x status line`);
  }
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) {
      throw protocolError(`the reply has a malformed header line`);
    }
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { version: statusLine[1], status: Number(statusLine[2]), headers };
}

/**
 * How the body of a reply to `method` with `head` is delimited.
 *
 * @example
 * ```ts
 * import { framing } from "./wire.ts";
 * const head = { status: 200, version: "HTTP/1.1", headers: { "content-length": "12" } };
 * console.assert(framing("GET", head).kind === "length");
 * ```
 */
export function framing(method: string, head: ReplyHead): Framing {
  const { status, headers } = head;
  if (
    method === "HEAD" || status === 204 || status === 304 || status < 200 ||
    (method === "CONNECT" && status < 300)
  ) {
    return { kind: "none" };
  }
  const coding = headers["transfer-encoding"];
  if (coding !== undefined) {
    // Chunked must be the final coding; anything else is read to the close.
    return /(?:^|,)\s*chunked\s*$/i.test(coding) ? { kind: "chunked" } : { kind: "close" };
  }
  const declared = headers["content-length"];
  if (declared === undefined) return { kind: "close" };
  if (!/^\d{1,15}$/.test(declared)) {
    throw protocolError(`the reply has an invalid content-length "${declared.slice(0, 40)}"`);
  }
  return { kind: "length", length: Number(declared) };
}

/**
 * Whether the connection may carry another request after this reply.
 *
 * @example
 * ```ts
 * import { keepsAlive } from "./wire.ts";
 * console.assert(!keepsAlive({ status: 200, version: "HTTP/1.1", headers: { connection: "close" } }));
 * ```
 */
export function keepsAlive(head: ReplyHead): boolean {
  // Both lengths at once: the framing is in doubt, so the connection is not reused (RFC 9112 §6.3).
  if (
    head.headers["transfer-encoding"] !== undefined && head.headers["content-length"] !== undefined
  ) {
    return false;
  }
  const connection = (head.headers["connection"] ?? "").toLowerCase();
  if (/(?:^|,)\s*close\s*(?:,|$)/.test(connection)) return false;
  return head.version === "HTTP/1.1" || /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection);
}

/**
 * The size in a chunk-size line (hex digits, then optional extensions).
 *
 * @example
 * ```ts
 * import { chunkSize } from "./wire.ts";
 * console.assert(chunkSize("1a;name=value") === 26);
 * ```
 */
export function chunkSize(line: string): number {
  const digits = /^([0-9A-Fa-f]{1,8})[ \t]*(?:;.*)?$/.exec(line);
  if (!digits) throw protocolError(`the reply has a malformed chunk size line`);
  return parseInt(digits[1], 16);
}
