/**
 * The one error hierarchy of dune-m2m. Every failure the client reports is an
 * {@linkcode M2MError}; the subclasses say what kind of failure it was, so a
 * script can `catch` the kinds it knows how to handle and let the rest end it.
 *
 * Messages are written for a person: what was asked, what went wrong, what to
 * do. The properties carry the same facts for a program.
 *
 * @module
 */

/** What an HTTP exchange looked like when it failed; all fields are optional. */
export interface RequestContext {
  /** HTTP method, e.g. `"POST"`. */
  method?: string;
  /** Request path on the server, e.g. `"/api/component"` (never a full URL with secrets). */
  path?: string;
  /** HTTP status of the reply, when there was one. */
  status?: number;
  /** The server's own words: the `error` field of a JSON reply, or an excerpt of an HTML page. */
  serverMessage?: string;
  /** How many times the request was sent before giving up (1 = no retry). */
  attempts?: number;
}

/** Options accepted by every error constructor. */
export interface M2MErrorOptions extends RequestContext {
  /** The underlying error, kept for debugging (already redacted of secrets). */
  cause?: unknown;
}

/**
 * Base class of every error thrown by dune-m2m.
 *
 * @example Catch any failure of the client
 * ```ts
 * import { M2MError } from "./errors.ts";
 * try {
 *   throw new M2MError("example");
 * } catch (error) {
 *   if (error instanceof M2MError) console.error(error.message);
 * }
 * ```
 */
export class M2MError extends Error {
  /** HTTP method of the failed request, if any. */
  readonly method?: string;
  /** Path of the failed request, if any. */
  readonly path?: string;
  /** HTTP status of the reply, if there was one. */
  readonly status?: number;
  /** The server's own error text, if it sent one. */
  readonly serverMessage?: string;
  /** How many times the request was sent. */
  readonly attempts?: number;

  /** Creates the error; `options` carry the request context and the cause. */
  constructor(message: string, options: M2MErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.method = options.method;
    this.path = options.path;
    this.status = options.status;
    this.serverMessage = options.serverMessage;
    this.attempts = options.attempts;
  }
}

/**
 * Bad input, found before any request was sent: a malformed UUID, data that
 * is not JSON, unequal `fields`/`values`, a missing credential.
 *
 * @example
 * ```ts
 * import { ValidationError } from "./errors.ts";
 * const error = new ValidationError("componentUUID 'abc' is not a UUID");
 * console.assert(error.name === "ValidationError");
 * ```
 */
export class ValidationError extends M2MError {}

/**
 * The token endpoint refused the credentials or could not be reached, or the
 * API refused the token.
 *
 * @example
 * ```ts
 * import { AuthError } from "./errors.ts";
 * const error = new AuthError("token request refused (401): check M2M_CLIENT_SECRET");
 * console.assert(error instanceof Error);
 * ```
 */
export class AuthError extends M2MError {}

/**
 * The server answered 403: the client lacks a permission. `permission` names
 * the one the server asked for, when it said so.
 *
 * @example
 * ```ts
 * import { PermissionError } from "./errors.ts";
 * const error = new PermissionError("no", { permission: "actions:perform", status: 403 });
 * console.assert(error.permission === "actions:perform");
 * ```
 */
export class PermissionError extends M2MError {
  /** The permission the server required, e.g. `"components:edit"`. */
  readonly permission?: string;

  /** Creates the error; `options.permission` names the missing permission. */
  constructor(message: string, options: M2MErrorOptions & { permission?: string } = {}) {
    super(message, options);
    this.permission = options.permission;
  }
}

/**
 * No such component, action, workflow, type form or short UUID (the server
 * answered `null` or 404).
 *
 * @example
 * ```ts
 * import { NotFoundError } from "./errors.ts";
 * const error = new NotFoundError("no component 5f9ea420-3e88-11ed-9114-03f8483882ff");
 * console.assert(error.name === "NotFoundError");
 * ```
 */
export class NotFoundError extends M2MError {}

/**
 * Any other unexpected reply: a non-2xx status, a body that is not JSON, or
 * JSON of the wrong shape. `status`, `method`, `path` and `serverMessage` say
 * which.
 *
 * @example
 * ```ts
 * import { ApiError } from "./errors.ts";
 * const error = new ApiError("failed", { status: 500, method: "POST", path: "/api/action" });
 * console.assert(error.status === 500);
 * ```
 */
export class ApiError extends M2MError {}

/**
 * The request could not be completed: DNS failure, connection refused or
 * reset, TLS failure, or the connection dropped while reading the reply.
 *
 * @example
 * ```ts
 * import { NetworkError } from "./errors.ts";
 * const error = new NetworkError("connection refused");
 * console.assert(error instanceof Error);
 * ```
 */
export class NetworkError extends M2MError {
  /** What the network layer said, e.g. `"tcp connect error: Connection refused"`. */
  readonly detail?: string;

  /** Creates the error; `options.detail` keeps the network layer's own words. */
  constructor(message: string, options: M2MErrorOptions & { detail?: string } = {}) {
    super(message, options);
    this.detail = options.detail;
  }
}

/**
 * The request, including reading its reply, took longer than the timeout.
 * A subclass of {@linkcode NetworkError}, so one `catch` handles both.
 *
 * @example
 * ```ts
 * import { NetworkError, TimeoutError } from "./errors.ts";
 * console.assert(new TimeoutError("slow") instanceof NetworkError);
 * ```
 */
export class TimeoutError extends NetworkError {}

/**
 * The caller aborted the operation through its `AbortSignal`.
 *
 * @example
 * ```ts
 * import { AbortError } from "./errors.ts";
 * console.assert(new AbortError("stopped").name === "AbortError");
 * ```
 */
export class AbortError extends M2MError {}

/**
 * Internal, never thrown to callers: a transport failure, which the HTTP
 * layer turns into a {@linkcode NetworkError}. `sent: false` means the request provably never
 * reached the server (no connection could be made), so sending it again
 * cannot duplicate it; otherwise the server may have acted on it.
 *
 * @example
 * ```ts
 * import { TransportError } from "./errors.ts";
 * const error = new TransportError("connection refused", { sent: false });
 * console.assert(!error.sent);
 * ```
 */
export class TransportError extends Error {
  override name = "TransportError";
  /** False when the request never left. */
  readonly sent: boolean;
  /** True when the failure was the TLS handshake (e.g. an untrusted certificate). */
  readonly tls: boolean;

  /** A failure; `cause` is the runtime's error. */
  constructor(message: string, options: { sent: boolean; tls?: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.sent = options.sent;
    this.tls = options.tls ?? false;
  }
}
