/**
 * Type forms: the definitions of component, action and workflow types.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import { checkTypeFormId } from "../data.ts";
import { ApiError, ValidationError } from "../errors.ts";
import { quote } from "../ids.ts";
import { type CallOptions, segment } from "./record.ts";

/** The three collections of type forms. */
export type TypeFormCollection = "componentForms" | "actionForms" | "workflowForms";

const COLLECTIONS: readonly TypeFormCollection[] = [
  "componentForms",
  "actionForms",
  "workflowForms",
];

/** One entry of a type form listing. */
export interface TypeFormSummary {
  /** The type form ID, e.g. `"basic_component"`. */
  formId: string;
  /** The display name, e.g. `"Basic Component"`. */
  formName: string;
  /** Free tags. */
  tags: string[];
  /** For action and workflow forms: the component types they apply to. */
  componentTypes?: string[];
  /** Fields this client does not know yet, kept as the server sent them. */
  [field: string]: unknown;
}

/** A full type form record, with its Formio `schema`. */
export interface TypeFormRecord extends TypeFormSummary {
  /** Always `"form"`. */
  recordType: "form";
  /** The collection it belongs to. */
  collection: string;
  /** The Formio schema of the form. */
  schema: unknown;
  /** Which version of the form this is. */
  validity: { startDate: string; version: number; ancestor_id: string | null };
}

function checkCollection(collection: unknown): TypeFormCollection {
  if (COLLECTIONS.includes(collection as TypeFormCollection)) {
    return collection as TypeFormCollection;
  }
  throw new ValidationError(
    `collection ${quote(collection)} is not a type form collection: use ${COLLECTIONS.join(", ")}`,
  );
}

/**
 * The latest version of one type form; a {@linkcode NotFoundError} if the
 * collection has no form with that ID.
 *
 * @example
 * ```ts ignore
 * const form = await GetTypeForm("actionForms", "my_action", connection, headers);
 * ```
 */
export async function GetTypeForm(
  collection: TypeFormCollection,
  typeFormID: string,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<TypeFormRecord> {
  const name = checkCollection(collection);
  const formId = checkTypeFormId(typeFormID, "typeFormID");
  // Routing is case-insensitive: "LIST" reaches the list route too.
  if (formId.toLowerCase() === "list" || formId.toLowerCase() === "object") {
    throw new ValidationError(
      `typeFormID ${quote(formId)} cannot be fetched: the server reserves it`,
    );
  }
  const path = `/api/${name}/${segment(formId)}`;
  const reply = await connection.request({
    method: "GET",
    path,
    what: `get type form ${JSON.stringify(formId)} of ${name}`,
    headers,
    signal: options.signal,
  });
  const form = reply as TypeFormRecord;
  if (typeof form !== "object" || form === null || form.formId !== formId) {
    throw new ApiError(`get type form ${formId}: the reply is not that type form`, {
      method: "GET",
      path,
    });
  }
  return form;
}

/**
 * The latest version of every type form of a collection, sorted by name.
 *
 * @example
 * ```ts ignore
 * for (const form of await ListTypeForms("componentForms", connection)) console.log(form.formId);
 * ```
 */
export async function ListTypeForms(
  collection: TypeFormCollection,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<TypeFormSummary[]> {
  const name = checkCollection(collection);
  const path = `/api/${name}/list`;
  const reply = await connection.request({
    method: "GET",
    path,
    what: `list the ${name}`,
    headers,
    signal: options.signal,
  });
  if (!Array.isArray(reply)) {
    throw new ApiError(`list the ${name}: the reply is not a list`, { method: "GET", path });
  }
  // NEW sorts by formName, OLD does not: sort here (code-unit order, like MongoDB's).
  return (reply as TypeFormSummary[]).toSorted((a, b) =>
    a.formName < b.formName ? -1 : a.formName > b.formName ? 1 : 0
  );
}
