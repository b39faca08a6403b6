/**
 * Turns a reply that is not a success into the right typed error, with the
 * server's own words in it. The server speaks three dialects of failure
 * (API.md §1, §8): `{"error": "..."}` JSON, Express's HTML pages, and Auth0's
 * `{"error", "error_description"}`.
 *
 * @module
 */

import {
  ApiError,
  AuthError,
  type M2MError,
  type M2MErrorOptions,
  NotFoundError,
  PermissionError,
} from "./errors.ts";

/** What a failed exchange was, for the message. */
export interface FailedExchange {
  /** What the caller asked, e.g. `get component 5f9e…`. */
  what: string;
  method: string;
  path: string;
  status: number;
  /** The reply body as text (already capped in size). */
  text: string;
  attempts: number;
}

const EXCERPT_LENGTH = 300;

/**
 * The server's message from a reply body: the `error` (and Auth0's
 * `error_description`) of a JSON body, or the visible text of an HTML page,
 * shortened to an excerpt.
 *
 * @example
 * ```ts
 * import { serverMessageOf } from "./reply.ts";
 * console.assert(serverMessageOf('{"error":"Error: Invalid UUID."}') === "Error: Invalid UUID.");
 * console.assert(serverMessageOf("<pre>Cannot GET /api/x</pre>") === "Cannot GET /api/x");
 * ```
 */
export function serverMessageOf(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === "object" && "error" in body) {
      const { error, error_description: description } = body as Record<string, unknown>;
      const parts = [error, description].filter((part) => typeof part === "string" && part);
      if (parts.length > 0) return excerpt(parts.join(": "));
    }
  } catch {
    // Not JSON: an HTML page or plain text; show what a browser would.
  }
  return excerpt(
    text.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ").replace(/<[^>]+>/g, " ")
      .replace(/&nbsp;/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&"),
  );
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}...` : flat;
}

/**
 * The typed error for a non-2xx reply from the DB API: 401 → AuthError,
 * 403 → PermissionError, 404 JSON → NotFoundError, anything else → ApiError.
 *
 * @example
 * ```ts
 * import { errorFromReply } from "./reply.ts";
 * const error = errorFromReply({
 *   what: "perform action", method: "POST", path: "/api/action", status: 403, attempts: 1,
 *   text: '{"error":"Incorrect permissions - you need actions:perform, but have actions:view"}',
 * });
 * console.assert(error.name === "PermissionError");
 * ```
 */
export function errorFromReply(exchange: FailedExchange): M2MError {
  const { what, method, path, status, attempts } = exchange;
  const serverMessage = serverMessageOf(exchange.text);
  const options: M2MErrorOptions = { method, path, status, serverMessage, attempts };
  const asked = `${what} (${method} ${path})`;
  const said = serverMessage ? `: "${serverMessage}"` : "";
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
  if (status === 401) {
    return new AuthError(
      `${asked} was refused: the API did not accept the access token (401)${said}. ` +
        `Check that M2M_AUDIENCE and M2M_AUTH0_DOMAIN belong to this M2M_DB_DOMAIN`,
      options,
    );
  }
  if (status === 403) {
    const permission = /you need (\S+?),? but have/.exec(serverMessage)?.[1];
    return new PermissionError(
      `${asked} needs ${
        permission ? `the permission "${permission}"` : "a permission"
      } that this M2M client does not have (403)${said}. Ask the DB team to grant it`,
      { ...options, permission },
    );
  }
  const isJson = serverMessage !== "" && exchange.text.trimStart().startsWith("{");
  if (status === 404 && isJson) {
    return new NotFoundError(`${asked} found nothing (404)${said}`, options);
  }
  if (status === 404) {
    return new ApiError(
      `${asked}: the server has no such route (404)${said}. Check that M2M_DB_DOMAIN is the ` +
        `DB API host and that the IDs in the request are well formed`,
      options,
    );
  }
  if (status === 500 && isJson) {
    const hint = /does not match a known .* type form/.test(serverMessage)
      ? ". Check the type form ID (ListTypeForms, or deno task get_records --list-forms " +
        "componentForms|actionForms, lists the known ones)"
      : ". The server refused the request as sent: check the input it names";
    return new ApiError(`${asked} failed: the server answered 500${said}${hint}`, options);
  }
  if (status >= 500) {
    return new ApiError(
      `${asked} failed: the server answered ${status}${tries}${said}. This is a server-side ` +
        `failure; try again later, and report it to the DB team if it persists`,
      options,
    );
  }
  return new ApiError(`${asked} failed with HTTP ${status}${tries}${said}`, options);
}
