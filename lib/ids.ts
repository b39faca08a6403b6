/**
 * Identifiers of the DUNE DB: component UUIDs, short UUIDs and ObjectIds
 * (action and workflow IDs). Pure functions, shared by the client and the
 * sandbox; conversions behave exactly like the server's `short-uuid@4.2.0`.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";

/** The short-uuid library's default alphabet, used by the server to store `shortUuid`. */
export const FLICKR_BASE58 = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
/** The 57-character alphabet the server tries second when confirming a short UUID. */
export const BASE57 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/** Which alphabet a short UUID is written in. */
export type ShortUuidAlphabet = "flickrBase58" | "base57";

const ALPHABETS: Record<ShortUuidAlphabet, string> = {
  flickrBase58: FLICKR_BASE58,
  base57: BASE57,
};

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OBJECT_ID_PATTERN = /^[0-9a-f]{24}$/i;
// The server's route accepts [0-9a-zA-Z-]{20,22}; we are stricter and accept
// only characters that at least one of the two alphabets can decode.
const SHORT_UUID_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{20,22}$/;
const SHORT_UUID_LENGTH = 22;

/** Quotes a value for an error message, shortening long ones. */
export function quote(value: unknown): string {
  if (typeof value !== "string") return String(value);
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(shown);
}

/**
 * Whether `value` is a full UUID (8-4-4-4-12 hex digits, either case).
 *
 * @example
 * ```ts
 * import { isUuid } from "./ids.ts";
 * console.assert(isUuid("5f9ea420-3e88-11ed-9114-03f8483882ff"));
 * console.assert(!isUuid("5f9ea420"));
 * ```
 */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_PATTERN.test(value);
}

/**
 * Returns `value` lowercased if it is a full UUID; throws a
 * {@linkcode ValidationError} naming `what` otherwise.
 *
 * @example
 * ```ts
 * import { checkUuid } from "./ids.ts";
 * console.assert(checkUuid("5F9EA420-3E88-11ED-9114-03F8483882FF") ===
 *   "5f9ea420-3e88-11ed-9114-03f8483882ff");
 * ```
 */
export function checkUuid(value: unknown, what = "componentUUID"): string {
  if (isUuid(value)) return value.toLowerCase();
  throw new ValidationError(
    `${what} ${quote(value)} is not a full UUID: expected 8-4-4-4-12 hex digits, ` +
      `e.g. "5f9ea420-3e88-11ed-9114-03f8483882ff" (a short UUID from a label converts with ConvertShortUUID, or the convert_short_uuid ` +
      `script)`,
  );
}

/**
 * Whether `value` is a 24-hex-digit ObjectId, the form of action and workflow IDs.
 *
 * @example
 * ```ts
 * import { isObjectId } from "./ids.ts";
 * console.assert(isObjectId("63340ac79708eb30e6403cb9"));
 * ```
 */
export function isObjectId(value: unknown): value is string {
  return typeof value === "string" && OBJECT_ID_PATTERN.test(value);
}

/**
 * Returns `value` lowercased if it is an ObjectId; throws a
 * {@linkcode ValidationError} naming `what` otherwise.
 *
 * @example
 * ```ts
 * import { checkObjectId } from "./ids.ts";
 * console.assert(checkObjectId("63340AC79708EB30E6403CB9", "actionID") === "63340ac79708eb30e6403cb9");
 * ```
 */
export function checkObjectId(value: unknown, what = "actionID"): string {
  if (isObjectId(value)) return value.toLowerCase();
  throw new ValidationError(
    `${what} ${quote(value)} is not an ID: expected 24 hex digits, e.g. "63340ac79708eb30e6403cb9"`,
  );
}

/**
 * Checks the shape of a short UUID (20–22 characters that one of the two
 * alphabets can decode) and returns it; throws a {@linkcode ValidationError}.
 *
 * @example
 * ```ts
 * import { checkShortUuid } from "./ids.ts";
 * console.assert(checkShortUuid("sYYtwWFURzCyHVYavMrQDd") === "sYYtwWFURzCyHVYavMrQDd");
 * ```
 */
export function checkShortUuid(value: unknown, what = "shortUUID"): string {
  if (typeof value === "string" && SHORT_UUID_PATTERN.test(value)) return value;
  if (typeof value === "string" && value.length >= 20 && value.length <= 22) {
    const bad = [...value].find((character) => !/[1-9A-HJ-NP-Za-km-z]/.test(character));
    throw new ValidationError(
      `${what} ${quote(value)} contains ${quote(bad)}, which never appears on a label ` +
        `(no 0, O, I, l or punctuation): check the label`,
    );
  }
  throw new ValidationError(
    `${what} ${quote(value)} is not a short UUID: ` +
      (typeof value === "string" ? `it has ${value.length} characters; ` : "") +
      `labels have 20 to 22 letters and digits, e.g. "sYYtwWFURzCyHVYavMrQDd"`,
  );
}

/**
 * Converts a full UUID to its short form in the flickrBase58 alphabet,
 * left-padded with `1` to 22 characters: the `shortUuid` the server stores.
 *
 * @example
 * ```ts
 * import { toShortUuid } from "./ids.ts";
 * console.assert(toShortUuid("c7a18530-914f-11ef-8a5e-6b1d2c4e8f90") === "qDLUqkToEZawqFaJEqUt79");
 * ```
 */
export function toShortUuid(uuid: string): string {
  let value = BigInt(`0x${checkUuid(uuid, "uuid").replaceAll("-", "")}`);
  let digits = "";
  do {
    digits = FLICKR_BASE58[Number(value % 58n)] + digits;
    value /= 58n;
  } while (value > 0n);
  return digits.padStart(SHORT_UUID_LENGTH, FLICKR_BASE58[0]);
}

/**
 * Converts a short UUID to the full UUID in the given alphabet, as the
 * server's confirmShortUUID route decodes it: a value wider than 128 bits
 * keeps only its first 32 hex digits. Throws a {@linkcode ValidationError}
 * naming the first character the alphabet does not contain.
 *
 * @example
 * ```ts
 * import { fromShortUuid } from "./ids.ts";
 * console.assert(fromShortUuid("sYYtwWFURzCyHVYavMrQDd") === "da820f60-130e-11ed-bf0a-f3cd78f73f46");
 * ```
 */
export function fromShortUuid(
  shortUuid: string,
  alphabet: ShortUuidAlphabet = "flickrBase58",
): string {
  const digits = ALPHABETS[alphabet];
  if (typeof digits !== "string") {
    throw new ValidationError(
      `alphabet ${quote(alphabet)} is unknown: use "flickrBase58" or "base57"`,
    );
  }
  const base = BigInt(digits.length);
  let value = 0n;
  for (const character of String(shortUuid)) {
    const digit = digits.indexOf(character);
    if (digit < 0) {
      throw new ValidationError(
        `short UUID ${quote(shortUuid)} contains ${quote(character)}, ` +
          `which is not in the ${alphabet} alphabet (${digits})`,
      );
    }
    value = value * base + BigInt(digit);
  }
  const hex = value.toString(16).padStart(32, "0").slice(0, 32);
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)]
    .join("-");
}

/**
 * The full UUIDs a short UUID can stand for, in the order the server tries
 * them (flickrBase58, then base57); an alphabet that cannot decode it is left out.
 *
 * @example
 * ```ts
 * import { shortUuidCandidates } from "./ids.ts";
 * console.assert(shortUuidCandidates("sYYtwWFURzCyHVYavMrQDd").length === 2);
 * ```
 */
export function shortUuidCandidates(shortUuid: string): string[] {
  const candidates: string[] = [];
  for (const alphabet of Object.keys(ALPHABETS) as ShortUuidAlphabet[]) {
    try {
      candidates.push(fromShortUuid(shortUuid, alphabet));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
  }
  return candidates;
}

let objectIdCounter = crypto.getRandomValues(new Uint32Array(1))[0] & 0xffffff;
// The 5 random bytes are fixed per process: format them once.
const processRandomHex = Array.from(
  crypto.getRandomValues(new Uint8Array(5)),
  (byte) => byte.toString(16).padStart(2, "0"),
).join("");

/**
 * Makes a new ObjectId the way MongoDB does (4-byte seconds timestamp,
 * 5 random bytes fixed per process, 3-byte counter), so the client can choose
 * an action's ID before sending it and can look for it after a lost reply.
 *
 * @example
 * ```ts
 * import { isObjectId, newObjectId } from "./ids.ts";
 * console.assert(isObjectId(newObjectId()));
 * ```
 */
export function newObjectId(nowMs: number = Date.now()): string {
  objectIdCounter = (objectIdCounter + 1) & 0xffffff;
  // `>>> 0` wraps the seconds to 32 bits, as the 4-byte field does.
  return hexDigits(Math.floor(nowMs / 1000) >>> 0, 8) + processRandomHex +
    hexDigits(objectIdCounter, 6);
}

function hexDigits(value: bigint | number, digits: number): string {
  return value.toString(16).padStart(digits, "0");
}

// 100-ns intervals between the Gregorian reform (1582-10-15) and the Unix epoch.
const GREGORIAN_OFFSET = 0x01b21dd213814000n;

const node = crypto.getRandomValues(new Uint8Array(6));
node[0] |= 0x01; // multicast bit: marks the node ID as random, not a MAC address (RFC 4122 §4.5)
let clockSequence = crypto.getRandomValues(new Uint16Array(1))[0] & 0x3fff;
let lastMs = -Infinity;
let ticks = 0;

/**
 * A new lowercase time-based (version 1) UUID for the time `nowMs`, the kind
 * the server's `newComponentUUID` route hands out, with a random node ID as
 * the `uuid` package uses. Successive calls in one millisecond count up in
 * 100-ns steps, so every value is unique. Bulk creates choose their
 * components' UUIDs with it before sending, so they look like the DB's own.
 *
 * @example
 * ```ts
 * import { isUuid, newUuidV1 } from "./ids.ts";
 * const uuid = newUuidV1();
 * console.assert(isUuid(uuid) && uuid[14] === "1");
 * ```
 */
export function newUuidV1(nowMs: number = Date.now()): string {
  const ms = Math.floor(nowMs);
  if (ms > lastMs) {
    ticks = 0;
  } else if (ms < lastMs) {
    // The clock went back: a new clock sequence keeps the values unique.
    clockSequence = (clockSequence + 1) & 0x3fff;
    ticks = 0;
  } else if (++ticks >= 10000) {
    clockSequence = (clockSequence + 1) & 0x3fff;
    ticks = 0;
  }
  lastMs = ms;
  const time = BigInt(ms) * 10000n + BigInt(ticks) + GREGORIAN_OFFSET;
  const timeLow = time & 0xffffffffn;
  const timeMid = (time >> 32n) & 0xffffn;
  const timeHigh = ((time >> 48n) & 0x0fffn) | 0x1000n;
  const sequence = clockSequence | 0x8000;
  const nodeHex = Array.from(node, (byte) => hexDigits(byte, 2)).join("");
  return `${hexDigits(timeLow, 8)}-${hexDigits(timeMid, 4)}-${hexDigits(timeHigh, 4)}-${
    hexDigits(sequence, 4)
  }-${nodeHex}`;
}
