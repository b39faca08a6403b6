/**
 * Lists of record IDs by type. The server silently caps them (API.md §8.7):
 * a list that reaches the cap is marked `truncated` and a warning is logged.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import { checkTypeFormId } from "../data.ts";
import { ApiError } from "../errors.ts";
import { checkUuid } from "../ids.ts";
import { type CallOptions, segment } from "./record.ts";

/** IDs, newest last edit first; `truncated` is true when the server's cap was reached. */
export type IdList = string[] & { readonly truncated: boolean };

/** The server's caps on list replies. */
export const LIST_CAPS = { components: 500, actions: 200 } as const;

async function fetchIdList(
  connection: Connection,
  path: string,
  what: string,
  cap: number,
  headers: RequestHeaders | undefined,
  options: CallOptions,
): Promise<IdList> {
  const reply = await connection.request({
    method: "GET",
    path,
    what,
    headers,
    signal: options.signal,
  });
  if (!Array.isArray(reply) || !reply.every((id) => typeof id === "string")) {
    throw new ApiError(`${what}: the server's reply is not a list of IDs`, { method: "GET", path });
  }
  const truncated = reply.length >= cap;
  if (truncated) {
    connection.logger.warn(
      `${what}: the server returned ${reply.length} IDs, its maximum; there may be more ` +
        `that it did not list`,
    );
  }
  return Object.assign(reply as string[], { truncated });
}

/**
 * UUIDs of the components of a type (latest versions, newest edit first, at
 * most 500: check `truncated`).
 *
 * @example
 * ```ts ignore
 * const uuids = await GetListOfComponents("basic_component", connection, headers);
 * if (uuids.truncated) console.warn("more than 500 exist");
 * ```
 */
export async function GetListOfComponents(
  componentTypeFormID: string,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<IdList> {
  const formId = checkTypeFormId(componentTypeFormID, "componentTypeFormID");
  return await fetchIdList(
    connection,
    `/api/components/${segment(formId)}/list`,
    `list ${JSON.stringify(formId)} components`,
    LIST_CAPS.components,
    headers,
    options,
  );
}

/** Options of {@linkcode GetListOfActions}. */
export interface ListActionsOptions extends CallOptions {
  /** Only actions performed on this component. */
  componentUUID?: string;
}

/**
 * IDs of the actions of a type, optionally only those on one component
 * (newest edit first, at most 200: check `truncated`).
 *
 * @example
 * ```ts ignore
 * const actionIDs = await GetListOfActions("my_action", connection, headers, { componentUUID });
 * ```
 */
export async function GetListOfActions(
  actionTypeFormID: string,
  connection: Connection,
  headers?: RequestHeaders,
  options: ListActionsOptions = {},
): Promise<IdList> {
  const typeFormId = checkTypeFormId(actionTypeFormID, "actionTypeFormID");
  const componentUuid = options.componentUUID === undefined
    ? undefined
    : checkUuid(options.componentUUID, "componentUUID");
  const query = componentUuid ? `?uuid=${segment(componentUuid)}` : "";
  return await fetchIdList(
    connection,
    `/api/actions/${segment(typeFormId)}/list${query}`,
    `list ${JSON.stringify(typeFormId)} actions${componentUuid ? ` on ${componentUuid}` : ""}`,
    LIST_CAPS.actions,
    headers,
    options,
  );
}

/**
 * IDs and completion of the workflows of a type, as `[workflowIDs, completion]`
 * like the original. The server's route is broken whenever a workflow of the
 * type exists (API.md §8.6): that is reported as an {@linkcode ApiError}
 * saying so, not as a crash.
 *
 * @example
 * ```ts ignore
 * const [workflowIDs, completion] = await GetListOfWorkflows("APA_Assembly", connection, headers);
 * ```
 */
export async function GetListOfWorkflows(
  workflowTypeFormID: string,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<[workflowIDs: string[], completion: unknown[]]> {
  const typeFormId = checkTypeFormId(workflowTypeFormID, "workflowTypeFormID");
  const path = `/api/workflows/${segment(typeFormId)}/list`;
  let reply: unknown;
  try {
    reply = await connection.request({
      method: "GET",
      path,
      what: `list ${JSON.stringify(typeFormId)} workflows`,
      headers,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof ApiError && /reading 'length'/.test(error.serverMessage ?? "")) {
      throw new ApiError(
        `list ${JSON.stringify(typeFormId)} workflows: the server's list route is broken ` +
          `(a known server bug, API.md §8.6: it fails as soon as one workflow of the type ` +
          `exists). Read workflows one by one with GetWorkflow(workflowID) instead`,
        {
          method: "GET",
          path,
          status: error.status,
          serverMessage: error.serverMessage,
          cause: error,
        },
      );
    }
    throw error;
  }
  if (
    !Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[0]) ||
    !Array.isArray(reply[1]) || !reply[0].every((id) => typeof id === "string")
  ) {
    throw new ApiError(`list ${JSON.stringify(typeFormId)} workflows: unexpected reply shape`, {
      method: "GET",
      path,
    });
  }
  return [reply[0] as string[], reply[1] as unknown[]];
}
