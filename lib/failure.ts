/**
 * Why an attempt failed, and what that allows: retry or not, and whether
 * the request may have taken effect on the server (an ambiguous failure,
 * after which a write must be looked up before it is sent again).
 *
 * @module
 */

import { AbortError, M2MError, NetworkError, TimeoutError, TransportError } from "./errors.ts";

/** Why an attempt is retried. `verify`: the lookup after an unclear write failed. */
export type RetryReason =
  | "connect"
  | "network"
  | "timeout"
  | "429"
  | "502"
  | "503"
  | "504"
  | "verify";

/** A failed attempt, classified. */
export interface Failure {
  /** The error to throw if the attempt is not retried. */
  error: M2MError;
  /** Why it may be retried; undefined when it must not be. */
  reason?: RetryReason;
  /** True when the request may have reached the server and taken effect. */
  ambiguous: boolean;
  /** The server's `Retry-After`, in ms. */
  retryAfterMs?: number;
}

/** The attempt a failure belongs to. */
export interface AttemptContext {
  /** What the caller asked, for messages. */
  what: string;
  method: string;
  url: string;
  /** 1-based. */
  attempt: number;
  timeoutMs: number;
  /** True when the caller's own signal fired. */
  aborted: boolean;
  /** Removes secrets from text taken from the network layer. */
  redact: (text: string) => string;
}

// The server's Retry-After, kept beside the error rather than on it.
const retryAfter = new WeakMap<M2MError, number>();

/** Remembers the `Retry-After` a reply carried, for {@linkcode classifyFailure}. */
export function rememberRetryAfter(error: M2MError, retryAfterMs: number | undefined): void {
  if (retryAfterMs !== undefined) retryAfter.set(error, retryAfterMs);
}

/**
 * Whether a write that failed with `error` may still have been stored: a
 * network failure or a gateway status. The same rule {@linkcode classifyFailure}
 * applies to each attempt, for callers that see only the final error.
 *
 * @example
 * ```ts
 * import { mayHaveTakenEffect } from "./failure.ts";
 * import { ApiError } from "./errors.ts";
 * console.assert(mayHaveTakenEffect(new ApiError("bad gateway", { status: 502 })));
 * console.assert(!mayHaveTakenEffect(new ApiError("bad input", { status: 500 })));
 * ```
 */
export function mayHaveTakenEffect(error: unknown): boolean {
  return error instanceof NetworkError ||
    (error instanceof M2MError && GATEWAY_STATUSES.includes(error.status ?? 0));
}

const GATEWAY_STATUSES = [502, 503, 504];

const RETRY_STATUSES: Record<number, RetryReason> = {
  429: "429",
  502: "502",
  503: "503",
  504: "504",
};

/**
 * Classifies what an attempt threw: a typed error from the reply, our
 * timeout, the caller's abort, a {@linkcode TransportError}, or whatever a
 * test's stand-in `fetch` rejected with.
 *
 * @example
 * ```ts
 * import { classifyFailure } from "./failure.ts";
 * const failure = classifyFailure(new TypeError("fetch failed", {
 *   cause: new Error("client error (Connect): tcp connect error: Connection refused"),
 * }), {
 *   what: "get x", method: "POST", url: "http://127.0.0.1:1/api/action", attempt: 1,
 *   timeoutMs: 1000, aborted: false, redact: (text) => text,
 * });
 * console.assert(failure.reason === "connect" && !failure.ambiguous);
 * ```
 */
export function classifyFailure(error: unknown, attempt: AttemptContext): Failure {
  const { what, method } = attempt;
  const { host, pathname: path } = new URL(attempt.url);
  const context = { method, path, attempts: attempt.attempt };
  const tries = attempt.attempt > 1 ? ` after ${attempt.attempt} attempts` : "";
  // Stopped before any connection existed: the request cannot have arrived.
  const unsent = error instanceof TransportError && !error.sent;
  if (attempt.aborted) {
    return {
      error: new AbortError(`${what} was aborted by the caller`, context),
      ambiguous: !unsent,
    };
  }
  if (unsent && error.cause instanceof TimeoutError) {
    return {
      error: new TimeoutError(
        `${what} (${method} ${path}): ${error.message} within ${attempt.timeoutMs} ms${tries}: ` +
          `the network, the host or the proxy is slow or down; try again later or raise timeoutMs`,
        { ...context, detail: error.message },
      ),
      reason: "timeout",
      ambiguous: false,
    };
  }
  if (error instanceof TimeoutError) {
    return {
      error: new TimeoutError(
        `${what} (${method} ${path}) got no complete reply within ${attempt.timeoutMs} ms` +
          `${tries}: the server or the network is slow or down; try again later or raise ` +
          `timeoutMs`,
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
  // A missing --allow-net is not a network failure: retrying cannot help. The host
  // refused may be a proxy's, which Deno's message names.
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    const refused = /net access to "([^"]+)"/.exec(error.message)?.[1] ?? host;
    return {
      error: new NetworkError(
        `${what}: this script has no permission to reach ${refused}: run it with ` +
          `--allow-net=${refused} (or a --allow-net list that includes it)`,
        {
          ...context,
          cause: error,
          detail: `no permission to reach ${refused}: run with --allow-net=${refused}`,
        },
      ),
      ambiguous: false,
    };
  }
  const transport = error instanceof TransportError ? error : undefined;
  const raw = attempt.redact(
    transport ? transport.message : String(
      (error as Error)?.cause instanceof Error ? (error as Error).cause : error,
    ),
  );
  // fetch says "error sending request ... for URL: client error (Kind): what"; keep "what".
  const detail = /client error \([^)]*\): (.*)$/s.exec(raw)?.[1] ?? raw.replace(/^Error: /, "");
  if (transport ? transport.tls : /certificate|tls|handshake|ssl/i.test(raw)) {
    return {
      error: new NetworkError(
        `${what}: could not make a trusted TLS connection to ${host}: ${detail}. Check the ` +
          `host name; a server with a private CA needs its certificate in caCerts, or for ` +
          `the scripts DENO_CERT=ca.pem (certificate checks are never switched off)`,
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
  const neverLeft = transport
    ? !transport.sent
    : /client error \(Connect\)|dns error|connection refused/i.test(raw);
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
