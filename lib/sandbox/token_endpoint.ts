/**
 * POST `/oauth/token`: Auth0's client-credentials grant, with Auth0's reply
 * shapes (API.md §2.1): the success body's key order is what the original
 * Python client's string split relies on.
 *
 * @module
 */

import type { TokenSigner } from "./auth.ts";
import { jsonReply, type Reply } from "./reply.ts";
import type { SandboxClient } from "./types.ts";

/** What the token endpoint needs to know. */
export interface TokenIssuer {
  /** Known clients by ID. */
  clients: Map<string, SandboxClient>;
  /** The only audience served. */
  audience: string;
  /** `expires_in` in seconds. */
  lifetimeSeconds: number;
  /** Signs the tokens. */
  signer: TokenSigner;
  /** `iss` claim, e.g. `"https://127.0.0.1:40123/"`. */
  issuer: string;
  /** Clock (ms). */
  now: () => number;
}

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };
const OTHER_GRANTS = new Set([
  "authorization_code",
  "password",
  "refresh_token",
  "implicit",
  "http://auth0.com/oauth/grant-type/password-realm",
  "http://auth0.com/oauth/grant-type/passwordless/otp",
  "http://auth0.com/oauth/grant-type/mfa-otp",
  "urn:ietf:params:oauth:grant-type:device_code",
]);

function oauthError(status: number, error: string, description: string): Reply {
  return jsonReply(status, { error, error_description: description }, NO_STORE);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Answers a token request. `validForSeconds` shortens the token's real
 * validity (the expire-token fault) while `expires_in` still says the usual.
 * Returns the reply and whether a token was issued.
 */
export async function issueToken(
  body: unknown,
  issuer: TokenIssuer,
  validForSeconds?: number,
): Promise<{ reply: Reply; issued: boolean }> {
  const fields = typeof body === "object" && body !== null && !Array.isArray(body)
    ? body as Record<string, unknown>
    : {};
  const grantType = text(fields.grant_type);
  if (!grantType) {
    return {
      reply: oauthError(400, "invalid_request", "Missing required parameter: grant_type"),
      issued: false,
    };
  }
  if (grantType !== "client_credentials") {
    const reply = OTHER_GRANTS.has(grantType)
      ? oauthError(
        403,
        "unauthorized_client",
        `Grant type '${grantType}' not allowed for the client.`,
      )
      : oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
    return { reply, issued: false };
  }
  const client = issuer.clients.get(text(fields.client_id) ?? "");
  if (!client || client.clientSecret !== text(fields.client_secret)) {
    return { reply: oauthError(401, "access_denied", "Unauthorized"), issued: false };
  }
  const audience = text(fields.audience);
  if (audience === undefined || audience === "") {
    return {
      reply: oauthError(
        403,
        "access_denied",
        "No audience parameter was provided, and no default audience has been configured",
      ),
      issued: false,
    };
  }
  if (audience !== issuer.audience) {
    return {
      reply: oauthError(403, "access_denied", `Service not enabled within domain: ${audience}`),
      issued: false,
    };
  }
  const iat = Math.floor(issuer.now() / 1000);
  const scope = client.permissions.join(" ");
  const accessToken = await issuer.signer.sign({
    iss: issuer.issuer,
    sub: `${client.clientId}@clients`,
    aud: audience,
    iat,
    exp: iat + (validForSeconds ?? issuer.lifetimeSeconds),
    azp: client.clientId,
    scope,
    gty: "client-credentials",
    permissions: [...client.permissions],
  });
  const reply = jsonReply(200, {
    access_token: accessToken,
    scope,
    expires_in: issuer.lifetimeSeconds,
    token_type: "Bearer",
  }, NO_STORE);
  return { reply, issued: true };
}
