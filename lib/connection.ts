/**
 * The connection: credentials, a token source and the HTTP layer, joined.
 * {@linkcode ConnectToAPI} makes one; every record function takes it.
 *
 * @module
 */

import {
  type CredentialOptions,
  denoConfigSources,
  resolveCredentials,
  type ResolvedCredentials,
} from "./config.ts";
import { AbortError, AuthError, ValidationError } from "./errors.ts";
import { HttpClient, type HttpStats, type RetryEvent, type VerifyResult } from "./http.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import { Redactor } from "./redact.ts";
import { resolveRetryPolicy, type RetryPolicy } from "./retry.ts";
import { type AccessToken, TokenSource } from "./token.ts";

/** Everything {@linkcode ConnectToAPI} accepts; all optional. */
export interface ConnectOptions extends CredentialOptions {
  /** Time allowed for one exchange, reading the reply included. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retry policy overrides (see {@linkcode RetryPolicy}). */
  retry?: Partial<RetryPolicy>;
  /** Largest reply accepted. Default 64 MiB. */
  maxResponseBytes?: number;
  /** Where warnings and debug lines go. Default: stderr, debug only if `debug`. */
  logger?: Logger;
  /** Print debug lines (each retry, each token) to stderr. */
  debug?: boolean;
  /** Extra CA certificates (PEM) to trust, e.g. a sandbox's self-signed one. */
  caCerts?: string[];
  /** Called on each retry, e.g. to count them. */
  onRetry?: (event: RetryEvent) => void;
  /** For tests: replaces `fetch`, the clocks, the waits and the jitter. */
  testing?: {
    fetch?: typeof fetch;
    now?: () => number;
    wallNow?: () => number;
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    random?: () => number;
  };
}

/** Extra request headers; the connection sets `authorization` and `content-type` itself. */
export type RequestHeaders = Record<string, string>;

/** One API request, as the record functions describe it. */
export interface ApiRequest {
  /** HTTP method: the API uses only GET and POST. */
  method: "GET" | "POST";
  /** Path under the DB host, starting with `/api/`; segments already encoded. */
  path: string;
  /** What the caller asked, for messages. */
  what: string;
  /** The JSON body of a POST. */
  body?: unknown;
  /** Extra headers. */
  headers?: RequestHeaders;
  /** For a write: did an earlier attempt take effect? (see {@linkcode VerifyResult}) */
  verify?: () => Promise<VerifyResult>;
  /** `false`: a single attempt (used by `verify` itself, which the outer loop retries). */
  retry?: false;
  /** Stops the request (and its retries) when aborted. */
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
// setTimeout fires at once for delays of 2^31 ms or more.
const MAX_TIMER_MS = 2 ** 31 - 1;
const MANAGED_HEADERS = new Set(["authorization", "content-type", "accept"]);
// Headers that frame or route the HTTP message: only the transport writes them.
const TRANSPORT_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "te",
  "trailer",
  "connection",
  "keep-alive",
  "upgrade",
  "expect",
  "proxy-connection",
  "proxy-authorization",
]);

function checkLimit(name: string, value: number, maximum: number): number {
  if (typeof value === "number" && Number.isInteger(value) && value > 0 && value <= maximum) {
    return value;
  }
  throw new ValidationError(`${name} is ${value}: expected a whole number from 1 to ${maximum}`);
}

// The connection sets authorization, content-type and accept itself; the
// headers ConnectToAPI returned (content-type: application/json) pass.
function checkHeaders(headers: RequestHeaders | undefined): RequestHeaders {
  const checked: RequestHeaders = {};
  if (headers === undefined) return checked;
  for (const [name, value] of Object.entries(headers)) {
    if (
      typeof value !== "string" || /[\r\n\0]/.test(value) || !/^[!#$%&'*+.^_`|~\w-]+$/.test(name)
    ) {
      throw new ValidationError(`header ${JSON.stringify(name)} is not a valid HTTP header`);
    }
    const lower = name.toLowerCase();
    if (TRANSPORT_HEADERS.has(lower)) {
      throw new ValidationError(
        `header ${JSON.stringify(name)} frames the HTTP message and is written by the client ` +
          `itself; leave it out`,
      );
    }
    if (!MANAGED_HEADERS.has(lower)) {
      checked[lower] = value;
    } else if (lower !== "content-type" || !/^application\/json\b/i.test(value)) {
      throw new ValidationError(
        `header ${JSON.stringify(name)} is set by the connection itself; leave it out`,
      );
    }
  }
  return checked;
}

const SINGLE_ATTEMPT: RetryPolicy = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0, deadlineMs: 0 };

/** An open connection to the DB API. Close it when done. */
export class Connection {
  /** Base URL of the DB API, e.g. `https://apa.dunedb.org`. */
  readonly dbBaseUrl: string;
  /** The M2M client ID (not secret). */
  readonly clientId: string;
  /** Where warnings go (e.g. truncated lists). */
  readonly logger: Logger;
  #http: HttpClient;
  #tokens: TokenSource;
  #redactor: Redactor;
  #closed = false;
  #closing = new AbortController();
  // A bulk run passes one signal with every request: join it to #closing once.
  #joinedSignals = new WeakMap<AbortSignal, AbortSignal>();

  /** Use {@linkcode ConnectToAPI}; this constructor fetches nothing. */
  constructor(credentials: ResolvedCredentials, options: ConnectOptions = {}) {
    const testing = options.testing ?? {};
    const timeoutMs = checkLimit(
      "timeoutMs",
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      MAX_TIMER_MS,
    );
    const maxResponseBytes = checkLimit(
      "maxResponseBytes",
      options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      Number.MAX_SAFE_INTEGER,
    );
    for (const [index, pem] of (options.caCerts ?? []).entries()) {
      if (typeof pem !== "string" || !pem.includes("-----BEGIN CERTIFICATE-----")) {
        throw new ValidationError(
          `caCerts[${index}] is not a PEM certificate (text starting "-----BEGIN CERTIFICATE-----")`,
        );
      }
    }
    this.dbBaseUrl = credentials.dbBaseUrl;
    this.clientId = credentials.clientId;
    this.#redactor = new Redactor();
    this.#redactor.add(credentials.clientSecret);
    const baseLogger = options.logger ?? consoleLogger(options.debug ?? false);
    this.logger = {
      debug: (message) => baseLogger.debug(this.#redactor.redact(message)),
      warn: (message) => baseLogger.warn(this.#redactor.redact(message)),
    };
    const now = testing.now ?? (() => performance.now());
    let retry: RetryPolicy;
    try {
      retry = resolveRetryPolicy(options.retry);
    } catch (error) {
      throw new ValidationError((error as Error).message);
    }
    this.#http = new HttpClient({
      timeoutMs,
      retry,
      maxResponseBytes,
      logger: this.logger,
      redactor: this.#redactor,
      fetch: testing.fetch,
      caCerts: options.caCerts,
      proxy: credentials.proxy,
      now,
      sleep: testing.sleep,
      random: testing.random,
      onRetry: options.onRetry,
    });
    this.#tokens = new TokenSource({
      http: this.#http,
      redactor: this.#redactor,
      logger: this.logger,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      audience: credentials.audience,
      authBaseUrl: credentials.authBaseUrl,
      cachePath: credentials.tokenCache,
      now,
      wallNow: testing.wallNow ?? Date.now,
    });
  }

  /** Requests, retries and verified writes so far, and tokens requested. */
  get stats(): HttpStats & { tokensRequested: number } {
    return { ...this.#http.stats, tokensRequested: this.#tokens.requested };
  }

  /** Makes sure a valid token is at hand (fetching one if needed). */
  async authenticate(signal?: AbortSignal): Promise<void> {
    this.#checkOpen();
    try {
      await this.#tokens.get(this.#signal(signal));
    } catch (error) {
      throw this.#redacted(error);
    }
  }

  /**
   * Sends one API request with a valid token and returns the parsed reply.
   * A 401 to this very request is answered by fetching a new token and
   * sending once more.
   */
  async request(request: ApiRequest): Promise<unknown> {
    this.#checkOpen();
    const headers = checkHeaders(request.headers);
    const signal = this.#signal(request.signal);
    const path = request.path.replace(/\?.*$/, "");
    for (let tokenTry = 1;; tokenTry++) {
      let token: AccessToken | undefined;
      try {
        token = await this.#tokens.get(signal);
        return await this.#http.send({
          method: request.method,
          url: `${this.dbBaseUrl}${request.path}`,
          what: request.what,
          headers: {
            ...headers,
            "content-type": "application/json",
            accept: "application/json",
            authorization: `${token.tokenType} ${token.accessToken}`,
          },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          verify: request.verify,
          retry: request.retry === false ? SINGLE_ATTEMPT : undefined,
          signal,
        });
      } catch (error) {
        // Only a 401 to this request itself: not one to the token request,
        // nor to a lookup made on its behalf (re-sending then could duplicate).
        const refused = token !== undefined && error instanceof AuthError &&
          error.status === 401 && error.method === request.method && error.path === path;
        if (!refused || tokenTry > 1) throw this.#redacted(error);
        this.logger.debug(`${request.method} ${path}: token refused (401); renewing it`);
        this.#tokens.invalidate(token!);
      }
    }
  }

  /**
   * A reply as it may appear in a message: JSON, secrets masked first, then
   * cut to `maxLength` characters (cutting first could leave part of one).
   *
   * @example
   * ```ts ignore
   * throw new ApiError(`the server answered ${connection.excerpt(reply)}, not a UUID`);
   * ```
   */
  excerpt(reply: unknown, maxLength = 80): string {
    return this.#redactor.redact(JSON.stringify(reply) ?? String(reply)).slice(0, maxLength);
  }

  /** Closes the connection: requests in flight are aborted, later calls fail. */
  close(): void {
    this.#closed = true;
    this.#closing.abort(
      new AbortError(`${this} was closed while the request was under way`),
    );
    this.#http.close();
  }

  /** Same as {@linkcode Connection.close}, for `using connection = ...`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** A description without secrets. */
  toString(): string {
    return `Connection(${this.dbBaseUrl}, client ${this.clientId}${
      this.#closed ? ", closed" : ""
    })`;
  }

  /** JSON without secrets. */
  toJSON(): { dbBaseUrl: string; clientId: string; closed: boolean } {
    return { dbBaseUrl: this.dbBaseUrl, clientId: this.clientId, closed: this.#closed };
  }

  /** What `console.log(connection)` shows: no secret, no token. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** Same for Node's `util.inspect`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #signal(signal: AbortSignal | undefined): AbortSignal {
    if (signal === undefined) return this.#closing.signal;
    let joined = this.#joinedSignals.get(signal);
    if (joined === undefined) {
      joined = AbortSignal.any([signal, this.#closing.signal]);
      this.#joinedSignals.set(signal, joined);
    }
    return joined;
  }

  // The last line of defence: a secret that reached a message by any path
  // (a domain typed into the wrong variable, say) is masked here.
  #redacted(error: unknown): unknown {
    if (error instanceof Error) error.message = this.#redactor.redact(error.message);
    return error;
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new ValidationError(`${this} is closed: call ConnectToAPI() again for a new one`);
    }
  }
}

/**
 * Resolves the credentials, fetches a first token (so wrong credentials fail
 * here, not in the middle of a measurement) and returns the connection with
 * the headers the record functions accept, like the original.
 *
 * @example
 * ```ts ignore
 * import { ConnectToAPI } from "../mod.ts";
 * const { connection, headers } = await ConnectToAPI({ instance: "sandbox" });
 * connection.close();
 * ```
 */
export async function ConnectToAPI(
  options: ConnectOptions = {},
): Promise<{ connection: Connection; headers: RequestHeaders }> {
  const credentials = resolveCredentials(options, denoConfigSources());
  const connection = new Connection(credentials, options);
  try {
    await connection.authenticate();
  } catch (error) {
    connection.close();
    throw error;
  }
  return { connection, headers: { "content-type": "application/json" } };
}
