/**
 * Actions: perform (create), edit, read, and their version history.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import {
  checkData,
  checkFieldEdits,
  checkTypeFormId,
  jsonEqual,
  type JsonObject,
} from "../data.ts";
import { ValidationError } from "../errors.ts";
import { checkObjectId, checkUuid, newObjectId } from "../ids.ts";
import {
  type BaseRecord,
  type CallOptions,
  checkVersion,
  editRecord,
  existsAtAll,
  fetchRecord,
  type RecordKind,
  recordVersions,
  requireRecord,
  saveRecord,
  submitted,
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
   * The ID to give the new action (24 hex). Default: a fresh one made here.
   * A re-run with the same ID is safe: if that action is already stored with
   * the same type, component and data, its ID is returned and nothing is
   * sent; if it holds something else, a {@linkcode ValidationError} says so
   * (PerformAction never overwrites an action; EditAction changes one).
   */
  actionId?: string;
}

/** How the API names actions (for the record helpers). */
export const ACTION: RecordKind = { name: "action", idField: "actionId" };

/** An action as PerformAction sends it. */
export interface NewAction {
  typeFormId: string;
  componentUuid: string;
  data: JsonObject;
}

/**
 * Whether `stored` holds the action `sent` (as sent: with `submit` if it was
 * added). The server keeps an action's data as given (API.md §5).
 *
 * @example
 * ```ts ignore
 * if (actionStoredAsSent(stored, { typeFormId, componentUuid, data })) return actionId;
 * ```
 */
export function actionStoredAsSent(stored: BaseRecord, sent: NewAction): boolean {
  return stored.typeFormId === sent.typeFormId && stored.componentUuid === sent.componentUuid &&
    jsonEqual(stored.data, sent.data);
}

/**
 * Sends a new action under `actionId`, which the caller has just made and
 * never sent (else use {@linkcode PerformAction}): after a lost reply it is
 * looked up, never stored twice. For the bulk uploader, which journals IDs.
 */
export async function sendNewAction(
  action: NewAction,
  actionId: string,
  connection: Connection,
  headers: RequestHeaders | undefined,
  options: CallOptions = {},
): Promise<string> {
  const { typeFormId, componentUuid, data } = action;
  return await saveRecord(
    ACTION,
    actionId,
    { actionId, typeFormId, componentUuid, data },
    `perform a ${
      JSON.stringify(typeFormId)
    } action on component ${componentUuid} as action ${actionId}`,
    existsAtAll,
    connection,
    headers,
    options,
  );
}

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
  const action: NewAction = {
    typeFormId: checkTypeFormId(actionTypeFormID, "actionTypeFormID"),
    componentUuid: checkUuid(componentUUID, "componentUUID"),
    data: submitted(checkData(actionData, "actionData")),
  };
  if (options.actionId === undefined) {
    return await sendNewAction(action, newObjectId(), connection, headers, options);
  }
  const actionId = checkObjectId(options.actionId, "options.actionId");
  // The server would store a new version over an existing action: look first.
  const stored = await fetchRecord(ACTION, actionId, connection, headers, undefined, options);
  if (stored === null) return await sendNewAction(action, actionId, connection, headers, options);
  if (actionStoredAsSent(stored, action)) return actionId;
  throw new ValidationError(
    `actionId ${actionId} already belongs to a ${JSON.stringify(stored.typeFormId)} action on ` +
      `component ${stored.componentUuid} (version ${stored.validity.version}) with other data: ` +
      `PerformAction never overwrites an action; use EditAction to change it, or leave ` +
      `actionId out for a new one`,
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
