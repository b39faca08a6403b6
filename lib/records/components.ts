/**
 * Components: create, edit, read, list, and their version history.
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
import { ApiError } from "../errors.ts";
import { checkUuid, isUuid } from "../ids.ts";
import {
  type BaseRecord,
  type CallOptions,
  checkVersion,
  editRecord,
  existsAtAll,
  type RecordKind,
  recordVersions,
  requireRecord,
  saveRecord,
  submitted,
} from "./record.ts";

/** A component record as the server returns it (API.md §9). */
export interface ComponentRecord extends BaseRecord {
  /** Always `"component"`. */
  recordType: "component";
  /** The full UUID, lowercase. */
  componentUuid: string;
  /** flickrBase58, 22 characters: what the QR label shows. */
  shortUuid: string;
  /** The component type form ID. */
  formId: string;
  /** The type's display name. */
  formName: string;
  /** The workflow the component belongs to, if any. */
  workflowId?: string;
  /** Where and when the component was received (set by the server for new components). */
  reception?: { date: string; detail: string; location: string } | null;
}

// Types whose new components get their name from the server (API.md §5).
const NAMED_BY_SERVER = new Set([
  "GeometryBoard",
  "GroundingMeshPanel",
  "CRBoard",
  "GBiasBoard",
  "CEAdapterBoard",
  "SHVBoard",
  "CableHarness",
  "DWA",
  "DWAPDB",
]);

/**
 * Whether a stored component holds what `sent` was: its data equals it but
 * for what the server fills in on a new component (API.md §5): the
 * `typeRecordNumber`, unless the row gave one, and for some types the name.
 *
 * @example
 * ```ts
 * import { componentStoredAsSent } from "./components.ts";
 * console.assert(componentStoredAsSent("basic_component", { a: 1, typeRecordNumber: 3 }, { a: 1 }));
 * ```
 */
export function componentStoredAsSent(
  formId: string,
  stored: JsonObject,
  sent: JsonObject,
): boolean {
  const filled = new Set<string>();
  if (!sent.typeRecordNumber) filled.add("typeRecordNumber");
  if (NAMED_BY_SERVER.has(formId)) filled.add("name");
  const without = (data: JsonObject) =>
    Object.fromEntries(Object.entries(data).filter(([field]) => !filled.has(field)));
  return jsonEqual(without(stored), without(sent));
}

/** How the API names components (for the record helpers). */
export const COMPONENT: RecordKind = { name: "component", idField: "componentUuid" };

/** A component as CreateComponent sends it. */
export interface NewComponent {
  formId: string;
  data: JsonObject;
}

/**
 * Sends a new component under `componentUuid`, which the caller has just
 * made and never sent (the server accepts any UUID-shaped value, API.md §4):
 * after a lost reply it is looked up, never stored twice. For the bulk
 * uploader, which journals UUIDs before sending.
 */
export async function sendNewComponent(
  component: NewComponent,
  componentUuid: string,
  connection: Connection,
  headers: RequestHeaders | undefined,
  options: CallOptions = {},
): Promise<string> {
  return await saveRecord(
    COMPONENT,
    componentUuid,
    { componentUuid, formId: component.formId, data: component.data },
    `create a ${JSON.stringify(component.formId)} component ${componentUuid}`,
    existsAtAll,
    connection,
    headers,
    options,
  );
}

/**
 * Creates a component of the given type and returns its new UUID (asked of
 * the server, like the web interface). `data` gets `submit: true` like the
 * web form sets it, on a copy: the caller's object is not changed. A lost
 * reply is checked before any re-send, so the component is never created twice.
 *
 * @example
 * ```ts ignore
 * const componentUUID = await CreateComponent("basic_component", { name: "Frame 7" }, connection, headers);
 * ```
 */
export async function CreateComponent(
  componentTypeFormID: string,
  componentData: JsonObject,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<string> {
  const component: NewComponent = {
    formId: checkTypeFormId(componentTypeFormID, "componentTypeFormID"),
    data: submitted(checkData(componentData, "componentData")),
  };
  const reply = await connection.request({
    method: "GET",
    path: "/api/newComponentUUID",
    what: "get a new component UUID",
    headers,
    signal: options.signal,
  });
  if (!isUuid(reply)) {
    throw new ApiError(
      `get a new component UUID: the server answered ${connection.excerpt(reply)}, not a UUID`,
      { method: "GET", path: "/api/newComponentUUID" },
    );
  }
  return await sendNewComponent(component, reply.toLowerCase(), connection, headers, options);
}

/**
 * Changes the named `data` fields of a component (one value per field) and
 * returns its UUID. The server keeps every version: this adds one.
 *
 * @example
 * ```ts ignore
 * await EditComponent(componentUUID, ["name", "mass"], ["Frame 7b", 12.5], connection, headers);
 * ```
 */
export async function EditComponent(
  componentUUID: string,
  componentDataFields: string[],
  componentDataValues: unknown[],
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<string> {
  const componentUuid = checkUuid(componentUUID, "componentUUID");
  const edits = checkFieldEdits(componentDataFields, componentDataValues);
  return await editRecord(COMPONENT, componentUuid, edits, connection, headers, options);
}

/**
 * The latest version of a component, or the given `version`; a
 * {@linkcode NotFoundError} when there is none.
 *
 * @example
 * ```ts ignore
 * const component = await GetComponent(componentUUID, connection, headers);
 * console.log(component.data.name, component.validity.version);
 * ```
 */
export async function GetComponent(
  componentUUID: string,
  connection: Connection,
  headers?: RequestHeaders,
  version?: number,
  options: CallOptions = {},
): Promise<ComponentRecord> {
  const componentUuid = checkUuid(componentUUID, "componentUUID");
  return await requireRecord(
    COMPONENT,
    componentUuid,
    connection,
    headers,
    checkVersion(version),
    options,
  ) as ComponentRecord;
}

/**
 * Every version of a component, oldest first (one request per version).
 *
 * @example
 * ```ts ignore
 * for (const version of await GetComponentVersions(componentUUID, connection)) {
 *   console.log(version.validity.version, version.data);
 * }
 * ```
 */
export async function GetComponentVersions(
  componentUUID: string,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<ComponentRecord[]> {
  const componentUuid = checkUuid(componentUUID, "componentUUID");
  return await recordVersions(
    COMPONENT,
    componentUuid,
    connection,
    headers,
    options,
  ) as ComponentRecord[];
}
