/**
 * Where a connection's diagnostics go.
 *
 * @module
 */

/** Where a connection's diagnostics go; both methods get redacted text. */
export interface Logger {
  /** Detail for troubleshooting: each retry, each token fetch. */
  debug(message: string): void;
  /** Something the user should know but that did not fail the call (e.g. a truncated list). */
  warn(message: string): void;
}

/**
 * A logger writing warnings to stderr and, when `debug` is true, debug lines too.
 *
 * @example
 * ```ts
 * import { consoleLogger } from "./logger.ts";
 * consoleLogger(false).debug("not shown");
 * ```
 */
export function consoleLogger(debug: boolean): Logger {
  return {
    debug: debug ? (message) => console.error(`[m2m] ${message}`) : () => {},
    warn: (message) => console.error(`[m2m] warning: ${message}`),
  };
}
