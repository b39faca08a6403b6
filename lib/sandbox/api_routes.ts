/**
 * The `/api` routes a machine client uses (API.md §4), in Express's
 * registration order, each with its permission and handler.
 *
 * @module
 */

import {
  BASE57,
  FLICKR_BASE58,
  fromShortUuid,
  isUuid,
  newUuidV1,
  type ShortUuidAlphabet,
} from "../ids.ts";
import { ValidationError } from "../errors.ts";
import { formsObject, listForms, saveForm } from "./forms.ts";
import { listActions, listComponents, listWorkflows } from "./lists.ts";
import { errorReply, jsonReply, type Reply } from "./reply.ts";
import { type Route, route } from "./router.ts";
import { saveAction } from "./save_action.ts";
import type { SaveContext } from "./save_common.ts";
import { saveComponent } from "./save_component.ts";
import { saveWorkflow } from "./save_workflow.ts";
import { plainError, typeError } from "./server_error.ts";
import type { JsonValue } from "./types.ts";

/** What a route handler gets. */
export interface ApiRequest {
  /** Decoded route parameters. */
  params: (string | undefined)[];
  /** The query string. */
  query: URLSearchParams;
  /** The parsed body (`{}` unless the request was JSON). */
  body: unknown;
  /** Store, clock and the caller's identity. */
  context: SaveContext;
}

/** A reply, and work the live server does only after replying (componentBatch). */
export interface ApiResult {
  /** The reply. */
  reply: Reply;
  /** Runs after the reply was written. */
  after?: () => void;
}

/** A route's permission and handler. */
export interface ApiRoute {
  /** Permission the token must hold, if any. */
  permission?: string;
  /** Produces the reply; a thrown ServerError becomes 500 `{"error": ...}`. */
  run: (request: ApiRequest) => Reply | ApiResult;
}

const UUID = "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}";
const OBJECT_ID = "[A-Fa-f0-9]{24}";
const SHORT_UUID = "[0-9a-bA-Z-]{20,22}";
const PARAM = "([^/]+?)";
const FORM_COLLECTION = "(componentForms|actionForms|workflowForms)";
const ALPHABETS: Record<ShortUuidAlphabet, string> = {
  flickrBase58: FLICKR_BASE58,
  base57: BASE57,
};

const ok = (value: JsonValue): Reply => jsonReply(200, value);

/** NEW's `?version=`: a truthy value goes through parseInt; NaN and 0 find nothing. */
function requestedVersion(query: URLSearchParams): number | undefined {
  const values = query.getAll("version");
  // qs turns a repeated parameter into an array, which parseInt sees as "a,b".
  const raw = values.join(",");
  return raw === "" ? undefined : Number.parseInt(raw, 10);
}

function getRecord(collection: string, request: ApiRequest): Reply {
  const version = requestedVersion(request.query);
  if (version !== undefined && !(version > 0)) return ok(null);
  const key = String(request.params[0]).toLowerCase();
  return ok(request.context.store.get(collection, key, version));
}

/** short-uuid's toUUID, with any-base's message for a digit outside the alphabet. */
function decodeShortUuid(shortUuid: string, alphabet: ShortUuidAlphabet): string {
  try {
    return fromShortUuid(shortUuid, alphabet);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw plainError(
      `Number "${shortUuid}" contains of non-alphabetic digits (${ALPHABETS[alphabet]})`,
    );
  }
}

function confirmShortUuid(request: ApiRequest): Reply {
  const shortUuid = String(request.params[0]);
  const store = request.context.store;
  const flickr = decodeShortUuid(shortUuid, "flickrBase58");
  if (store.latestVersion("components", flickr) > 0) return ok(flickr);
  const base57 = decodeShortUuid(shortUuid, "base57");
  if (store.latestVersion("components", base57) > 0) return ok(base57);
  return errorReply(404, `There is no component record with component UUID = ${base57}`);
}

function componentBatch(request: ApiRequest): ApiResult {
  const body = request.body;
  if (!Array.isArray(body)) throw typeError("req.body.forEach is not a function");
  return {
    reply: ok(body.map(() => ({}))),
    after: () => {
      // The live server does not await these saves; a failure there is an unhandled rejection.
      for (const element of body) {
        try {
          saveComponent(element, request.context);
        } catch {
          // Nobody is told, as on the live server (which may even stop: API.md §8.5).
        }
      }
    },
  };
}

function listActionsRoute(request: ApiRequest): Reply {
  const uuid = request.query.getAll("uuid").join(",");
  if (uuid !== "" && !isUuid(uuid)) throw plainError("Invalid UUID.");
  const typeFormId = String(request.params[0]);
  return ok(
    listActions(request.context.store, typeFormId, uuid === "" ? undefined : uuid.toLowerCase()),
  );
}

function listFormsRoute(request: ApiRequest): Reply {
  const [collection, format] = request.params;
  const entries = listForms(request.context.store, String(collection));
  // The format parameter matches case-insensitively but is compared exactly.
  return ok(format === "list" ? entries : formsObject(entries));
}

function getForm(request: ApiRequest): Reply {
  const [collection, typeFormId] = request.params.map(String);
  const form = request.context.store.get(collection, typeFormId);
  if (!form) {
    return errorReply(
      404,
      `There is no type form with form ID = ${typeFormId} in the ${collection} collection`,
    );
  }
  return ok(form);
}

/** Every routed `/api` path, in the server's order. */
export const API_ROUTES: readonly Route<ApiRoute>[] = [
  route("GET", `/component/(${UUID})`, {
    permission: "components:view",
    run: (request) => getRecord("components", request),
  }),
  route("POST", "/component", {
    permission: "components:edit",
    run: (request) => ok(saveComponent(request.body, request.context)),
  }),
  route("POST", "/componentBatch", { permission: "components:edit", run: componentBatch }),
  route("GET", "/newComponentUUID", { run: (request) => ok(newUuidV1(request.context.now())) }),
  route("GET", `/confirmShortUUID/(${SHORT_UUID})`, { run: confirmShortUuid }),
  route("GET", `/components/${PARAM}/list`, {
    permission: "components:view",
    run: (request) => ok(listComponents(request.context.store, String(request.params[0]))),
  }),
  route("GET", `/action/(${OBJECT_ID})`, {
    permission: "actions:view",
    run: (request) => getRecord("actions", request),
  }),
  route("POST", "/action", {
    permission: "actions:perform",
    run: (request) => ok(saveAction(request.body, request.context)),
  }),
  route("GET", `/actions/${PARAM}/list`, { permission: "actions:view", run: listActionsRoute }),
  route("GET", `/workflow/(${OBJECT_ID})`, {
    permission: "workflows:view",
    run: (request) => getRecord("workflows", request),
  }),
  route("POST", "/workflow", {
    permission: "workflows:edit",
    run: (request) => ok(saveWorkflow(request.body, request.context)),
  }),
  route("GET", `/workflows/${PARAM}/list`, {
    permission: "workflows:view",
    run: (request) => ok(listWorkflows(request.context.store, String(request.params[0]))),
  }),
  route("GET", `/${FORM_COLLECTION}(?:/(list|object))?`, { run: listFormsRoute }),
  route("GET", `/${FORM_COLLECTION}/${PARAM}`, { run: getForm }),
  route("POST", `/${FORM_COLLECTION}/${PARAM}`, {
    permission: "forms:edit",
    run: (request) => ok(saveForm(request.body, String(request.params[0]), request.context)),
  }),
];
