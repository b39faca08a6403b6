/**
 * Bulk component creation, resumable and exactly once; creates of one type
 * strictly one at a time.
 *
 * @module
 */

import { checkData, checkTypeFormId, type JsonObject } from "../data.ts";
import { checkUuid, newUuidV1 } from "../ids.ts";
import { COMPONENT, componentStoredAsSent, sendNewComponent } from "../records/components.ts";
import { fetchRecord, submitted } from "../records/record.ts";
import { type BulkRun, startRun } from "./engine.ts";
import { fingerprint } from "./fingerprint.ts";
import { Lanes } from "./lanes.ts";
import { type RowKind, succeeded } from "./row.ts";
import type { BulkOptions, ComponentResult, ComponentRow, InvalidRow, RowSource } from "./types.ts";

interface PreparedComponent {
  formId: string;
  data: JsonObject;
}

/**
 * Creates one component per row and yields each row's result as it
 * finishes; `summary()` gives the totals. Each component's UUID is chosen
 * here (a random v4 UUID, which the server accepts: API.md §3) and, with a
 * `journal`, written to it before the request, so a re-run never creates a
 * row's component twice. Components of one type are created one at a time,
 * because the server numbers a new component by counting those of its type
 * (API.md §5); different types go side by side up to `concurrency`.
 *
 * @example
 * ```ts ignore
 * import { ConnectToAPI, createComponents } from "@dune/m2m";
 *
 * const { connection } = await ConnectToAPI({ instance: "sandbox" });
 * const rows = [1, 2, 3].map((n) => ({
 *   row: n,
 *   typeFormId: "basic_component",
 *   data: { name: `Board ${n}` },
 * }));
 * const run = createComponents(rows, { connection, journal: "boards.journal.jsonl" });
 * for await (const result of run) console.log(result.row, result.componentUuid);
 * connection.close();
 * ```
 */
export function createComponents<R extends ComponentRow | InvalidRow>(
  rows: RowSource<R>,
  options: BulkOptions,
): BulkRun<ComponentResult<R>> {
  const { connection, headers } = options;
  const lanes = new Lanes();
  const kind: RowKind<R, PreparedComponent> = {
    name: "components",
    newId: () => newUuidV1(),
    checkId: (id) => checkUuid(id, "componentUuid"),
    fingerprint: (row) => {
      const { typeFormId, data } = row as ComponentRow;
      return fingerprint([typeFormId, data]);
    },
    lane: (row) => (row as ComponentRow).typeFormId,
    prepare: (row) => {
      const component = row as ComponentRow;
      const formId = checkTypeFormId(component.typeFormId, "typeFormId");
      const data = checkData(component.data, "data");
      return Promise.resolve({ formId, data });
    },
    send: async (prepared, id, signal) => {
      await sendNewComponent(
        { formId: prepared.formId, data: submitted(prepared.data) },
        id,
        connection,
        headers,
        { signal },
      );
    },
    find: (id, signal) => fetchRecord(COMPONENT, id, connection, headers, undefined, { signal }),
    sameContent: (prepared, stored) =>
      stored.formId === prepared.formId &&
      componentStoredAsSent(prepared.formId, stored.data, submitted(prepared.data)),
    inLane: (lane, work) => lane === undefined ? work() : lanes.run(lane, work),
  };
  return startRun(rows, kind, options, (outcome) => ({
    input: outcome.row,
    row: outcome.row.row,
    key: outcome.key,
    status: outcome.status,
    ok: succeeded(outcome.status),
    id: outcome.id,
    componentUuid: outcome.id,
    error: outcome.error,
  }));
}
