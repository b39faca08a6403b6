/**
 * Turns the component column of a bulk input (full or short UUIDs) into full
 * UUIDs of components that exist, and checks that each row's action type
 * applies to its component's type. The server checks neither (API.md §5):
 * an action on a mistyped UUID would be stored and reported as a success.
 * Each distinct short UUID, component and type form is asked once, however
 * many rows and workers ask at the same time.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import { NotFoundError, PermissionError, ValidationError } from "../errors.ts";
import { checkShortUuid, isUuid, quote } from "../ids.ts";
import {
  actionComponentTypes,
  checkComponentFits,
  componentTypeOf,
} from "../records/action_target.ts";
import { ConvertShortUUID } from "../records/short_uuid.ts";

/**
 * Caches a promise per key; answers worth remembering (about the key itself)
 * stay, transient failures are forgotten so a later row asks again.
 */
function cached<T>(
  cache: Map<string, Promise<T>>,
  key: string,
  ask: () => Promise<T>,
): Promise<T> {
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = ask();
    cache.set(key, pending);
    pending.catch((error) => {
      if (
        !(error instanceof NotFoundError || error instanceof ValidationError ||
          error instanceof PermissionError)
      ) {
        cache.delete(key);
      }
    });
  }
  return pending;
}

/** Resolves and checks components, with caches shared by all workers of a run. */
export class ComponentResolver {
  #connection: Connection;
  #headers?: RequestHeaders;
  #shortUuids = new Map<string, Promise<string>>();
  #componentTypes = new Map<string, Promise<string>>();
  #formTypes = new Map<string, Promise<readonly string[]>>();

  /** Creates empty caches for one connection. */
  constructor(connection: Connection, headers?: RequestHeaders) {
    this.#connection = connection;
    this.#headers = headers;
  }

  /** Distinct short UUIDs asked so far. */
  get size(): number {
    return this.#shortUuids.size;
  }

  /**
   * The full UUID (lowercase) of `component`, a full or short UUID, once the
   * server has confirmed that the component exists (and, with `typeFormId`,
   * that this action type applies to its type, when the type form lists the
   * types it applies to). Every answer about a short UUID, a component or a
   * type form, including "there is none", is reused; a transient failure is
   * not cached.
   */
  async resolve(component: string, signal?: AbortSignal, typeFormId?: string): Promise<string> {
    // Started at once, so both lookups run together.
    const formTypes = typeFormId === undefined ? undefined : cached(
      this.#formTypes,
      typeFormId,
      () => actionComponentTypes(typeFormId, this.#connection, this.#headers, signal),
    );
    const componentUuid = await this.#fullUuid(component, signal);
    const componentType = await cached(
      this.#componentTypes,
      componentUuid,
      () =>
        componentTypeOf(
          componentUuid,
          this.#connection,
          this.#headers,
          "the component column",
          signal,
        ),
    );
    if (formTypes !== undefined && typeFormId !== undefined) {
      checkComponentFits(typeFormId, componentUuid, componentType, await formTypes);
    }
    return componentUuid;
  }

  #fullUuid(component: string, signal?: AbortSignal): Promise<string> {
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
    return cached(
      this.#shortUuids,
      shortUuid,
      () => ConvertShortUUID(shortUuid, this.#connection, this.#headers, { signal }),
    );
  }
}
