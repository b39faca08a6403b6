/**
 * POST `/api/workflow` with NEW's save semantics (API.md §5): required
 * fields, the path step checks with the server's messages, the client's
 * `workflowId` honoured, a new version per save.
 *
 * @module
 */

import { newObjectId } from "../ids.ts";
import { findTypeForm } from "./forms.ts";
import { objectIdFromClient } from "./object_id.ts";
import {
  field,
  hasKey,
  insertion,
  isObjectInput,
  type SaveContext,
  truthy,
  validity,
} from "./save_common.ts";
import { plainError, readPropertyError, templateString, typeError } from "./server_error.ts";
import type { JsonObject, JsonValue, StoredRecord } from "./types.ts";

const PREFIX = "Workflows::save() - ";

function stepType(step: JsonValue | undefined): JsonValue | undefined {
  if (step === null || step === undefined) throw readPropertyError(step, "type");
  return typeof step === "object" && !Array.isArray(step) ? step.type : undefined;
}

function iterate(path: JsonValue): JsonValue[] {
  if (Array.isArray(path)) return path;
  // A string is iterable: its characters become the "steps".
  if (typeof path === "string") return [...path];
  throw typeError("input.path is not iterable");
}

/** `for (const step of input.path)` and the checks after it, as the server runs them. */
function checkPath(path: JsonValue): void {
  const steps = iterate(path);
  for (const step of steps) {
    const type = stepType(step);
    if (!type) {
      throw plainError(`${PREFIX}the 'step.type' has not been specified for one or more steps!`);
    }
    if (type !== "component" && type !== "action") {
      throw plainError(
        `${PREFIX}the 'step.type' is not valid for one or more steps ` +
          "(must be either 'component' or 'action'!",
      );
    }
    const formName = typeof step === "object" && step !== null && !Array.isArray(step)
      ? step.formName
      : undefined;
    if (!formName) {
      throw plainError(
        `${PREFIX}the 'step.formName' has not been specified for one or more steps!`,
      );
    }
  }
  if (stepType(steps[0]) !== "component") {
    throw plainError(`${PREFIX}the 'step.type' of the first step is not 'component'!`);
  }
}

/**
 * Saves a workflow submission and returns its 24-hex workflow ID; throws a
 * ServerError with the server's message for a body it refuses.
 */
export function saveWorkflow(input: unknown, context: SaveContext): string {
  if (!isObjectInput(input)) {
    throw plainError(`${PREFIX}the 'input' object has not been specified!`);
  }
  for (const key of ["typeFormId", "data", "path"]) {
    if (!hasKey(input, key)) {
      throw plainError(`${PREFIX}the 'input.${key}' has not been specified!`);
    }
  }
  const body = input as JsonObject;
  const typeForm = findTypeForm(context.store, "workflowForms", body.typeFormId);
  if (!typeForm) {
    throw plainError(
      `Workflows:save() - the specified 'input.typeFormId' (${templateString(body.typeFormId)}) ` +
        "does not match a known workflow type form!",
    );
  }
  checkPath(body.path);
  const workflowId = objectIdFromClient(field(body, "workflowId"), context.now());
  const completionStatus = field(body, "completionStatus");
  const firstIncompleteAction = field(body, "firstIncompleteAction");
  const document: StoredRecord = {
    _id: "",
    recordType: "workflow",
    workflowId,
    typeFormId: body.typeFormId,
    typeFormName: typeForm.formName,
    data: body.data,
    path: body.path,
    completionStatus: completionStatus === undefined ? null : completionStatus,
    firstIncompleteAction: firstIncompleteAction === undefined ? null : firstIncompleteAction,
    insertion: insertion(context),
  };
  const latest = truthy(body.workflowId) ? context.store.latestVersion("workflows", workflowId) : 0;
  document.validity = validity(context, latest, field(body, "_id"));
  document._id = newObjectId(context.now());
  context.store.insert(
    "workflows",
    { key: workflowId, version: latest + 1, typeId: templateString(body.typeFormId) },
    document,
  );
  return workflowId;
}
