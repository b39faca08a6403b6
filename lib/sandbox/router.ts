/**
 * Route matching as Express 4 does it (path-to-regexp 0.1.7, API.md §1):
 * case-insensitive, an optional trailing slash, parameters matched on the
 * raw path and percent-decoded afterwards.
 *
 * @module
 */

/** A route: method, compiled pattern and what handles it. */
export interface Route<Handler> {
  /** `"GET"` or `"POST"` (GET routes also answer HEAD, as in Express). */
  method: string;
  /** Anchored, case-insensitive pattern of the path below the mount point. */
  pattern: RegExp;
  /** The handler. */
  handler: Handler;
}

/** A matched route with its decoded parameters (undefined for an absent optional one). */
export interface RouteMatch<Handler> {
  /** The handler of the matched route. */
  handler: Handler;
  /** Decoded parameters in pattern order. */
  params: (string | undefined)[];
}

/** Raised when a parameter is not valid percent-encoding: Express answers 400. */
export class ParamDecodeError extends Error {}

/** Compiles an Express-style path whose parameters are written as regex groups. */
export function route<Handler>(method: string, path: string, handler: Handler): Route<Handler> {
  return { method, pattern: new RegExp(`^${path}\\/?$`, "i"), handler };
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ParamDecodeError(`Failed to decode param '${raw}'`);
  }
}

/**
 * The first route matching `method` and `path`, with decoded parameters, or
 * undefined; throws {@linkcode ParamDecodeError} for a bad percent-escape.
 */
export function matchRoute<Handler>(
  routes: readonly Route<Handler>[],
  method: string,
  path: string,
): RouteMatch<Handler> | undefined {
  const wanted = method === "HEAD" ? "GET" : method;
  for (const candidate of routes) {
    if (candidate.method !== wanted) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params = match.slice(1).map((raw) => raw === undefined ? undefined : decodeParam(raw));
    return { handler: candidate.handler, params };
  }
  return undefined;
}
