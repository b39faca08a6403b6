/**
 * The one place that calls `fetch`. Each exchange has a timeout that covers
 * reading the body, each body is read (size-capped) or cancelled, replies
 * become values or typed errors, and transient failures are retried under a
 * {@linkcode RetryPolicy} without ever sending a write twice blindly.
 *
 * @module
 */

import { AbortError, ApiError, M2MError, NetworkError, TimeoutError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import type { Redactor } from "./redact.ts";
import { errorFromReply } from "./reply.ts";
import { parseRetryAfter, retryDelay, type RetryPolicy } from "./retry.ts";

/** Outcome of asking the server whether an ambiguous write took effect. */
export type VerifyResult = { found: true; value: unknown } | { found: false };

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
  /** Retry policy for this request; defaults to the client's. */
  retry?: RetryPolicy;
  signal?: AbortSignal;
}

/** Why an attempt is retried; counted in {@linkcode HttpStats}. */
export type RetryReason =
  | "connect"
  | "network"
  | "timeout"
  | "429"
  | "502"
  | "503"
  | "504"
  | "verify";

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
  fetch?: typeof fetch;
  /** Extra CA certificates (PEM) to trust, e.g. a test sandbox's self-signed one. */
  caCerts?: string[];
  /** Monotonic milliseconds, for the retry deadline. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

interface Failure {
  error: M2MError;
  reason?: RetryReason;
  /** True when the request may have reached the server and taken effect. */
  ambiguous: boolean;
  retryAfterMs?: number;
}

// The server's Retry-After, kept beside the error rather than on it.
const retryAfter = new WeakMap<M2MError, number>();

const RETRY_STATUSES: Record<number, RetryReason> = {
  429: "429",
  502: "502",
  503: "503",
  504: "504",
};

/** A clearTimeout-based sleep: no timer outlives an abort. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Sends requests; create one per connection and `close()` it with the connection. */
export class HttpClient {
  /** Counters of requests, retries and verified writes. */
  readonly stats: HttpStats = { requests: 0, retries: {}, verifiedWrites: 0 };
  #options: HttpClientOptions;
  #fetch: typeof fetch;
  #readClient?: Deno.HttpClient;
  #writeClient?: Deno.HttpClient;

  /** Creates the client; `close()` releases the connections it opens. */
  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    if (options.caCerts?.length && !options.fetch) {
      this.#readClient = Deno.createHttpClient({ caCerts: options.caCerts });
    }
  }

  /** Releases the connections this client opened. */
  close(): void {
    this.#readClient?.close();
    this.#writeClient?.close();
    this.#readClient = this.#writeClient = undefined;
  }

  // Deno's fetch silently sends a request again when a reused keep-alive
  // connection closes before the reply, even if the server had already
  // stored it (seen with the sandbox's drop-after fault). So a write never
  // travels on a reused connection, and every retry stays our decision.
  #clientFor(method: string): Deno.HttpClient | undefined {
    if (method === "GET" || this.#options.fetch) return this.#readClient;
    this.#writeClient ??= Deno.createHttpClient({
      poolMaxIdlePerHost: 0,
      ...(this.#options.caCerts?.length ? { caCerts: this.#options.caCerts } : {}),
    });
    return this.#writeClient;
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
    const path = new URL(request.url).pathname;
    let mustVerify = false;
    for (let attempt = 1;; attempt++) {
      let failure: Failure | undefined;
      if (mustVerify && request.verify) {
        try {
          const check = await request.verify();
          if (check.found) {
            this.stats.verifiedWrites++;
            this.#options.logger.debug(
              `${request.method} ${path}: found stored after an unclear reply; not sent again`,
            );
            return check.value;
          }
        } catch (error) {
          // The check is a read: whatever made it fail, asking again is safe.
          failure = this.#classify(error, request, attempt);
          if (!(failure.error instanceof AbortError)) failure = { ...failure, reason: "verify" };
        }
      }
      if (failure === undefined) {
        try {
          return await this.#exchange(request, attempt);
        } catch (error) {
          failure = this.#classify(error, request, attempt);
        }
      }
      const { error, reason, ambiguous } = failure;
      const isWrite = request.method !== "GET";
      const safe = !isWrite || !ambiguous || request.verify !== undefined;
      const delayMs = retryDelay(attempt, policy, failure.retryAfterMs, this.#options.random);
      if (
        reason === undefined || !safe || attempt >= policy.attempts ||
        now() - started + delayMs > policy.deadlineMs
      ) {
        if (isWrite && (mustVerify || ambiguous)) {
          error.message += `. The ${request.method} may have been stored before the failure: ` +
            `look the record up before sending it again`;
        }
        throw error;
      }
      mustVerify ||= isWrite && ambiguous;
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

  async #exchange(request: HttpRequest, attempt: number): Promise<unknown> {
    const { method, url, what } = request;
    const path = new URL(url).pathname;
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new TimeoutError(`timed out`)),
      this.#options.timeoutMs,
    );
    const signal = request.signal
      ? AbortSignal.any([request.signal, timeout.signal])
      : timeout.signal;
    this.stats.requests++;
    try {
      const response = await this.#fetch(url, {
        method,
        headers: request.headers,
        body: request.body,
        signal,
        client: this.#clientFor(method),
      } as RequestInit);
      const text = await this.#readText(response, request, attempt);
      if (response.ok) {
        try {
          return JSON.parse(text);
        } catch {
          throw new ApiError(
            `${what} (${method} ${path}): the server answered ${response.status} with a body ` +
              `that is not JSON: "${this.#options.redactor.redact(text.slice(0, 200))}". ` +
              `Check that M2M_DB_DOMAIN is the DB API host`,
            { method, path, status: response.status, attempts: attempt },
          );
        }
      }
      const error = errorFromReply({
        what,
        method,
        path,
        status: response.status,
        text: this.#options.redactor.redact(text),
        attempts: attempt,
      });
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
      if (retryAfterMs !== undefined) retryAfter.set(error, retryAfterMs);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async #readText(response: Response, request: HttpRequest, attempt: number): Promise<string> {
    const limit = this.#options.maxResponseBytes;
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (!response.body) return "";
    const tooLarge = () => {
      const path = new URL(request.url).pathname;
      return new ApiError(
        `${request.what} (${request.method} ${path}): the reply is larger than ` +
          `${limit} bytes, the limit set by maxResponseBytes`,
        { method: request.method, path, status: response.status, attempts: attempt },
      );
    };
    if (declared > limit) {
      await response.body.cancel();
      throw tooLarge();
    }
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return new TextDecoder().decode(bytes);
  }

  #classify(error: unknown, request: HttpRequest, attempt: number): Failure {
    const { method, what } = request;
    const path = new URL(request.url).pathname;
    const context = { method, path, attempts: attempt };
    if (request.signal?.aborted) {
      return {
        error: new AbortError(`${what} was aborted by the caller`, context),
        ambiguous: true,
      };
    }
    if (error instanceof TimeoutError) {
      return {
        error: new TimeoutError(
          `${what} (${method} ${path}) got no complete reply within ${this.#options.timeoutMs} ms` +
            `${
              attempt > 1 ? ` (${attempt} attempts)` : ""
            }: the server or the network is slow or ` +
            `down; try again later or raise timeoutMs`,
          context,
        ),
        reason: "timeout",
        ambiguous: true,
      };
    }
    if (error instanceof M2MError) {
      const reason = error.status === undefined ? undefined : RETRY_STATUSES[error.status];
      // Only a gateway failure may hide a save that happened behind it: the
      // server's own errors (4xx, 500) answer requests it did not store.
      const ambiguous = reason !== undefined && reason !== "429";
      return { error, reason, ambiguous, retryAfterMs: retryAfter.get(error) };
    }
    const raw = this.#options.redactor.redact(
      String((error as Error)?.cause instanceof Error ? (error as Error).cause : error),
    );
    // Deno says "error sending request ... for URL: client error (Kind): what"; keep "what".
    const detail = /client error \([^)]*\): (.*)$/s.exec(raw)?.[1] ?? raw.replace(/^Error: /, "");
    const host = new URL(request.url).host;
    const tries = attempt > 1 ? ` after ${attempt} attempts` : "";
    if (/certificate|tls|handshake|ssl/i.test(raw)) {
      return {
        error: new NetworkError(
          `${what}: could not make a trusted TLS connection to ${host}: ${detail}. Check the ` +
            `host name (certificate checks are never switched off)`,
          { ...context, cause: error, detail },
        ),
        ambiguous: false,
      };
    }
    if (/Requests to port \d+ are blocked/.test(raw)) {
      return {
        error: new NetworkError(`${what}: ${detail}`, { ...context, detail }),
        ambiguous: false,
      };
    }
    // Connect-phase failures (refused, DNS) mean the request never left.
    const neverLeft = /client error \(Connect\)|dns error|connection refused/i.test(raw);
    return {
      error: new NetworkError(
        `${what} (${method} ${path}): cannot reach ${host}${tries}: ${detail}. Check the ` +
          `network and the host name`,
        { ...context, cause: error, detail },
      ),
      reason: neverLeft ? "connect" : "network",
      ambiguous: !neverLeft,
    };
  }
}
