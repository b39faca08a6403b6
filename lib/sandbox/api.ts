/**
 * One `/api` request, in the live server's middleware order: token (which
 * the sandbox, unlike the server, verifies), route, permission, handler.
 *
 * @module
 */

import { API_ROUTES, type ApiResult } from "./api_routes.ts";
import type { TokenSigner } from "./auth.ts";
import { errorReply, htmlErrorPage, notFoundPage, unauthorizedReply } from "./reply.ts";
import { matchRoute, ParamDecodeError } from "./router.ts";
import type { SaveContext } from "./save_common.ts";
import { ServerError } from "./server_error.ts";

/** An `/api` request after its body was parsed. */
export interface ApiCall {
  /** HTTP method. */
  method: string;
  /** The path below the `/api` mount point, still percent-encoded. */
  path: string;
  /** The full original path, for the 404 page. */
  originalPath: string;
  /** Query parameters. */
  query: URLSearchParams;
  /** Parsed body. */
  body: unknown;
  /** The `Authorization` header. */
  authorization: string | undefined;
  /** The client's address, Node-style. */
  ip: string;
  /** The expire-token fault hit this request: refuse the token as expired. */
  expireToken: boolean;
}

/** What the API needs from the sandbox. */
export interface ApiDependencies {
  /** Verifies tokens. */
  signer: TokenSigner;
  /** Required `aud`. */
  audience: string;
  /** Store and clock for the handlers. */
  store: SaveContext["store"];
  /** Clock (ms). */
  now: () => number;
}

const EXPIRED = "the access token has expired: request a new one";

/** Answers an `/api` request. */
export async function handleApi(call: ApiCall, deps: ApiDependencies): Promise<ApiResult> {
  const header = call.authorization;
  if (header === undefined) {
    return {
      reply: unauthorizedReply(
        "missing 'authorization' header: send 'Authorization: Bearer <access token>'",
      ),
    };
  }
  if (!header.startsWith("Bearer ")) {
    return {
      reply: unauthorizedReply(
        "The access token in the 'authorization' header is not of 'Bearer' type!",
      ),
    };
  }
  // The server takes the second space-separated piece as the token.
  const token = header.split(" ")[1] ?? "";
  const verification = await deps.signer.verify(
    token,
    deps.audience,
    Math.floor(deps.now() / 1000),
  );
  if (!verification.ok) return { reply: unauthorizedReply(verification.reason) };
  if (call.expireToken) return { reply: unauthorizedReply(EXPIRED) };
  const claims = verification.claims;

  let match;
  try {
    match = matchRoute(API_ROUTES, call.method, call.path);
  } catch (error) {
    if (error instanceof ParamDecodeError) return { reply: htmlErrorPage(400) };
    throw error;
  }
  if (!match) return { reply: notFoundPage(call.method, call.originalPath) };

  const permission = match.handler.permission;
  if (permission !== undefined) {
    const held = claims.permissions;
    // Reading the permissions of a token without them throws outside the route: Express's 500 page.
    if (!Array.isArray(held)) return { reply: htmlErrorPage(500) };
    if (!held.includes(permission)) {
      return {
        reply: errorReply(
          403,
          `Incorrect permissions - you need ${permission}, but have ${held.join(", ")}`,
        ),
      };
    }
  }

  const context: SaveContext = {
    store: deps.store,
    now: deps.now,
    ip: call.ip,
    userId: typeof claims.azp === "string" ? claims.azp : "",
  };
  try {
    const result = match.handler.run({
      params: match.params,
      query: call.query,
      body: call.body,
      context,
    });
    return "reply" in result ? result : { reply: result };
  } catch (error) {
    if (error instanceof ServerError) return { reply: errorReply(500, error.text) };
    // A sandbox bug: still answer like a route's catch block would, and say what broke.
    return { reply: errorReply(500, String(error)) };
  }
}
