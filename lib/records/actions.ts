/**
 * Actions: perform (create), edit, read, and their version history.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import { checkData, checkFieldEdits, checkTypeFormId, type JsonObject } from "../data.ts";
import { checkObjectId, checkUuid, newObjectId } from "../ids.ts";
import {
  type BaseRecord,
  type CallOptions,
  checkVersion,
  editRecord,
  type RecordKind,
  recordVersions,
  requireRecord,
  saveRecord,
} from "./record.ts";

/** An action record as the server returns it (API.md §9). */
export interface ActionRecord extends BaseRecord {
  /** Always `"action"`. */
  recordType: "action";
  /** 24 hex digits. */
  actionId: string;
  /** The action type form ID. */
  typeFormId: string;
  /** The type's display name. */
  typeFormName: string;
  /** The component the action was performed on, lowercase. */
  componentUuid: string;
  /** The workflow the action belongs to, if any. */
  workflowId?: string;
}

/** Options of {@linkcode PerformAction}. */
export interface PerformActionOptions extends CallOptions {
  /**
   * The ID to give the new action (24 hex). Default: a fresh one made here,
   * which lets a lost reply be checked without creating a duplicate. Pass one
   * you journaled to make a re-run after a crash safe.
   */
  actionId?: string;
}

const ACTION: RecordKind = { name: "action", idField: "actionId" };

/**
 * Performs an action of the given type on a component and returns the new
 * action's ID. `actionData` gets `submit: true` on a copy. The ID is chosen
 * here and sent with the action (the server honours it, API.md §3), so after
 * a lost reply the action is looked up and never stored twice.
 *
 * @example
 * ```ts ignore
 * const actionID = await PerformAction("my_action", componentUUID, { measurement: 12.04 }, connection, headers);
 * ```
 */
export async function PerformAction(
  actionTypeFormID: string,
  componentUUID: string,
  actionData: JsonObject,
  connection: Connection,
  headers?: RequestHeaders,
  options: PerformActionOptions = {},
): Promise<string> {
  const typeFormId = checkTypeFormId(actionTypeFormID, "actionTypeFormID");
  const componentUuid = checkUuid(componentUUID, "componentUUID");
  const data = checkData(actionData, "actionData");
  const actionId = options.actionId === undefined
    ? newObjectId()
    : checkObjectId(options.actionId, "options.actionId");
  return await saveRecord(
    ACTION,
    actionId,
    { actionId, typeFormId, componentUuid, data: { ...data, submit: true } },
    `perform a ${JSON.stringify(typeFormId)} action on component ${componentUuid}`,
    (latest) => latest !== null,
    connection,
    headers,
    options,
  );
}

/**
 * Changes the named `data` fields of an action and returns its ID; the
 * server stores the result as a new version.
 *
 * @example
 * ```ts ignore
 * await EditAction(actionID, ["measurement"], [12.07], connection, headers);
 * ```
 */
export async function EditAction(
  actionID: string,
  actionDataFields: string[],
  actionDataValues: unknown[],
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<string> {
  const actionId = checkObjectId(actionID, "actionID");
  const edits = checkFieldEdits(actionDataFields, actionDataValues);
  return await editRecord(ACTION, actionId, edits, connection, headers, options);
}

/**
 * The latest version of an action, or the given `version`; a
 * {@linkcode NotFoundError} when there is none.
 *
 * @example
 * ```ts ignore
 * const action = await GetAction(actionID, connection, headers);
 * ```
 */
export async function GetAction(
  actionID: string,
  connection: Connection,
  headers?: RequestHeaders,
  version?: number,
  options: CallOptions = {},
): Promise<ActionRecord> {
  const actionId = checkObjectId(actionID, "actionID");
  return await requireRecord(
    ACTION,
    actionId,
    connection,
    headers,
    checkVersion(version),
    options,
  ) as ActionRecord;
}

/**
 * Every version of an action, oldest first (one request per version).
 *
 * @example
 * ```ts ignore
 * const history = await GetActionVersions(actionID, connection);
 * ```
 */
export async function GetActionVersions(
  actionID: string,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<ActionRecord[]> {
  const actionId = checkObjectId(actionID, "actionID");
  return await recordVersions(ACTION, actionId, connection, headers, options) as ActionRecord[];
}
