/**
 * What every save shares (API.md §5): who saved and from where
 * (`insertion`), which version it is (`validity`), and the body checks.
 *
 * @module
 */

import type { RecordStore } from "./store.ts";
import type { JsonObject, JsonValue } from "./types.ts";

/** Everything a save needs besides the body. */
export interface SaveContext {
  /** Where documents live. */
  store: RecordStore;
  /** The sandbox clock (ms). */
  now: () => number;
  /** The client's address as the server logs it, e.g. `"::ffff:127.0.0.1"`. */
  ip: string;
  /** The token's `azp` claim: the client ID. */
  userId: string;
}

/** `input instanceof Object` for a parsed JSON body: objects and arrays pass. */
export function isObjectInput(input: unknown): input is JsonObject | JsonValue[] {
  return typeof input === "object" && input !== null;
}

/** `input.hasOwnProperty(key)`; an array body has none of the named keys. */
export function hasKey(input: JsonObject | JsonValue[], key: string): boolean {
  return !Array.isArray(input) && Object.hasOwn(input, key);
}

/** A body field, or undefined (arrays have no named fields). */
export function field(input: JsonObject | JsonValue[], key: string): JsonValue | undefined {
  return Array.isArray(input) ? undefined : (Object.hasOwn(input, key) ? input[key] : undefined);
}

/** JavaScript truthiness of a JSON value. */
export function truthy(value: JsonValue | undefined): boolean {
  return Boolean(value);
}

/** An ISO-8601 date with milliseconds, as MongoDB Dates serialize. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

/** The `insertion` block: date, client address and the token's user. */
export function insertion(context: SaveContext): JsonObject {
  return {
    insertDate: isoDate(context.now()),
    ip: context.ip,
    user: { user_id: context.userId, displayName: "M2M Client", emails: ["none"] },
  };
}

/**
 * The `validity` block: version = latest stored + 1, and `ancestor_id` = the
 * body's `_id` exactly as sent (undefined is stored as null by the driver).
 */
export function validity(
  context: SaveContext,
  latestVersion: number,
  ancestor: JsonValue | undefined,
): JsonObject {
  return {
    startDate: isoDate(context.now()),
    version: latestVersion + 1,
    ancestor_id: ancestor === undefined ? null : ancestor,
  };
}

/** The address as Node reports it on a dual-stack socket: IPv4 becomes `::ffff:a.b.c.d`. */
export function nodeStyleAddress(address: string | undefined): string {
  if (!address) return "";
  return /^\d+\.\d+\.\d+\.\d+$/.test(address) ? `::ffff:${address}` : address;
}
