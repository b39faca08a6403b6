/**
 * What the sandbox does with one request: decide its fault, route it to the
 * token endpoint or the API (or Express's 404), count it, and say how long
 * to wait before replying or dropping the connection.
 *
 * @module
 */

import { handleApi } from "./api.ts";
import type { ApiResult } from "./api_routes.ts";
import type { TokenSigner } from "./auth.ts";
import { mediaType, parseExpressBody, parseForm, type RawBody } from "./body.ts";
import type { FaultInjector } from "./faults.ts";
import { errorReply, htmlErrorPage, jsonReply, notFoundPage } from "./reply.ts";
import { nodeStyleAddress } from "./save_common.ts";
import type { IncomingRequest, Outcome } from "./server.ts";
import type { LiveStats } from "./stats.ts";
import type { RecordStore } from "./store.ts";
import { issueToken, type TokenIssuer } from "./token_endpoint.ts";

/** Everything the request handler reads; `faults` may be swapped at any time. */
export interface AppState {
  /** Documents. */
  store: RecordStore;
  /** Token signing and checking. */
  signer: TokenSigner;
  /** The token endpoint's settings. */
  issuer: TokenIssuer;
  /** The current fault plan, if any. */
  faults: FaultInjector | undefined;
  /** Counters. */
  stats: LiveStats;
  /** Added to every reply (ms). */
  latencyMs: number;
  /** Clock (ms). */
  now: () => number;
}

const TOKEN_PATH = /^\/oauth\/token\/?$/i;
const API_MOUNT = /^\/api(?=\/|$)/i;

function header(request: IncomingRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

async function tokenRequest(
  request: IncomingRequest,
  state: AppState,
  expireEarly: boolean,
): Promise<ApiResult> {
  const type = mediaType(header(request, "content-type"));
  const raw: RawBody = request.body;
  if (raw === null) return { reply: jsonReply(413, { error: "request_too_large" }) };
  let body: unknown = {};
  if (type === "application/x-www-form-urlencoded") {
    body = parseForm(raw);
  } else if (type === "application/json" || raw.length > 0) {
    try {
      body = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      return {
        reply: jsonReply(400, {
          error: "invalid_request",
          error_description: "The request body is not valid JSON",
        }),
      };
    }
  }
  const validFor = expireEarly ? state.faults?.earlyExpirySeconds ?? 0 : undefined;
  const { reply, issued } = await issueToken(body, state.issuer, validFor);
  if (issued) state.stats.tokensIssued++;
  return { reply };
}

async function answer(
  request: IncomingRequest,
  state: AppState,
  path: string,
  query: string,
  expireToken: boolean,
): Promise<ApiResult> {
  if (request.method === "POST" && TOKEN_PATH.test(path)) {
    return await tokenRequest(request, state, expireToken);
  }
  const parsed = parseExpressBody(header(request, "content-type"), request.body);
  if (!parsed.ok) return { reply: htmlErrorPage(parsed.status) };
  const mount = API_MOUNT.exec(path);
  if (!mount) return { reply: notFoundPage(request.method, path) };
  return await handleApi({
    method: request.method,
    path: path.slice(mount[0].length) || "/",
    originalPath: path,
    query: new URLSearchParams(query),
    body: parsed.value,
    authorization: header(request, "authorization"),
    ip: nodeStyleAddress(request.remoteAddress),
    expireToken,
  }, { signer: state.signer, audience: state.issuer.audience, store: state.store, now: state.now });
}

/** The request handler of a sandbox. */
export function createHandler(state: AppState): (request: IncomingRequest) => Promise<Outcome> {
  return async (request) => {
    state.stats.requests++;
    const queryStart = request.url.indexOf("?");
    const path = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
    const query = queryStart < 0 ? "" : request.url.slice(queryStart + 1);
    const faults = state.faults;
    const fault = faults?.next(path);
    if (fault) state.stats.faultsInjected[fault]++;
    const delayMs = state.latencyMs + (fault === "slow" ? faults?.slowMs ?? 0 : 0);
    const retryAfter = { "retry-after": String(faults?.retryAfterSeconds ?? 1) };
    switch (fault) {
      case "drop-before":
        return { action: "drop", delayMs };
      case "500":
        return { action: "reply", reply: errorReply(500, "Error: injected fault"), delayMs };
      case "503":
        return {
          action: "reply",
          reply: jsonReply(503, { error: "Service Unavailable (injected fault)" }, retryAfter),
          delayMs,
        };
      case "429":
        return {
          action: "reply",
          reply: jsonReply(429, { error: "Too Many Requests (injected fault)" }, retryAfter),
          delayMs,
        };
    }
    const result = await answer(request, state, path, query, fault === "expire-token");
    if (fault === "drop-after") {
      result.after?.();
      return { action: "drop", delayMs };
    }
    return { action: "reply", reply: result.reply, delayMs, after: result.after };
  };
}
