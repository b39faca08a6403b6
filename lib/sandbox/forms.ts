/**
 * Type forms: loading the sandbox's definitions, saving new versions as
 * POST `/api/<coll>/<id>` does, and the entries the listing routes return.
 *
 * @module
 */

import { newObjectId } from "../ids.ts";
import {
  field,
  hasKey,
  insertion,
  isObjectInput,
  type SaveContext,
  validity,
} from "./save_common.ts";
import { plainError } from "./server_error.ts";
import type {
  FormCollection,
  JsonObject,
  JsonValue,
  StoredRecord,
  TypeFormDefinition,
} from "./types.ts";
import defaultForms from "./default_forms.json" with { type: "json" };

/** The three collections, as the route pattern spells them. */
export const FORM_COLLECTIONS: readonly FormCollection[] = [
  "componentForms",
  "actionForms",
  "workflowForms",
];

function fail(index: number, message: string): never {
  throw new TypeError(`type form #${index + 1}: ${message}`);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Checks parsed JSON as a list of {@linkcode TypeFormDefinition}s; throws a TypeError naming the bad entry. */
export function checkFormDefinitions(value: unknown): TypeFormDefinition[] {
  if (!Array.isArray(value)) throw new TypeError("type forms must be a JSON array of form objects");
  value.forEach((form: unknown, index) => {
    if (typeof form !== "object" || form === null || Array.isArray(form)) {
      fail(index, "is not an object");
    }
    const entry = form as Record<string, unknown>;
    if (!FORM_COLLECTIONS.includes(entry.collection as FormCollection)) {
      fail(index, `collection must be one of ${FORM_COLLECTIONS.join(", ")}`);
    }
    if (typeof entry.formId !== "string" || entry.formId === "") {
      fail(index, "formId must be a non-empty string");
    }
    if (typeof entry.formName !== "string") {
      fail(index, `${entry.formId}: formName must be a string`);
    }
    if (typeof entry.schema !== "object" || entry.schema === null) {
      fail(index, `${entry.formId}: schema must be an object`);
    }
    for (const key of ["tags", "componentTypes"]) {
      if (entry[key] !== undefined && !isStringArray(entry[key])) {
        fail(index, `${entry.formId}: ${key} must be an array of strings`);
      }
    }
    if (entry.path !== undefined && !Array.isArray(entry.path)) {
      fail(index, `${entry.formId}: path must be an array`);
    }
  });
  return value as TypeFormDefinition[];
}

/** The definitions from the option: an array, a JSON file path, or the default set. */
export async function loadFormDefinitions(
  source: TypeFormDefinition[] | string | undefined,
): Promise<TypeFormDefinition[]> {
  if (source === undefined) return checkFormDefinitions(structuredClone(defaultForms));
  if (typeof source !== "string") return checkFormDefinitions(structuredClone(source));
  let text: string;
  try {
    text = await Deno.readTextFile(source);
  } catch (error) {
    throw new Error(`cannot read type forms file ${source}: ${(error as Error).message}`);
  }
  try {
    return checkFormDefinitions(JSON.parse(text));
  } catch (error) {
    throw new Error(`type forms file ${source}: ${(error as Error).message}`);
  }
}

/** Builds a form document in the stored field order of API.md §4 (as Forms.save does). */
function formDocument(
  input: JsonObject,
  collection: string,
  insertionBlock: JsonObject,
  validityBlock: JsonObject,
  nowMs: number,
): StoredRecord {
  const document: StoredRecord = {
    _id: newObjectId(nowMs),
    recordType: "form",
    formId: input.formId,
    formName: input.formName,
    collection,
  };
  if (collection !== "componentForms") document.componentTypes = input.componentTypes || [];
  if (collection === "workflowForms") {
    document.description = input.description || "";
    document.path = input.path || [];
  }
  document.tags = input.tags || [];
  document.schema = input.schema;
  document.isBatch = input.isBatch || false;
  document.insertion = insertionBlock;
  document.validity = validityBlock;
  return document;
}

/** Stores version 1 of each definition that the store does not hold yet (a persisted edit wins). */
export function installForms(
  store: SaveContext["store"],
  definitions: readonly TypeFormDefinition[],
  nowMs: number,
): void {
  for (const definition of definitions) {
    if (store.latestVersion(definition.collection, definition.formId) > 0) continue;
    const input = definition as unknown as JsonObject;
    const date = new Date(nowMs).toISOString();
    const document = formDocument(
      input,
      definition.collection,
      {
        insertDate: date,
        ip: "",
        user: { user_id: "sandbox", displayName: "Sandbox", emails: [] },
      },
      { startDate: date, version: 1, ancestor_id: null },
      nowMs,
    );
    store.insert(definition.collection, {
      key: definition.formId,
      version: 1,
      typeId: definition.formId,
    }, document);
  }
}

/** POST `/api/<coll>/<id>`: saves a new version under the body's `formId`; returns that formId. */
export function saveForm(input: unknown, collection: string, context: SaveContext): JsonValue {
  if (!isObjectInput(input)) {
    throw plainError("Forms::save() - the 'input' object has not been specified!");
  }
  for (const key of ["formId", "formName", "schema"]) {
    if (!hasKey(input, key)) {
      throw plainError(`Forms::save() - the 'input.${key}' has not been specified!`);
    }
  }
  const body = input as JsonObject;
  const insertionBlock = insertion(context);
  if (!body.formId) throw plainError("Forms::retrieve(): the 'formId' has not been specified!");
  const key = String(body.formId);
  const latest = context.store.latestVersion(collection, key);
  const document = formDocument(
    body,
    collection,
    insertionBlock,
    validity(context, latest, field(body, "_id")),
    context.now(),
  );
  context.store.insert(collection, { key, version: latest + 1, typeId: key }, document);
  return body.formId;
}

/** The latest type form of `formId` in `collection`, as the record saves look it up. */
export function findTypeForm(
  store: SaveContext["store"],
  collection: FormCollection,
  formId: JsonValue | undefined,
): StoredRecord | null {
  if (formId === undefined) return null;
  return store.get(collection, typeof formId === "string" ? formId : String(formId));
}

/** One entry of `/<coll>`, `/<coll>/object` and `/<coll>/list` (NEW's projection). */
function listEntry(form: StoredRecord, collection: string): JsonObject {
  const entry: JsonObject = {
    _id: form.formId,
    formId: form.formId,
    formName: form.formName,
    tags: form.tags ?? null,
  };
  if (collection !== "componentForms") entry.componentTypes = form.componentTypes ?? null;
  if (collection === "workflowForms") entry.path = form.path ?? null;
  return entry;
}

/** The latest version of each form of a collection, sorted by formName as NEW does. */
export function listForms(store: SaveContext["store"], collection: string): JsonObject[] {
  return store.latestOfEach(collection)
    .map((form) => listEntry(form, collection))
    .sort((a, b) => {
      const left = String(a.formName);
      const right = String(b.formName);
      return left < right ? -1 : left > right ? 1 : 0;
    });
}

/** The same entries keyed by formId (a plain object, so JavaScript's key order applies). */
export function formsObject(entries: readonly JsonObject[]): JsonObject {
  // No prototype: a form called "__proto__" must stay an ordinary key.
  const object: JsonObject = Object.create(null);
  for (const entry of entries) object[String(entry.formId)] = entry;
  return object;
}
