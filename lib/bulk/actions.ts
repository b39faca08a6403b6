/**
 * Bulk action upload: many measurements, each performed as an action on its
 * component, concurrently, resumably and exactly once.
 *
 * @module
 */

import { checkData, checkTypeFormId, type JsonObject } from "../data.ts";
import { checkObjectId, newObjectId } from "../ids.ts";
import { ACTION, actionStoredAsSent, sendNewAction } from "../records/actions.ts";
import { fetchRecord, submitted } from "../records/record.ts";
import { type BulkRun, startRun } from "./engine.ts";
import { fingerprint } from "./fingerprint.ts";
import { ComponentResolver } from "./resolver.ts";
import { type RowKind, succeeded } from "./row.ts";
import type { ActionResult, ActionRow, BulkOptions, InvalidRow, RowSource } from "./types.ts";

interface PreparedAction {
  typeFormId: string;
  componentUuid: string;
  data: JsonObject;
}

/**
 * Performs one action per row and yields each row's result as it finishes;
 * `summary()` gives the totals. At most `concurrency` (default 4) requests
 * are in flight and about as many rows are held, so any input size runs in
 * flat memory. Each action's ID is chosen here and, with a `journal`,
 * written to it before the request: re-running after a crash, Ctrl-C or
 * `kill -9` skips rows already done, looks up rows sent without a recorded
 * outcome, and sends the rest, so every row is stored exactly once.
 * Short UUIDs are resolved once each, and each distinct component and action
 * type form is looked up once (GET), so an action on a component that does not
 * exist, or whose type the action type form does not list, fails as a row
 * (also in a dry run) instead of being stored: the server checks neither.
 * A row's failure never stops the run.
 *
 * @example
 * ```ts ignore
 * import { ConnectToAPI, uploadActions } from "@dune/m2m";
 *
 * const { connection } = await ConnectToAPI({ instance: "sandbox" });
 * const rows = [
 *   { row: 1, typeFormId: "my_action", component: "sYYtwWFURzCyHVYavMrQDd", data: { t: 12.04 } },
 *   { row: 2, typeFormId: "my_action", component: "sYYtwWFURzCyHVYavMrQDd", data: { t: 12.07 } },
 * ];
 * const run = uploadActions(rows, { connection, journal: "run.journal.jsonl" });
 * for await (const result of run) {
 *   if (!result.ok) console.error(`row ${result.row}: ${result.error?.message}`);
 * }
 * const summary = await run.summary();
 * console.log(`${summary.uploaded} uploaded, ${summary.alreadyDone} already done`);
 * connection.close();
 * ```
 */
export function uploadActions<R extends ActionRow | InvalidRow>(
  rows: RowSource<R>,
  options: BulkOptions,
): BulkRun<ActionResult<R>> {
  const { connection, headers } = options;
  const resolver = new ComponentResolver(connection, headers);
  const kind: RowKind<R, PreparedAction> = {
    name: "actions",
    newId: () => newObjectId(),
    checkId: (id) => checkObjectId(id, "actionId"),
    fingerprint: (row) => {
      const { typeFormId, component, data } = row as ActionRow;
      return fingerprint([typeFormId, component, data]);
    },
    prepare: async (row, signal) => {
      const action = row as ActionRow;
      const typeFormId = checkTypeFormId(action.typeFormId, "typeFormId");
      const data = checkData(action.data, "data");
      const componentUuid = await resolver.resolve(action.component, signal, typeFormId);
      return { typeFormId, componentUuid, data };
    },
    send: async (prepared, id, signal) => {
      // The ID is fresh, or `find` just found it unused: no lookup first (PerformAction
      // given an ID would look it up again, one more request per row).
      await sendNewAction(
        {
          typeFormId: prepared.typeFormId,
          componentUuid: prepared.componentUuid,
          data: submitted(prepared.data),
        },
        id,
        connection,
        headers,
        { signal },
      );
    },
    find: (id, signal) => fetchRecord(ACTION, id, connection, headers, undefined, { signal }),
    sameContent: (prepared, stored) =>
      actionStoredAsSent(stored, { ...prepared, data: submitted(prepared.data) }),
    inLane: (_lane, work) => work(),
  };
  return startRun(rows, kind, options, (outcome) => ({
    input: outcome.row,
    row: outcome.row.row,
    key: outcome.key,
    status: outcome.status,
    ok: succeeded(outcome.status),
    id: outcome.id,
    actionId: outcome.id,
    componentUuid: outcome.prepared?.componentUuid,
    error: outcome.error,
  }));
}
