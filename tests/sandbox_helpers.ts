/**
 * Small helpers for the sandbox tests: a token, and one request with its
 * body always read (so no response body is left open).
 *
 * @module
 */

import type { Sandbox } from "../sandbox.ts";

/** A reply with its body read. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Options of {@linkcode call}. */
export interface CallOptions {
  /** Bearer token; omitted = no Authorization header. */
  token?: string;
  /** JSON-serialised body (sent with content-type application/json). */
  body?: unknown;
  /** A raw body (content type given by `headers`). */
  rawBody?: string | Uint8Array<ArrayBuffer>;
  /** Extra or replacing headers. */
  headers?: Record<string, string>;
  /** An HTTP client (e.g. with a CA certificate, or a fresh pool). */
  client?: Deno.HttpClient;
}

/** Sends one request to the sandbox and reads the whole reply. */
export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  Object.assign(headers, options.headers);
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    body: options.rawBody ??
      (options.body === undefined ? undefined : JSON.stringify(options.body)),
    client: options.client,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The token request body for a client. */
export function tokenBody(
  sandbox: Sandbox,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    client_id: sandbox.clientId,
    client_secret: sandbox.clientSecret,
    audience: sandbox.audience,
    grant_type: "client_credentials",
    ...overrides,
  };
}

/** A valid access token of the default client (or the given credentials). */
export async function getToken(
  sandbox: Sandbox,
  overrides: Record<string, string> = {},
  client?: Deno.HttpClient,
): Promise<string> {
  const answer = await call(sandbox, "POST", "/oauth/token", {
    body: tokenBody(sandbox, overrides),
    client,
  });
  if (answer.status !== 200) {
    throw new Error(`token request failed: ${answer.status} ${answer.text}`);
  }
  return (answer.json as { access_token: string }).access_token;
}

/** A new component of type basic_component; returns its UUID. */
export async function createComponent(
  sandbox: Sandbox,
  token: string,
  data: Record<string, unknown> = { name: "test" },
): Promise<string> {
  const uuid = (await call(sandbox, "GET", "/api/newComponentUUID", { token })).json as string;
  const answer = await call(sandbox, "POST", "/api/component", {
    token,
    body: { componentUuid: uuid, formId: "basic_component", data },
  });
  if (answer.status !== 200) throw new Error(`create failed: ${answer.text}`);
  return answer.json as string;
}
