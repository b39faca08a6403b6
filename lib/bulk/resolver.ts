/**
 * Turns the component column of a bulk input (full or short UUIDs) into full
 * UUIDs, asking the server once per distinct short UUID however many rows
 * and workers ask at the same time.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { checkShortUuid, isUuid, quote } from "../ids.ts";
import { ConvertShortUUID } from "../records/short_uuid.ts";

/** Resolves components to full UUIDs, with a cache shared by all workers of a run. */
export class ComponentResolver {
  #connection: Connection;
  #headers?: RequestHeaders;
  #cache = new Map<string, Promise<string>>();

  /** Creates an empty cache for one connection. */
  constructor(connection: Connection, headers?: RequestHeaders) {
    this.#connection = connection;
    this.#headers = headers;
  }

  /** Distinct short UUIDs asked so far. */
  get size(): number {
    return this.#cache.size;
  }

  /**
   * The full UUID (lowercase) of `component`, a full or short UUID. A short
   * UUID is confirmed by the server once; its answer, including "no such
   * component", is reused. A transient failure is not cached.
   */
  resolve(component: string, signal?: AbortSignal): Promise<string> {
    if (isUuid(component)) return Promise.resolve(component.toLowerCase());
    let shortUuid: string;
    try {
      shortUuid = checkShortUuid(component, "component");
    } catch (error) {
      if (!(error instanceof ValidationError) || /contains/.test(error.message)) {
        return Promise.reject(error);
      }
      return Promise.reject(
        new ValidationError(
          `component ${quote(component)} is neither a full UUID nor a short UUID (the 22 ` +
            `characters on a label)`,
        ),
      );
    }
    let pending = this.#cache.get(shortUuid);
    if (pending === undefined) {
      pending = ConvertShortUUID(shortUuid, this.#connection, this.#headers, { signal });
      this.#cache.set(shortUuid, pending);
      pending.catch((error) => {
        // Only answers about the short UUID itself are worth remembering.
        if (!(error instanceof NotFoundError || error instanceof ValidationError)) {
          this.#cache.delete(shortUuid);
        }
      });
    }
    return pending;
  }
}
