/**
 * Workflows: read one, or its history.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import { checkObjectId } from "../ids.ts";
import {
  type BaseRecord,
  type CallOptions,
  checkVersion,
  type RecordKind,
  recordVersions,
  requireRecord,
} from "./record.ts";

/** A workflow record as the server returns it (NEW revision). */
export interface WorkflowRecord extends BaseRecord {
  /** Always `"workflow"`. */
  recordType: "workflow";
  /** 24 hex digits, shared by all versions. */
  workflowId: string;
  /** The workflow type. */
  typeFormId: string;
  /** The type's display name. */
  typeFormName: string;
  /** The steps; each `result` is a UUID, an action ID, or `""` while not done. */
  path: { type: "component" | "action"; formName: string; result: string }[];
  /** Completion as the server computed it (may be null). */
  completionStatus?: unknown;
  /** The first step not yet done (may be null). */
  firstIncompleteAction?: unknown;
}

const WORKFLOW: RecordKind = { name: "workflow", idField: "workflowId" };

/**
 * The latest version of a workflow, or the given `version`.
 *
 * @example
 * ```ts ignore
 * const workflow = await GetWorkflow("668ed67ee7db83204afd723f", connection, headers);
 * ```
 */
export async function GetWorkflow(
  workflowID: string,
  connection: Connection,
  headers?: RequestHeaders,
  version?: number,
  options: CallOptions = {},
): Promise<WorkflowRecord> {
  const workflowId = checkObjectId(workflowID, "workflowID");
  return await requireRecord(
    WORKFLOW,
    workflowId,
    connection,
    headers,
    checkVersion(version),
    options,
  ) as WorkflowRecord;
}

/**
 * Every version of a workflow, oldest first (one request per version).
 *
 * @example
 * ```ts ignore
 * const history = await GetWorkflowVersions(workflowID, connection);
 * ```
 */
export async function GetWorkflowVersions(
  workflowID: string,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<WorkflowRecord[]> {
  const workflowId = checkObjectId(workflowID, "workflowID");
  return await recordVersions(
    WORKFLOW,
    workflowId,
    connection,
    headers,
    options,
  ) as WorkflowRecord[];
}
