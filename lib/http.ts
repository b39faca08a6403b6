/**
 * The one place that sends requests (through a {@linkcode Transport}). Each
 * exchange has a timeout that covers reading the body, each body is read
 * (size-capped), replies become values or typed errors, and transient
 * failures are retried under a {@linkcode RetryPolicy} without ever sending
 * a write twice blindly.
 *
 * @module
 */

import {
  AbortError,
  ApiError,
  type M2MError,
  type M2MErrorOptions,
  TimeoutError,
} from "./errors.ts";
import { classifyFailure, type Failure, rememberRetryAfter, type RetryReason } from "./failure.ts";
import { Deadlines } from "./deadlines.ts";
import type { Logger } from "./logger.ts";
import type { Redactor } from "./redact.ts";
import { errorFromReply } from "./reply.ts";
import { fetchTransport, splitUrl, type Transport } from "./transport.ts";
import { Http1Transport } from "./http1/transport.ts";
import { abortableSleep, parseRetryAfter, retryDelay, type RetryPolicy } from "./retry.ts";

/** Outcome of asking the server whether an ambiguous write took effect. */
export type VerifyResult =
  | { found: true; value: unknown }
  /** `resend`: the JSON text to send instead (e.g. an edit re-applied to a newer version). */
  | { found: false; resend?: string };

/** One request, as the records layer describes it. */
export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  /** What the caller asked, for messages: e.g. `perform action "my_action"`. */
  what: string;
  headers: Record<string, string>;
  /** The JSON text to send. */
  body?: string;
  /**
   * For a write: asks the server whether an earlier attempt took effect.
   * Without it a write is re-sent only when it provably never left.
   */
  verify?: () => Promise<VerifyResult>;
  /** A POST that may be sent twice without harm (the token request): retried like a GET. */
  idempotent?: boolean;
  /** Retry policy for this request; defaults to the client's. */
  retry?: RetryPolicy;
  signal?: AbortSignal;
}

/** Why an attempt is retried; counted in {@linkcode HttpStats}. */
export type { RetryReason };

/** One retry, as reported to `onRetry` and the debug log. */
export interface RetryEvent {
  /** HTTP method. */
  method: string;
  /** Request path. */
  path: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  /** Why it is retried. */
  reason: RetryReason;
  /** The wait before the next attempt. */
  delayMs: number;
}

/** Counters a program (or the soak) can read. */
export interface HttpStats {
  /** Exchanges sent (every attempt counts). */
  requests: number;
  /** Retries, by reason. */
  retries: Partial<Record<RetryReason, number>>;
  /** Writes found already stored after an ambiguous failure (a duplicate avoided). */
  verifiedWrites: number;
}

/** What an {@linkcode HttpClient} needs; all clocks and waits are injectable. */
export interface HttpClientOptions {
  timeoutMs: number;
  retry: RetryPolicy;
  maxResponseBytes: number;
  logger: Logger;
  redactor: Redactor;
  /** For tests: a stand-in for the network, in place of the HTTP/1.1 transport. */
  fetch?: typeof fetch;
  /** Extra CA certificates (PEM) to trust, e.g. a test sandbox's self-signed one. */
  caCerts?: string[];
  /** An HTTP proxy (`http://host:port`) for `https:` hosts. */
  proxy?: string;
  /** Monotonic milliseconds, for the retry deadline. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

/** Sends requests; create one per connection and `close()` it with the connection. */
export class HttpClient {
  /** Counters of requests, retries and verified writes. */
  readonly stats: HttpStats = { requests: 0, retries: {}, verifiedWrites: 0 };
  #options: HttpClientOptions;
  #transport: Transport;
  #deadlines: Deadlines;

  /** Creates the client; `close()` releases the connections it opens. */
  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#transport = options.fetch
      ? fetchTransport(options.fetch)
      : new Http1Transport({ caCerts: options.caCerts, proxy: options.proxy });
    this.#deadlines = new Deadlines(options.timeoutMs);
  }

  /** Releases the connections this client opened. */
  close(): void {
    this.#deadlines.close();
    this.#transport.close();
  }

  /**
   * Sends `request` until it succeeds, fails for good, or the policy is spent;
   * returns the parsed JSON of the 2xx reply (or what `verify` found).
   */
  async send(request: HttpRequest): Promise<unknown> {
    const policy = request.retry ?? this.#options.retry;
    const now = this.#options.now ?? (() => performance.now());
    const sleep = this.#options.sleep ?? abortableSleep;
    const started = now();
    const path = pathOf(request.url);
    // The first failure after which a write's outcome was unknown.
    let unclear: Failure | undefined;
    let body = request.body;
    for (let attempt = 1;; attempt++) {
      let failure: Failure | undefined;
      if (unclear && request.verify) {
        try {
          const check = await request.verify();
          if (check.found) {
            this.stats.verifiedWrites++;
            this.#options.logger.debug(
              `${request.method} ${path}: found stored after an unclear reply; not sent again`,
            );
            return check.value;
          }
          if (check.resend !== undefined) body = check.resend;
        } catch (error) {
          // The check is a read: whatever made it fail, asking again is safe.
          failure = this.#classify(error, request, attempt);
          if (!(failure.error instanceof AbortError)) failure = { ...failure, reason: "verify" };
        }
      }
      if (failure === undefined) {
        try {
          return await this.#exchange({ ...request, body }, path, attempt);
        } catch (error) {
          failure = this.#classify(error, request, attempt);
        }
      }
      const { error, reason, ambiguous } = failure;
      const isWrite = request.method !== "GET" && !request.idempotent;
      const safe = !isWrite || !ambiguous || request.verify !== undefined;
      const delayMs = retryDelay(attempt, policy, failure.retryAfterMs, this.#options.random);
      if (
        reason === undefined || !safe || attempt >= policy.attempts ||
        now() - started + delayMs > policy.deadlineMs
      ) {
        throw isWrite ? writeOutcomeError(request, path, unclear, failure, attempt) : error;
      }
      if (isWrite && ambiguous) unclear ??= failure;
      this.stats.retries[reason] = (this.stats.retries[reason] ?? 0) + 1;
      const event = { method: request.method, path, attempt, reason, delayMs };
      this.#options.onRetry?.(event);
      this.#options.logger.debug(
        this.#options.redactor.redact(
          `retry ${request.method} ${path}: attempt ${attempt} failed (${reason}), ` +
            `next in ${delayMs} ms`,
        ),
      );
      try {
        await sleep(delayMs, request.signal);
      } catch {
        throw new AbortError(`${request.what} was aborted while waiting to retry`, {
          method: request.method,
          path,
          attempts: attempt,
        });
      }
    }
  }

  async #exchange(request: HttpRequest, path: string, attempt: number): Promise<unknown> {
    const { method, url, what } = request;
    // One controller for both the timeout and the caller's signal: cheaper
    // on the hot path than a combined signal per request.
    const controller = new AbortController();
    const deadline = this.#deadlines.start(() => controller.abort(new TimeoutError(`timed out`)));
    const caller = request.signal;
    const onAbort = () => controller.abort(caller?.reason);
    if (caller?.aborted) onAbort();
    caller?.addEventListener("abort", onAbort, { once: true });
    const signal = controller.signal;
    this.stats.requests++;
    try {
      const response = await this.#transport.send({
        method,
        url,
        headers: request.headers,
        body: request.body,
        signal,
        maxResponseBytes: this.#options.maxResponseBytes,
        onTooLarge: (status) =>
          new ApiError(
            `${what} (${method} ${path}): the reply is larger than ` +
              `${this.#options.maxResponseBytes} bytes, the limit set by maxResponseBytes`,
            { method, path, status, attempts: attempt },
          ),
      });
      const { status, text } = response;
      if (status >= 200 && status < 300) {
        try {
          return JSON.parse(text);
        } catch {
          throw new ApiError(
            `${what} (${method} ${path}): the server answered ${status} with a body ` +
              `that is not JSON: "${this.#options.redactor.redact(text).slice(0, 200)}". ` +
              `Check that M2M_DB_DOMAIN is the DB API host`,
            { method, path, status, attempts: attempt },
          );
        }
      }
      const error = errorFromReply({
        what,
        method,
        path,
        status,
        text: this.#options.redactor.redact(text),
        attempts: attempt,
      });
      rememberRetryAfter(
        error,
        parseRetryAfter(response.headers["retry-after"] ?? null, Date.now()),
      );
      throw error;
    } finally {
      deadline.clear();
      caller?.removeEventListener("abort", onAbort);
    }
  }

  #classify(error: unknown, request: HttpRequest, attempt: number): Failure {
    return classifyFailure(error, {
      what: request.what,
      method: request.method,
      url: request.url,
      attempt,
      timeoutMs: this.#options.timeoutMs,
      aborted: request.signal?.aborted ?? false,
      redact: (text) => this.#options.redactor.redact(text),
    });
  }
}

/** The path of an absolute URL, without query or fragment. */
function pathOf(url: string): string {
  return splitUrl(url).target.replace(/\?.*$/s, "");
}

/**
 * The error a write ends with. When its outcome is unknown (an unclear
 * failure, then no successful lookup), it is the unclear failure's kind and
 * says so, naming the write, not the lookup: the caller must look the record
 * up before sending it again.
 */
function writeOutcomeError(
  request: HttpRequest,
  path: string,
  unclear: Failure | undefined,
  last: Failure,
  attempts: number,
): M2MError {
  const first = unclear ?? (last.ambiguous ? last : undefined);
  if (first === undefined) return last.error;
  // Stopped by the caller: still an AbortError, saying the write may be stored.
  if (last.error instanceof AbortError) {
    return new AbortError(
      `${last.error.message}. The ${request.method} may have been stored before the abort: ` +
        `look the record up before sending it again`,
      { method: request.method, path, attempts, cause: unclear?.error },
    );
  }
  const then = last === first
    ? ""
    : `; looking it up afterwards failed too (${last.error.message})`;
  const Kind = first.error.constructor as new (
    message: string,
    options: M2MErrorOptions & { detail?: string },
  ) => M2MError;
  return new Kind(
    `${first.error.message}${then}. The ${request.method} may have been stored before the ` +
      `failure: look the record up before sending it again`,
    {
      method: request.method,
      path,
      status: first.error.status,
      serverMessage: first.error.serverMessage,
      attempts,
      cause: last.error,
      detail: (first.error as { detail?: string }).detail,
    },
  );
}
