/**
 * What components, actions and workflows have in common: the record shape,
 * reading one version, and the edit-by-re-posting that makes a new version.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import { jsonEqual, type JsonObject } from "../data.ts";
import { ApiError, NotFoundError, ValidationError } from "../errors.ts";
import type { VerifyResult } from "../http.ts";

/** Who stored a version, and when (filled in by the server). */
export interface Insertion {
  /** When this version was stored (ISO 8601). */
  insertDate: string;
  /** The address the save came from, as the server saw it. */
  ip: string;
  /** Who stored it; for M2M clients `user_id` is the client ID. */
  user: { user_id: string; displayName: string; emails: string[] };
}

/** Which version a document is. */
export interface Validity {
  /** When this version became current (ISO 8601). */
  startDate: string;
  /** 1 for the first version, then +1 per save. */
  version: number;
  /** `_id` of the version this one was made from; `null` for version 1. */
  ancestor_id: string | null;
}

/** Fields every stored record has. Unknown extra fields are kept as they came. */
export interface BaseRecord {
  /** This version's document ID (24 hex). */
  _id: string;
  /** The type form fields, as submitted. */
  data: JsonObject;
  /** Who stored this version, and when. */
  insertion: Insertion;
  /** Which version this is. */
  validity: Validity;
  /** Fields this client does not know yet, kept as the server sent them. */
  [field: string]: unknown;
}

/** Per-call options of the record functions. */
export interface CallOptions {
  /** Stops waiting and retrying when aborted. */
  signal?: AbortSignal;
}

/** The three kinds of record and how the API names them. */
export interface RecordKind {
  /** Route segment and word for messages: `component`, `action`, `workflow`. */
  name: "component" | "action" | "workflow";
  /** The record field holding its stable ID. */
  idField: "componentUuid" | "actionId" | "workflowId";
}

/** Percent-encodes one path segment, so an ID can never change the route. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** Checks a version number argument: undefined/0 = latest, else a positive integer. */
export function checkVersion(version: unknown): number | undefined {
  if (version === undefined || version === 0) return undefined;
  if (typeof version === "number" && Number.isSafeInteger(version) && version > 0) return version;
  throw new ValidationError(
    `version ${
      JSON.stringify(version)
    } is not a version number: give 1, 2, ... (or 0 for the latest)`,
  );
}

function checkRecord(value: unknown, kind: RecordKind, id: string, path: string): BaseRecord {
  const record = value as BaseRecord;
  if (
    typeof record !== "object" || record === null || typeof record._id !== "string" ||
    typeof record.data !== "object" || typeof record.validity?.version !== "number" ||
    String(record[kind.idField]).toLowerCase() !== id
  ) {
    throw new ApiError(
      `get ${kind.name} ${id}: the server's reply is not a ${kind.name} record with that ID`,
      { method: "GET", path },
    );
  }
  return record;
}

/**
 * Reads one version (the latest when `version` is undefined) of a record;
 * `null` when the server has none (it answers 200 `null`, API.md §8.3).
 */
export async function fetchRecord(
  kind: RecordKind,
  id: string,
  connection: Connection,
  headers: RequestHeaders | undefined,
  version: number | undefined,
  options: CallOptions & { retry?: false } = {},
): Promise<BaseRecord | null> {
  const path = `/api/${kind.name}/${segment(id)}${version ? `?version=${version}` : ""}`;
  const reply = await connection.request({
    method: "GET",
    path,
    what: `get ${kind.name} ${id}${version ? ` version ${version}` : ""}`,
    headers,
    retry: options.retry,
    signal: options.signal,
  });
  return reply === null ? null : checkRecord(reply, kind, id, path);
}

/** Like {@linkcode fetchRecord}, but a missing record is a {@linkcode NotFoundError}. */
export async function requireRecord(
  kind: RecordKind,
  id: string,
  connection: Connection,
  headers: RequestHeaders | undefined,
  version: number | undefined,
  options: CallOptions = {},
): Promise<BaseRecord> {
  const record = await fetchRecord(kind, id, connection, headers, version, options);
  if (record !== null) return record;
  const which = version ? `version ${version} of ${kind.name} ${id}` : `${kind.name} ${id}`;
  throw new NotFoundError(
    `there is no ${which} in the DB at ${connection.dbBaseUrl}: check the ID` +
      (version ? " and the version number" : " (and that you use the right instance)"),
    { method: "GET", path: `/api/${kind.name}/${segment(id)}` },
  );
}

/** Checks that a save answered with the ID it was given (a JSON string). */
export function expectSavedId(
  reply: unknown,
  id: string,
  kind: RecordKind,
  connection: Connection,
): string {
  if (typeof reply === "string" && reply.toLowerCase() === id) return id;
  throw new ApiError(
    `save ${kind.name} ${id}: the server answered ${connection.excerpt(reply)} ` +
      `instead of the ${kind.name}'s ID`,
    { method: "POST", path: `/api/${kind.name}` },
  );
}

/** Reads a version (the latest when undefined) of the record being saved. */
export type ReadVersion = (version?: number) => Promise<BaseRecord | null>;

/**
 * After an unclear failure: `true` when what we sent is stored, else `false`,
 * or a new body to send instead.
 */
export type StoredCheck = (read: ReadVersion) => Promise<boolean | Record<string, unknown>>;

/**
 * Saves a record body and returns its ID. After an ambiguous failure the
 * record is looked up first: `isStored` decides whether the version we sent
 * is there, so a retry never stores it twice.
 */
export async function saveRecord(
  kind: RecordKind,
  id: string,
  body: Record<string, unknown>,
  what: string,
  isStored: StoredCheck,
  connection: Connection,
  headers: RequestHeaders | undefined,
  options: CallOptions = {},
): Promise<string> {
  const read: ReadVersion = (version) =>
    fetchRecord(kind, id, connection, headers, version, { retry: false, signal: options.signal });
  const verify = async (): Promise<VerifyResult> => {
    const stored = await isStored(read);
    if (stored === true) return { found: true, value: id };
    return stored === false ? { found: false } : { found: false, resend: JSON.stringify(stored) };
  };
  const reply = await connection.request({
    method: "POST",
    path: `/api/${kind.name}`,
    what,
    body,
    headers,
    verify,
    signal: options.signal,
  });
  return expectSavedId(reply, id, kind, connection);
}

/** The stored-check of a create: with an ID never used before, any record is ours. */
export const existsAtAll = async (read: ReadVersion): Promise<boolean> => (await read()) !== null;

/**
 * `data` as sent to the server: with `submit: true` like the web form adds,
 * unless the caller gave `submit` a value of its own.
 */
export function submitted(data: JsonObject): JsonObject {
  return Object.hasOwn(data, "submit") ? data : { ...data, submit: true };
}

/**
 * Edits a record the way the server expects (API.md §5): read the latest
 * version, change only the named `data` fields, post the whole record back.
 * The server stores it as version latest + 1.
 */
export async function editRecord(
  kind: RecordKind,
  id: string,
  edits: JsonObject,
  connection: Connection,
  headers: RequestHeaders | undefined,
  options: CallOptions = {},
): Promise<string> {
  const first = await requireRecord(kind, id, connection, headers, undefined, options);
  // Every version we posted from, with the data we posted: any of them may be stored.
  const sent = [{ base: first, data: { ...first.data, ...edits } }];
  const fields = Object.keys(edits).map((field) => JSON.stringify(field)).join(", ");
  return await saveRecord(
    kind,
    id,
    { ...first, data: sent[0].data },
    `edit ${fields} of ${kind.name} ${id}`,
    // Ours is a newer version made from one we posted from, holding the data
    // we posted. Others may edit meanwhile: every newer version is looked at,
    // and if ours is not there the edit is re-applied to the latest version,
    // so another client's change is kept, not overwritten.
    async (read) => {
      const latest = await read();
      if (latest === null) return false;
      for (let version = latest.validity.version; version > first.validity.version; version--) {
        const candidate = version === latest.validity.version ? latest : await read(version);
        const ours = sent.some(({ base, data }) =>
          candidate?.validity.ancestor_id === base._id && jsonEqual(candidate.data, data)
        );
        if (ours) return true;
      }
      const data = { ...latest.data, ...edits };
      sent.push({ base: latest, data });
      return { ...latest, data };
    },
    connection,
    headers,
    options,
  );
}

/**
 * Every version of a record, oldest first, read one by one (`?version=1..N`):
 * the API has no history route, so this costs one request per version.
 */
export async function recordVersions(
  kind: RecordKind,
  id: string,
  connection: Connection,
  headers: RequestHeaders | undefined,
  options: CallOptions = {},
): Promise<BaseRecord[]> {
  const latest = await requireRecord(kind, id, connection, headers, undefined, options);
  const versions: BaseRecord[] = [];
  for (let version = 1; version < latest.validity.version; version++) {
    versions.push(await requireRecord(kind, id, connection, headers, version, options));
  }
  versions.push(latest);
  return versions;
}
