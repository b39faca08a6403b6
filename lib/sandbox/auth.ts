/**
 * HS256 JSON Web Tokens through WebCrypto: the sandbox signs the tokens its
 * token endpoint issues and, unlike the live server, verifies them on every
 * `/api` request (signature, `alg`, `aud`, `exp`).
 *
 * @module
 */

import type { JsonObject } from "./types.ts";

/** The outcome of checking a token: its claims, or why it is refused. */
export type Verification = { ok: true; claims: JsonObject } | { ok: false; reason: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
// Verified signatures are remembered so that a busy client does not pay an HMAC per request.
const CACHE_LIMIT = 10_000;

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

function decodeJsonObject(segment: string): JsonObject | null {
  const bytes = base64UrlDecode(segment);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as JsonObject
      : null;
  } catch {
    return null;
  }
}

/** Signs and verifies the sandbox's tokens with one HMAC-SHA256 key. */
export class TokenSigner {
  #key: CryptoKey;
  #verified = new Map<string, JsonObject>();

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /** A signer for the given raw key (at least 32 random bytes). */
  static async create(rawKey: Uint8Array<ArrayBuffer>): Promise<TokenSigner> {
    const key = await crypto.subtle.importKey(
      "raw",
      rawKey,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return new TokenSigner(key);
  }

  /** A compact JWS of `claims` with header `{"alg":"HS256","typ":"JWT"}`. */
  async sign(claims: JsonObject): Promise<string> {
    const header = base64UrlEncode(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
    const payload = base64UrlEncode(encoder.encode(JSON.stringify(claims)));
    const input = `${header}.${payload}`;
    const signature = await crypto.subtle.sign("HMAC", this.#key, encoder.encode(input));
    return `${input}.${base64UrlEncode(new Uint8Array(signature))}`;
  }

  /**
   * Checks structure, `alg`, signature, `aud` and `exp` (against `nowSeconds`)
   * and returns the claims, or the reason the token is refused.
   */
  async verify(token: string, audience: string, nowSeconds: number): Promise<Verification> {
    let claims = this.#verified.get(token);
    if (!claims) {
      const parts = token.split(".");
      if (parts.length !== 3) return { ok: false, reason: "the access token is not a JWT" };
      const header = decodeJsonObject(parts[0]);
      const payload = decodeJsonObject(parts[1]);
      const signature = base64UrlDecode(parts[2]);
      if (!header || !payload || !signature) {
        return { ok: false, reason: "the access token is not a well-formed JWT" };
      }
      if (header.alg !== "HS256") {
        return {
          ok: false,
          reason: `the access token is signed with alg ${JSON.stringify(header.alg ?? null)}; ` +
            "only HS256 tokens from this sandbox are accepted",
        };
      }
      const valid = await crypto.subtle.verify(
        "HMAC",
        this.#key,
        signature,
        encoder.encode(`${parts[0]}.${parts[1]}`),
      );
      if (!valid) {
        return {
          ok: false,
          reason: "the access token signature is invalid (not issued by this sandbox)",
        };
      }
      if (this.#verified.size >= CACHE_LIMIT) this.#verified.clear();
      this.#verified.set(token, payload);
      claims = payload;
    }
    const aud = claims.aud;
    if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) {
      return {
        ok: false,
        reason: `the access token audience ${JSON.stringify(aud ?? null)} is not ${
          JSON.stringify(audience)
        }`,
      };
    }
    if (typeof claims.exp !== "number" || nowSeconds >= claims.exp) {
      return { ok: false, reason: "the access token has expired: request a new one" };
    }
    return { ok: true, claims };
  }
}

/** Fresh random bytes for a signing key. */
export function newSigningKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** Hex form of a key, for storing it in the database. */
export function keyToHex(key: Uint8Array): string {
  return Array.from(key, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The key back from its hex form, or null when the text is not a 64-hex key. */
export function keyFromHex(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^([0-9a-f]{2}){32,}$/.test(text)) return null;
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}
