/**
 * POST `/api/action` with NEW's save semantics (API.md §5): the client's
 * `actionId` is honoured (§3), the component is not checked to exist, and
 * every save inserts a new version.
 *
 * @module
 */

import { isUuid, newObjectId, newUuidV1 } from "../ids.ts";
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
import { plainError, readPropertyError, templateString } from "./server_error.ts";
import type { JsonObject, JsonValue, StoredRecord } from "./types.ts";

/** `MUUID.from(value)`: a falsy value yields a random (dangling) v1 UUID, API.md §8.8. */
function componentUuidOf(value: JsonValue, nowMs: number): string {
  if (!value) return newUuidV1(nowMs);
  if (typeof value === "string" && isUuid(value)) return value.toLowerCase();
  throw plainError("Invalid UUID.");
}

/**
 * Saves an action submission and returns its 24-hex action ID; throws a
 * ServerError with the server's message for a body it refuses.
 */
export function saveAction(input: unknown, context: SaveContext): string {
  if (!isObjectInput(input)) {
    throw plainError("Actions::save() - the 'input' object has not been specified!");
  }
  for (const key of ["typeFormId", "componentUuid", "data"]) {
    if (!hasKey(input, key)) {
      throw plainError(`Actions::save() - the 'input.${key}' has not been specified!`);
    }
  }
  const body = input as JsonObject;
  const typeForm = findTypeForm(context.store, "actionForms", body.typeFormId);
  if (!typeForm) {
    throw plainError(
      `Actions:save() - the specified 'input.typeFormId' (${templateString(body.typeFormId)}) ` +
        "does not match a known action type form!",
    );
  }
  // NEW reads data.actionComplete before building the record.
  if (body.data === null) throw readPropertyError(null, "actionComplete");
  const nowMs = context.now();
  const actionId = objectIdFromClient(field(body, "actionId"), nowMs);
  const componentUuid = componentUuidOf(body.componentUuid, nowMs);
  const document: StoredRecord = {
    _id: "",
    recordType: "action",
    actionId,
    typeFormId: body.typeFormId,
    typeFormName: typeForm.formName,
    componentUuid,
    data: body.data,
  };
  if (truthy(body.workflowId)) document.workflowId = body.workflowId;
  if (truthy(body.images)) document.images = body.images;
  document.insertion = insertion(context);
  // The server looks for an earlier version only when the body carries an actionId.
  const latest = truthy(body.actionId) ? context.store.latestVersion("actions", actionId) : 0;
  document.validity = validity(context, latest, field(body, "_id"));
  document._id = newObjectId(context.now());
  context.store.insert(
    "actions",
    {
      key: actionId,
      version: latest + 1,
      typeId: templateString(body.typeFormId),
      componentUuid,
    },
    document,
  );
  return actionId;
}
