/**
 * The NEW list routes' aggregation (API.md §4, §8.6–8.7): match every
 * version on the type, keep the highest matching version per record, sort
 * by last edit (newest first), cap.
 *
 * @module
 */

import type { RecordStore, SequencedRecord } from "./store.ts";
import { readPropertyError, typeError } from "./server_error.ts";
import type { JsonObject, JsonValue } from "./types.ts";

/** The list routes' silent caps. */
export const COMPONENT_LIST_CAP = 500;
/** The list routes' silent caps. */
export const ACTION_LIST_CAP = 200;

// Component types whose list entries the server renames by splitting data.name.
const SPLIT_NAME_TYPES = new Set([
  "APAFrame",
  "AssembledAPA",
  "GroundingMeshPanel",
  "CRBoard",
  "GBiasBoard",
  "CEAdapterBoard",
  "SHVBoard",
  "CableHarness",
]);

function version(entry: SequencedRecord): number {
  const validity = entry.document.validity as JsonObject | undefined;
  return Number(validity?.version ?? 0);
}

function startDate(entry: SequencedRecord): string {
  const validity = entry.document.validity as JsonObject | undefined;
  return String(validity?.startDate ?? "");
}

/** The highest version of each record among `entries`, keyed by `keyField`. */
function latestPerRecord(entries: SequencedRecord[], keyField: string): SequencedRecord[] {
  const latest = new Map<string, SequencedRecord>();
  for (const entry of entries) {
    const key = String(entry.document[keyField]);
    const seen = latest.get(key);
    if (!seen || version(entry) >= version(seen)) latest.set(key, entry);
  }
  return [...latest.values()];
}

function descending(left: string, right: string): number {
  return left < right ? 1 : left > right ? -1 : 0;
}

/** Newest last edit first; equal dates fall back to the later insert first. */
function byLastEdit(a: SequencedRecord, b: SequencedRecord): number {
  return descending(startDate(a), startDate(b)) || b.seq - a.seq;
}

// MongoDB's $substr: ['$data.name', 13, 5]; a missing name gives "".
function shortName(entry: SequencedRecord): string {
  const data = entry.document.data;
  const name: JsonValue | undefined =
    typeof data === "object" && data !== null && !Array.isArray(data) ? data.name : undefined;
  if (name === undefined || name === null) return "";
  return (typeof name === "object" ? "" : String(name)).slice(13, 18);
}

/** GET `/components/<typeFormId>/list`: UUIDs, at most 500. */
export function listComponents(store: RecordStore, typeFormId: string): string[] {
  const latest = latestPerRecord(store.ofType("components", typeFormId), "componentUuid");
  if (typeFormId === "APAFrame" || typeFormId === "AssembledAPA") {
    latest.sort((a, b) => descending(shortName(a), shortName(b)) || b.seq - a.seq);
  } else {
    latest.sort(byLastEdit);
  }
  const listed = latest.slice(0, COMPONENT_LIST_CAP);
  if (SPLIT_NAME_TYPES.has(typeFormId)) {
    for (const entry of listed) {
      const data = entry.document.data as JsonObject | null;
      const name = data?.name;
      if (name === undefined || name === null) {
        throw readPropertyError(name === null ? null : undefined, "split");
      }
      if (typeof name !== "string") throw typeError("record.name.split is not a function");
    }
  }
  return listed.map((entry) => String(entry.document.componentUuid));
}

/** GET `/actions/<typeFormId>/list[?uuid=]`: action IDs, at most 200. */
export function listActions(
  store: RecordStore,
  typeFormId: string,
  componentUuid?: string,
): string[] {
  return latestPerRecord(store.ofType("actions", typeFormId, componentUuid), "actionId")
    .sort(byLastEdit)
    .slice(0, ACTION_LIST_CAP)
    .map((entry) => String(entry.document.actionId));
}

/**
 * GET `/workflows/<typeFormId>/list`: NEW reads a field its list no longer
 * returns (API.md §8.6), so any match is a 500; no match is `[[],[]]`.
 */
export function listWorkflows(store: RecordStore, typeFormId: string): JsonValue {
  if (store.ofType("workflows", typeFormId).length > 0) {
    throw typeError("Cannot read properties of undefined (reading 'length')");
  }
  return [[], []];
}
