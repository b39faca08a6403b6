/**
 * POST `/api/component` with NEW's save semantics (API.md §5): checks in the
 * server's order with its messages, a new document per save, and the fields
 * the server fills in for a new component (`typeRecordNumber`, names of a
 * few DUNE part types, `reception`).
 *
 * @module
 */

import { isUuid, newObjectId, newUuidV1, toShortUuid } from "../ids.ts";
import { findTypeForm } from "./forms.ts";
import {
  field,
  hasKey,
  insertion,
  isObjectInput,
  isoDate,
  type SaveContext,
  truthy,
  validity,
} from "./save_common.ts";
import { plainError, readPropertyError, templateString, typeError } from "./server_error.ts";
import type { JsonObject, JsonValue, StoredRecord } from "./types.ts";

/** Part-number prefix and suffix of the types whose new records get a DUNE part ID as name. */
const PART_NAMES: Record<string, [string, string]> = {
  GroundingMeshPanel: ["D00300200004", "UK106-01-00-00"],
  CRBoard: ["D00300400001", "US200-01-00-00"],
  GBiasBoard: ["D00300400002", "US200-01-00-00"],
  CEAdapterBoard: ["D00300400003", "US200-01-00-00"],
  SHVBoard: ["D00300500001", "US200-01-00-00"],
  CableHarness: ["D00300500002", "US200-01-00-00"],
  DWA: ["D00300800001", "US136-01-00-00"],
  DWAPDB: ["D00300800002", "US136-01-00-00"],
};

/** Where new components of a type start (the `reception.location`); other types get "". */
const START_LOCATIONS: Record<string, string> = {
  APAFrame: "ukWarehouse",
  GroundingMeshPanel: "ukWarehouse",
  APAShipment: "in_transit",
  BoardShipment: "in_transit",
  CEAdapterBoardShipment: "in_transit",
  DWAComponentShipment: "in_transit",
  FrameShipment: "in_transit",
  GroundingMeshShipment: "in_transit",
  AssembledAPA: "daresbury",
  wire_bobbin: "daresbury",
  CEAdapterBoard: "wisconsin",
  CRBoard: "wisconsin",
  CableHarness: "wisconsin",
  GBiasBoard: "wisconsin",
  SHVBoard: "wisconsin",
  PopulatedBoardShipment: "wisconsin",
  GeometryBoard: "lancaster",
};

/** `MUUID.from(value)`: lowercase UUID; a falsy value makes a fresh v1 UUID; anything else throws. */
function binaryUuid(value: JsonValue, nowMs: number): string {
  if (!value) return newUuidV1(nowMs);
  if (typeof value === "string" && isUuid(value)) return value.toLowerCase();
  throw plainError("Invalid UUID.");
}

/** `ShortUUID().fromUUID(value)`, including what it does with the values MUUID let through. */
function shortUuidOf(value: JsonValue): string {
  if (value === null) throw readPropertyError(null, "toLowerCase");
  if (typeof value !== "string") throw typeError("longId.toLowerCase is not a function");
  return value === "" ? "1".repeat(22) : toShortUuid(value);
}

/** Fills `typeRecordNumber` and, for DUNE part types, `name` in a new component's data. */
function fillNewComponentData(data: JsonValue, formId: string, existing: number): void {
  if (data === null) throw readPropertyError(null, "typeRecordNumber");
  // Setting a property on a primitive is silently ignored by the server's sloppy-mode code,
  // and extra properties of an array are lost when BSON stores it.
  if (typeof data !== "object" || Array.isArray(data)) return;
  const offset = formId === "GeometryBoard" ? 5000 : 0;
  if (!data.typeRecordNumber) data.typeRecordNumber = existing + offset + 1;
  const number = data.typeRecordNumber;
  if (formId === "GeometryBoard") data.name = templateString(number);
  const part = PART_NAMES[formId];
  if (part) data.name = `${part[0]}-${templateString(number).padStart(5, "0")}-${part[1]}`;
}

function newReception(data: JsonValue, formId: string, nowMs: number): JsonObject {
  let location: JsonValue = START_LOCATIONS[formId] ?? "";
  if (formId === "DWA" || formId === "DWAPDB") {
    const production = typeof data === "object" && data !== null && !Array.isArray(data)
      ? data.productionLocation
      : undefined;
    location = production === undefined ? null : production;
  }
  return { date: isoDate(nowMs).slice(0, 10), detail: "", location };
}

/**
 * Saves a component submission and returns its UUID (lowercase); throws a
 * ServerError with the server's message for a body it refuses.
 */
export function saveComponent(input: unknown, context: SaveContext): string {
  if (!isObjectInput(input)) {
    throw plainError("Components::save() - the 'input' object has not been specified!");
  }
  for (const key of ["componentUuid", "formId", "data"]) {
    if (!hasKey(input, key)) {
      throw plainError(`Components::save() - the 'input.${key}' has not been specified!`);
    }
  }
  const body = input as JsonObject;
  const typeForm = findTypeForm(context.store, "componentForms", body.formId);
  if (!typeForm) {
    throw plainError(
      `Components:save() - the specified 'input.formId' (${templateString(body.formId)}) ` +
        "does not match a known component type form!",
    );
  }
  const nowMs = context.now();
  const componentUuid = binaryUuid(body.componentUuid, nowMs);
  const document: StoredRecord = {
    _id: "",
    recordType: "component",
    componentUuid,
    shortUuid: shortUuidOf(body.componentUuid),
    formId: body.formId,
    formName: typeForm.formName,
    data: body.data,
  };
  if (truthy(body.workflowId)) document.workflowId = body.workflowId;
  document.insertion = insertion(context);
  if (!body.componentUuid) {
    throw plainError("Components::retrieve(): the 'componentUuid' has not been specified!");
  }
  const formId = templateString(body.formId);
  const latest = context.store.latestVersion("components", componentUuid);
  document.validity = validity(context, latest, field(body, "_id"));
  if (latest === 0) {
    fillNewComponentData(body.data, formId, context.store.keysOfType("components", formId));
    document.reception = newReception(body.data, formId, nowMs);
  } else {
    const reception = field(body, "reception");
    document.reception = reception === undefined ? null : reception;
  }
  document._id = newObjectId(context.now());
  context.store.insert(
    "components",
    { key: componentUuid, version: latest + 1, typeId: formId },
    document,
  );
  return componentUuid;
}
