/**
 * `new ObjectId(value)` as bson 4.7 evaluates it for the `actionId` and
 * `workflowId` a client sends (API.md §3): the rules that decide whether a
 * client-chosen ID is honoured, and the errors for the ones that are not.
 *
 * @module
 */

import { newObjectId } from "../ids.ts";
import { ServerError } from "./server_error.ts";

const HEX_24 = /^[0-9a-fA-F]{24}$/;

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The 24-hex ObjectId the server stores for a client's `actionId` /
 * `workflowId` value; throws the server's BSONTypeError for values bson refuses.
 */
export function objectIdFromClient(value: unknown, nowMs: number): string {
  if (value === undefined || value === null) return newObjectId(nowMs);
  if (typeof value === "number") {
    // bson writes the number as the 4-byte timestamp with DataView.setUint32 (wraps modulo 2^32).
    const seconds = Number.isFinite(value) ? Math.trunc(value) : 0;
    const wrapped = ((seconds % 2 ** 32) + 2 ** 32) % 2 ** 32;
    return wrapped.toString(16).padStart(8, "0") + newObjectId(nowMs).slice(8);
  }
  if (typeof value === "string") {
    if (value.length === 12) {
      const bytes = new TextEncoder().encode(value);
      if (bytes.length === 12) return toHex(bytes);
      throw new ServerError("BSONTypeError: Argument passed in must be a string of 12 bytes");
    }
    if (HEX_24.test(value)) return value.toLowerCase();
    throw new ServerError(
      "BSONTypeError: Argument passed in must be a string of 12 bytes or a string of 24 hex " +
        "characters or an integer",
    );
  }
  throw new ServerError("BSONTypeError: Argument passed in does not match the accepted types");
}
