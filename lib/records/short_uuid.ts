/**
 * From the short UUID on a QR label to the component's full UUID, confirmed
 * by the server.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import { ApiError, NotFoundError, ValidationError } from "../errors.ts";
import { checkShortUuid, fromShortUuid, isUuid, shortUuidCandidates } from "../ids.ts";
import { type CallOptions, segment } from "./record.ts";

/**
 * Converts a short UUID (20–22 characters, flickrBase58 or base57) into the
 * full UUID of an existing component. Characters that no label can hold are
 * refused before any request; a short UUID that matches no component is a
 * {@linkcode NotFoundError} naming the UUIDs tried.
 *
 * @example
 * ```ts ignore
 * const componentUUID = await ConvertShortUUID("sYYtwWFURzCyHVYavMrQDd", connection, headers);
 * ```
 */
export async function ConvertShortUUID(
  shortUUID: string,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<string> {
  const shortUuid = checkShortUuid(shortUUID, "shortUUID");
  // The server decodes with flickrBase58 first and answers 500 for what it
  // cannot decode (API.md §3): refuse that here, naming the character.
  try {
    fromShortUuid(shortUuid, "flickrBase58");
  } catch (error) {
    throw new ValidationError(
      `${(error as Error).message.replace("short UUID", "shortUUID")}: labels never show ` +
        `0, O, I or l; check the label (1 and L look alike)`,
    );
  }
  const tried = shortUuidCandidates(shortUuid).join(" or ");
  const notFound = (cause: unknown) =>
    new NotFoundError(
      `no component has the short UUID "${shortUuid}" (it decodes to ${tried}): check the ` +
        `label, and that you use the right DB instance (${connection.dbBaseUrl})`,
      { method: "GET", path: "/api/confirmShortUUID/…", cause },
    );
  let reply: unknown;
  try {
    reply = await connection.request({
      method: "GET",
      path: `/api/confirmShortUUID/${segment(shortUuid)}`,
      what: `confirm short UUID ${shortUuid}`,
      headers,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound(error);
    // Not found in flickrBase58 and, holding a "1", not decodable in base57.
    if (error instanceof ApiError && /non-alphabetic digits/.test(error.serverMessage ?? "")) {
      throw notFound(error);
    }
    throw error;
  }
  if (!isUuid(reply)) {
    throw new ApiError(
      `confirm short UUID ${shortUuid}: the server answered ${
        connection.excerpt(reply)
      }, not a UUID`,
      { method: "GET", path: "/api/confirmShortUUID/…" },
    );
  }
  return reply.toLowerCase();
}
