/**
 * The access token: OAuth2 client credentials, kept in memory and renewed
 * shortly before it expires, one request at a time however many callers ask.
 * Optionally shared across script runs through a small cache file.
 *
 * @module
 */

import { AuthError, M2MError, NetworkError } from "./errors.ts";
import type { HttpClient } from "./http.ts";
import type { Logger } from "./logger.ts";
import type { Redactor } from "./redact.ts";
import { cacheUsable, readCachedToken, writeCachedToken } from "./token_cache.ts";

/** A token as the API wants it, with its local expiry. */
export interface AccessToken {
  /** `"Bearer"`. */
  tokenType: string;
  accessToken: string;
  /** Monotonic time (ms) after which the token must not be used. */
  expiresAt: number;
}

/** What a {@linkcode TokenSource} needs. */
export interface TokenSourceOptions {
  http: HttpClient;
  redactor: Redactor;
  logger: Logger;
  clientId: string;
  clientSecret: string;
  audience: string;
  authBaseUrl: string;
  /** A cache file shared across runs; off when undefined. */
  cachePath?: string;
  /** Monotonic clock (ms); expiry never depends on the wall clock or the JWT's `exp`. */
  now: () => number;
  /** Wall clock (ms), only to carry expiry across processes through the cache file. */
  wallNow: () => number;
}

// Renew this long before expiry: a minute, or a tenth of a short lifetime.
function marginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 10);
}

/** Hands out a valid token, fetching a new one only when needed. */
export class TokenSource {
  #options: TokenSourceOptions;
  #token?: AccessToken;
  #pending?: Promise<AccessToken>;
  #cacheChecked = false;
  #cacheOn = false;
  #cacheRead = false;
  /** How many tokens this source has requested from the token endpoint. */
  requested = 0;

  /** Creates the source; nothing is fetched until {@linkcode TokenSource.get}. */
  constructor(options: TokenSourceOptions) {
    this.#options = options;
    options.redactor.add(options.clientSecret);
  }

  /** A token valid for at least the safety margin; concurrent callers share one request. */
  get(signal?: AbortSignal): Promise<AccessToken> {
    if (this.#token && this.#options.now() < this.#token.expiresAt) {
      return Promise.resolve(this.#token);
    }
    this.#pending ??= this.#obtain(signal).finally(() => this.#pending = undefined);
    return this.#pending;
  }

  /** Forgets `token` after the API refused it, unless a newer one replaced it already. */
  invalidate(token: AccessToken): void {
    if (this.#token === token) this.#token = undefined;
    // A refused token may be the cached one: don't read it back.
    this.#cacheRead = true;
  }

  async #obtain(signal?: AbortSignal): Promise<AccessToken> {
    const { cachePath, now, wallNow } = this.#options;
    if (cachePath && !this.#cacheChecked) {
      this.#cacheChecked = true;
      this.#cacheOn = cacheUsable(cachePath, this.#options.logger);
    }
    if (cachePath && this.#cacheOn && !this.#cacheRead) {
      this.#cacheRead = true;
      const cached = await readCachedToken(cachePath, this.#cacheKey(), this.#options.logger);
      if (cached && cached.expiresAtWallMs - wallNow() > 0) {
        this.#options.redactor.add(cached.accessToken);
        this.#options.logger.debug(`using the cached token from ${cachePath}`);
        const remaining = cached.expiresAtWallMs - wallNow();
        return this.#token = {
          tokenType: cached.tokenType,
          accessToken: cached.accessToken,
          expiresAt: now() + remaining,
        };
      }
    }
    const token = await this.#request(signal);
    if (cachePath && this.#cacheOn) {
      await writeCachedToken(cachePath, this.#cacheKey(), {
        tokenType: token.tokenType,
        accessToken: token.accessToken,
        expiresAtWallMs: wallNow() + (token.expiresAt - now()),
      }, this.#options.logger);
    }
    return this.#token = token;
  }

  #cacheKey(): string {
    const { authBaseUrl, clientId, audience } = this.#options;
    return `${authBaseUrl}|${clientId}|${audience}`;
  }

  async #request(signal?: AbortSignal): Promise<AccessToken> {
    const { http, clientId, clientSecret, audience, authBaseUrl, now } = this.#options;
    const url = `${authBaseUrl}/oauth/token`;
    const receivedAfter = now();
    let reply: unknown;
    this.requested++;
    try {
      reply = await http.send({
        method: "POST",
        url,
        what: `get an access token for client ${JSON.stringify(clientId)}`,
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          client_id: clientId,
          client_secret: clientSecret,
          audience,
          grant_type: "client_credentials",
        }),
        // A token request creates nothing that a second one would duplicate.
        idempotent: true,
        signal,
      });
    } catch (error) {
      throw this.#authError(error);
    }
    const token = parseTokenReply(reply, url);
    this.#options.redactor.add(token.accessToken);
    const lifetimeMs = token.expiresInSeconds * 1000;
    this.#options.logger.debug(`got a new access token valid for ${token.expiresInSeconds} s`);
    return {
      tokenType: token.tokenType,
      accessToken: token.accessToken,
      expiresAt: receivedAfter + lifetimeMs - marginMs(lifetimeMs),
    };
  }

  #authError(error: unknown): AuthError {
    const cause = error instanceof M2MError ? error : undefined;
    const status = cause?.status;
    const server = cause?.serverMessage ? `: "${cause.serverMessage}"` : "";
    const url = `${this.#options.authBaseUrl}/oauth/token`;
    let advice = "check M2M_AUTH0_DOMAIN and the network, then try again";
    if (status === 401) advice = "check M2M_CLIENT_ID and M2M_CLIENT_SECRET";
    if (status === 403) {
      advice = /not enabled|audience/i.test(server)
        ? "check M2M_AUDIENCE (the API this client may call)"
        : "check M2M_CLIENT_ID, M2M_CLIENT_SECRET and M2M_AUDIENCE";
    }
    const tries = (cause?.attempts ?? 1) > 1 ? ` after ${cause?.attempts} attempts` : "";
    const detail = error instanceof NetworkError
      ? error.detail ?? error.message
      : error instanceof Error
      ? error.message
      : String(error);
    const untrusted = error instanceof NetworkError && /trusted TLS connection/.test(error.message);
    if (untrusted) {
      advice = "check M2M_AUTH0_DOMAIN; a server with a private CA needs caCerts (for the " +
        "scripts: DENO_CERT=ca.pem)";
    }
    if (/the proxy /.test(detail)) advice = "check M2M_PROXY and the network";
    const what = untrusted
      ? `could not be reached over a trusted TLS connection (${detail})`
      : status === undefined
      ? `could not be reached${tries} (${detail})`
      : status < 300
      ? `answered with something that is not a token (${detail})`
      : `refused the request (${status})${server}`;
    return new AuthError(`the token service at ${url} ${what}: ${advice}`, {
      method: "POST",
      path: "/oauth/token",
      status,
      serverMessage: cause?.serverMessage,
      attempts: cause?.attempts,
      cause: error,
    });
  }
}

interface TokenReply {
  accessToken: string;
  tokenType: string;
  expiresInSeconds: number;
}

// Strict about what comes back: a wrong shape is an error, never a guess.
function parseTokenReply(reply: unknown, url: string): TokenReply {
  const fail = (problem: string) =>
    new AuthError(
      `the token service at ${url} answered, but ${problem}: check M2M_AUTH0_DOMAIN`,
      { method: "POST", path: "/oauth/token", status: 200 },
    );
  if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
    throw fail("not with a JSON object");
  }
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } =
    reply as Record<string, unknown>;
  // Visible ASCII only: the token goes into a header as it is.
  if (typeof accessToken !== "string" || !/^[\x21-\x7e]+$/.test(accessToken)) {
    throw fail("its reply has no usable access_token");
  }
  if (typeof tokenType !== "string" || tokenType.toLowerCase() !== "bearer") {
    throw fail(`its token_type is ${JSON.stringify(tokenType)}, not "Bearer"`);
  }
  if (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw fail(`its expires_in is ${JSON.stringify(expiresIn)}, not a positive number of seconds`);
  }
  return { accessToken, tokenType: "Bearer", expiresInSeconds: expiresIn };
}
