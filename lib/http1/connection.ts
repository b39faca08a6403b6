/**
 * One HTTP/1.1 connection: writes a request, reads its reply, and while it
 * waits in the pool watches for the server closing it.
 *
 * @module
 */

import { chunkSize, framing, keepsAlive, parseReplyHead, protocolError } from "./wire.ts";
import type { ReplyHead } from "./wire.ts";
import type { TransportError } from "../errors.ts";

/** A reply read whole. */
export interface RawReply {
  /** The final (non-1xx) reply head. */
  head: ReplyHead;
  /** The body, decoded as UTF-8. */
  text: string;
  /** Whether the connection may carry another request. */
  reusable: boolean;
}

// A reply head or chunk line longer than this is not from a DB API server.
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 4 * 1024;
const READ_SIZE = 16 * 1024;
const MAX_INTERIM_REPLIES = 16;

const decoder = new TextDecoder();

/**
 * A keep-alive connection. Not safe for two requests at once: the pool
 * hands it to one request at a time.
 *
 * @example
 * ```ts ignore
 * const connection = new Http1Connection(await Deno.connect({ port: 8080 }));
 * const reply = await connection.exchange(bytes, "GET", 1 << 20, () => new Error("too large"));
 * connection.close();
 * ```
 */
export class Http1Connection {
  #conn: Deno.Conn;
  #buffer = new Uint8Array(READ_SIZE);
  #start = 0;
  #end = 0;
  #closed = false;
  #idle = false;
  #pendingRead: Promise<number | null> | undefined;
  /** When it last went back to the pool (ms, monotonic). */
  idleSince = 0;
  /** Whether it carried a request before the current one. */
  reused = false;

  /** Wraps an open (TCP or TLS) connection. */
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** True once closed, by us or (seen while idle) by the server. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the socket; a read or write in progress rejects. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the runtime.
    }
  }

  /**
   * Hands the socket over (after a proxy's CONNECT reply, to start TLS on
   * it); this object is closed and no longer touches it.
   */
  detach(): Deno.Conn {
    if (this.#start !== this.#end) throw protocolError("the proxy sent bytes after its reply");
    this.#closed = true;
    return this.#conn;
  }

  /**
   * Parks the connection in the pool: it no longer keeps the process alive,
   * and a close or stray bytes from the server while it waits close it, so
   * the pool does not hand out a connection the server has dropped.
   */
  park(now: number): void {
    this.#idle = true;
    this.idleSince = now;
    this.#conn.unref();
    const read = this.#fill();
    this.#pendingRead = read;
    const closeIfIdle = () => {
      if (this.#idle) this.close();
    };
    read.then(closeIfIdle, closeIfIdle);
  }

  /** Takes the connection out of the pool for the next request. */
  unpark(): void {
    this.#idle = false;
    this.reused = true;
    this.#conn.ref();
  }

  /**
   * Writes `request` (head and body) and reads the reply to it, whole.
   * `onTooLarge` is thrown once the body passes `maxBodyBytes`.
   */
  async exchange(
    request: Uint8Array,
    method: string,
    maxBodyBytes: number,
    onTooLarge: (status: number) => Error,
  ): Promise<RawReply> {
    for (let written = 0; written < request.length;) {
      written += await this.#conn.write(request.subarray(written));
    }
    let head = await this.#readHead();
    // Interim replies (100 Continue, 103 Early Hints) precede the real one.
    for (
      let interim = 1;
      head.status >= 100 && head.status < 200 && head.status !== 101;
      interim++
    ) {
      if (interim > MAX_INTERIM_REPLIES) {
        throw protocolError(
          "the server sent only interim replies",
        );
      }
      head = await this.#readHead();
    }
    if (head.status === 101) throw protocolError("the server switched protocols");
    const frame = framing(method, head);
    const tooLarge = () => onTooLarge(head.status);
    let text = "";
    if (frame.kind === "length") {
      if (frame.length > maxBodyBytes) throw tooLarge();
      await this.#ensure(frame.length);
      text = decoder.decode(this.#take(frame.length));
    } else if (frame.kind === "chunked") {
      text = await this.#readChunked(maxBodyBytes, tooLarge);
    } else if (frame.kind === "close") {
      text = await this.#readToClose(maxBodyBytes, tooLarge);
    }
    const reusable = frame.kind !== "close" && keepsAlive(head) && this.#start === this.#end;
    return { head, text, reusable };
  }

  async #readHead(): Promise<ReplyHead> {
    let scanned = 0;
    for (;;) {
      const bytes = this.#buffer.subarray(this.#start, this.#end);
      const end = findBlankLine(bytes, scanned);
      if (end >= 0) {
        const text = decoder.decode(this.#take(end + 4).subarray(0, end));
        return parseReplyHead(text);
      }
      if (bytes.length > MAX_HEAD_BYTES) {
        throw protocolError(`the reply head is larger than ${MAX_HEAD_BYTES} bytes`);
      }
      // A TLS record (alert or handshake) where a status line should be.
      if (bytes[0] === 0x15 || bytes[0] === 0x16) {
        throw protocolError("the server answered in TLS: use https:// for this host");
      }
      scanned = Math.max(0, bytes.length - 3);
      if (await this.#fill() === null) {
        throw protocolError(
          bytes.length === 0
            ? "the server closed the connection without a reply"
            : "the server closed the connection in the middle of the reply head",
        );
      }
    }
  }

  async #readLine(): Promise<string> {
    let scanned = 0;
    for (;;) {
      const bytes = this.#buffer.subarray(this.#start, this.#end);
      const end = bytes.indexOf(10, scanned);
      if (end >= 0) return decoder.decode(this.#take(end + 1).subarray(0, end)).replace(/\r$/, "");
      if (bytes.length > MAX_LINE_BYTES) throw protocolError("the reply has an overlong line");
      scanned = bytes.length;
      if (await this.#fill() === null) throw truncated();
    }
  }

  async #readChunked(maxBodyBytes: number, tooLarge: () => Error): Promise<string> {
    const chunkDecoder = new TextDecoder();
    let text = "";
    let size = 0;
    for (;;) {
      const length = chunkSize(await this.#readLine());
      if (length === 0) break;
      size += length;
      if (size > maxBodyBytes) throw tooLarge();
      await this.#ensure(length + 2);
      text += chunkDecoder.decode(this.#take(length), { stream: true });
      if (decoder.decode(this.#take(2)) !== "\r\n") {
        throw protocolError("the reply has a chunk longer than its size line says");
      }
    }
    // Trailer fields, if any, end with a blank line.
    while (await this.#readLine() !== "");
    return text + chunkDecoder.decode();
  }

  async #readToClose(maxBodyBytes: number, tooLarge: () => Error): Promise<string> {
    while (await this.#fill() !== null) {
      if (this.#end - this.#start > maxBodyBytes) throw tooLarge();
    }
    if (this.#end - this.#start > maxBodyBytes) throw tooLarge();
    return decoder.decode(this.#take(this.#end - this.#start));
  }

  async #ensure(length: number): Promise<void> {
    while (this.#end - this.#start < length) {
      if (await this.#fill(length) === null) throw truncated();
    }
  }

  /** The next `length` buffered bytes, consumed; valid until the next read. */
  #take(length: number): Uint8Array {
    const bytes = this.#buffer.subarray(this.#start, this.#start + length);
    this.#start += length;
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      // After a large reply, give the memory back (the bytes returned stay valid).
      if (this.#buffer.length > 4 * READ_SIZE) this.#buffer = new Uint8Array(READ_SIZE);
    }
    return bytes;
  }

  /** Reads more bytes into the buffer (room for `want` in all); null at the server's close. */
  #fill(want = 0): Promise<number | null> {
    const pending = this.#pendingRead;
    if (pending) {
      this.#pendingRead = undefined;
      return pending;
    }
    const buffered = this.#end - this.#start;
    if (this.#buffer.length - this.#end < READ_SIZE || this.#buffer.length < want) {
      const size = Math.max(buffered + READ_SIZE, want);
      if (this.#buffer.length >= size) {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(size, this.#buffer.length * 2));
        grown.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = grown;
      }
      this.#start = 0;
      this.#end = buffered;
    }
    return this.#conn.read(this.#buffer.subarray(this.#end)).then((count) => {
      if (count !== null) this.#end += count;
      return count;
    });
  }
}

function truncated(): TransportError {
  return protocolError("the server closed the connection in the middle of the reply");
}

/** Index of the CRLF CRLF that ends a head, searching from `from`; -1 if none yet. */
function findBlankLine(bytes: Uint8Array, from: number): number {
  for (
    let i = bytes.indexOf(13, from);
    i >= 0 && i + 3 < bytes.length;
    i = bytes.indexOf(13, i + 1)
  ) {
    if (bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}
