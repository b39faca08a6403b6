/**
 * dune-m2m: a machine-to-machine client for the DUNE APA construction
 * database. Get a token, convert the short UUIDs printed on QR labels,
 * create and edit components, and upload measurements as actions, from a
 * script that runs without a human.
 *
 * The function names and argument order are those of the original Python
 * client (`connection, headers` last), so a script ports line by line.
 * Failures are thrown as {@linkcode M2MError} subclasses, never returned.
 *
 * @example Upload one measurement
 * ```ts ignore
 * import { ConnectToAPI, ConvertShortUUID, PerformAction } from "@dune/m2m";
 *
 * const { connection, headers } = await ConnectToAPI({ instance: "sandbox" });
 * try {
 *   const componentUUID = await ConvertShortUUID("sYYtwWFURzCyHVYavMrQDd", connection, headers);
 *   const actionID = await PerformAction("my_action", componentUUID, { measurement: 12.04 }, connection, headers);
 *   console.log(`uploaded as action ${actionID}`);
 * } finally {
 *   connection.close();
 * }
 * ```
 *
 * @module
 */

export {
  type ApiRequest,
  Connection,
  type ConnectOptions,
  ConnectToAPI,
  type RequestHeaders,
} from "./lib/connection.ts";
export {
  type CredentialOptions,
  DEFAULT_AUDIENCE,
  type Instance,
  INSTANCES,
} from "./lib/config.ts";
export {
  AbortError,
  ApiError,
  AuthError,
  M2MError,
  type M2MErrorOptions,
  NetworkError,
  NotFoundError,
  PermissionError,
  type RequestContext,
  TimeoutError,
  ValidationError,
} from "./lib/errors.ts";
export {
  checkData,
  checkFieldEdits,
  checkTypeFormId,
  type JsonObject,
  type JsonValue,
} from "./lib/data.ts";
export type { Logger } from "./lib/logger.ts";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./lib/retry.ts";
export type { HttpStats, RetryEvent, RetryReason, VerifyResult } from "./lib/http.ts";
export {
  BASE57,
  checkObjectId,
  checkShortUuid,
  checkUuid,
  FLICKR_BASE58,
  fromShortUuid,
  isObjectId,
  isUuid,
  newObjectId,
  type ShortUuidAlphabet,
  shortUuidCandidates,
  toShortUuid,
} from "./lib/ids.ts";
export type { BaseRecord, CallOptions, Insertion, Validity } from "./lib/records/record.ts";
export { ConvertShortUUID } from "./lib/records/short_uuid.ts";
export { CheckComponentForAction } from "./lib/records/action_target.ts";
export {
  type ComponentRecord,
  CreateComponent,
  EditComponent,
  GetComponent,
  GetComponentVersions,
} from "./lib/records/components.ts";
export {
  type ActionRecord,
  EditAction,
  GetAction,
  GetActionVersions,
  PerformAction,
  type PerformActionOptions,
} from "./lib/records/actions.ts";
export { GetWorkflow, GetWorkflowVersions, type WorkflowRecord } from "./lib/records/workflows.ts";
export {
  GetListOfActions,
  GetListOfComponents,
  GetListOfWorkflows,
  type IdList,
  LIST_CAPS,
  type ListActionsOptions,
} from "./lib/records/lists.ts";
export {
  GetTypeForm,
  ListTypeForms,
  type TypeFormCollection,
  type TypeFormRecord,
  type TypeFormSummary,
} from "./lib/records/forms.ts";
export {
  type ActionResult,
  type ActionRow,
  type BulkCounts,
  type BulkOptions,
  type BulkProgress,
  BulkRun,
  type BulkSummary,
  type ComponentResult,
  type ComponentRow,
  createComponents,
  type InvalidRow,
  MAX_SUMMARY_FAILURES,
  type RowBase,
  type RowFailure,
  type RowResult,
  type RowSource,
  type RowStatus,
  uploadActions,
} from "./lib/bulk/mod.ts";
