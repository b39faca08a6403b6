/**
 * The retry policy: how often, how long to wait, and when to give up.
 * Exponential backoff with full jitter, bounded by a maximum delay and a
 * total deadline; a server's `Retry-After` wins over the computed delay.
 *
 * @module
 */

/** How a connection retries a request that failed for a transient reason. */
export interface RetryPolicy {
  /** Most times a request is sent, first try included (1 = never retry). Default 5. */
  attempts: number;
  /** Backoff base: the delay before retry n is random in [0, base * 2^(n-1)]. Default 500 ms. */
  baseDelayMs: number;
  /** Upper bound of one delay, including one asked for by `Retry-After`. Default 30 s. */
  maxDelayMs: number;
  /** Give up once this much time has passed since the first try. Default 120 s. */
  deadlineMs: number;
}

/** The defaults: 5 attempts, 0.5 s base, 30 s cap, 2 min overall. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  deadlineMs: 120_000,
});

/**
 * The delay before the retry that follows failed attempt `attempt` (1-based):
 * `Retry-After` if the server gave one, else full jitter, capped at
 * `maxDelayMs`.
 *
 * @example
 * ```ts
 * import { DEFAULT_RETRY_POLICY, retryDelay } from "./retry.ts";
 * const delay = retryDelay(2, DEFAULT_RETRY_POLICY, undefined, () => 0.5);
 * console.assert(delay === 500);
 * ```
 */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date) into
 * milliseconds from `nowMs`; `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from "./retry.ts";
 * console.assert(parseRetryAfter("3", 0) === 3000);
 * console.assert(parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000) === 6000);
 * ```
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * Fills a partial policy with the defaults and checks every number, so a
 * typo (`attempts: 0`, a negative delay) fails at connect time.
 *
 * @example
 * ```ts
 * import { resolveRetryPolicy } from "./retry.ts";
 * console.assert(resolveRetryPolicy({ attempts: 2 }).baseDelayMs === 500);
 * ```
 */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  for (const [name, value] of Object.entries(policy)) {
    const minimum = name === "attempts" ? 1 : 0;
    if (typeof value !== "number" || !Number.isFinite(value) || value < minimum) {
      throw new RangeError(`retry.${name} is ${value}: expected a number >= ${minimum}`);
    }
  }
  return policy;
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts; the
 * timer is cleared either way, so no wait outlives its caller.
 *
 * @example
 * ```ts
 * import { abortableSleep } from "./retry.ts";
 * await abortableSleep(1);
 * ```
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
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
