/**
 * Resume and exactly once through the journal, in-process: a hand-made
 * journal as a crash leaves it, an abort mid-flight, a graceful stop, an
 * edited row, and journals that must be refused.
 */

import assert from "node:assert/strict";
import { type ConnectOptions, newObjectId, ValidationError } from "../mod.ts";
import { createComponents, uploadActions } from "../lib/bulk/mod.ts";
import { componentStoredAsSent } from "../lib/records/components.ts";
import { fingerprint } from "../lib/bulk/fingerprint.ts";
import { withSandbox } from "./helpers.ts";
import type { Sandbox } from "../sandbox.ts";
import {
  actionRows,
  COMPONENT,
  recordingFetch,
  seedComponent,
  storedActionsByRow,
} from "./bulk_helpers.ts";

async function tempJournal(): Promise<{ path: string } & AsyncDisposable> {
  const directory = await Deno.makeTempDir({ prefix: "m2m-bulk-" });
  return {
    path: `${directory}/run.journal.jsonl`,
    [Symbol.asyncDispose]: () => Deno.remove(directory, { recursive: true }),
  };
}

function line(value: Record<string, unknown>): string {
  return `${JSON.stringify(value)}\n`;
}

Deno.test("bulk resume: after a crash, done rows are skipped, unfinished ones checked by ID", async () => {
  const recorder = recordingFetch();
  await withSandbox(
    async ({ sandbox, connection }) => {
      await using temp = await tempJournal();
      const journal = temp.path;
      seedComponent(sandbox);
      const rows = actionRows(10);
      const ids = rows.map(() => newObjectId());
      // What a crash leaves: rows 1-3 done; 4-6 sent with no outcome (4 and 5 reached the
      // server, 6 did not); the last line cut short mid-write; rows 7-10 never started.
      const stored = [0, 1, 2, 3, 4].map((index) => ({
        actionId: ids[index],
        typeFormId: "my_action",
        componentUuid: COMPONENT,
        data: { ...rows[index].data, submit: true },
      }));
      sandbox.seed("actions", stored);
      let text = line({ t: "start", v: 1, kind: "actions", source: "s", at: "", pid: 1 });
      for (const index of [0, 1, 2, 3, 4, 5]) {
        text += line({ t: "intent", k: `row:${index + 1}`, id: ids[index] });
        if (index < 3) text += line({ t: "done", k: `row:${index + 1}`, id: ids[index] });
      }
      await Deno.writeTextFile(journal, `${text}{"t":"intent","k":"row:7","id":"6751`);
      const before = recorder.requests.length;
      const run = uploadActions(rows, { connection, journal, source: "s" });
      const byRow = new Map<number, string>();
      for await (const result of run) byRow.set(result.row, result.status);
      const summary = await run.summary();
      assert.deepEqual([summary.alreadyDone, summary.uploaded, summary.failed], [5, 5, 0]);
      assert.deepEqual([...byRow.keys()].sort((a, b) => a - b), rows.map((row) => row.row));
      const sent = recorder.requests.slice(before);
      assert.deepEqual(
        sent.filter((r) => r.method === "GET").map((r) => r.path).sort(),
        [
          ...[3, 4, 5].map((index) => `/api/action/${ids[index]}`),
          // Rows 6-10 are sent: their component and type form are checked once.
          `/api/component/${COMPONENT}`,
          "/api/actionForms/my_action",
        ].sort(),
      );
      assert.ok(sandbox.documents("actions").some((doc) => doc.actionId === ids[5]));
      assert.deepEqual([...storedActionsByRow(sandbox).values()], Array(10).fill(1));
      // A third run finds everything done and sends nothing.
      const again = await uploadActions(rows, { connection, journal, source: "s" }).summary();
      assert.deepEqual([again.alreadyDone, again.requests], [10, 0]);
    },
    {},
    { testing: { fetch: recorder.fetch } } as Partial<ConnectOptions>,
  );
});

Deno.test("bulk resume: an abort mid-flight, then a re-run, stores every row exactly once", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    const journal = temp.path;
    seedComponent(sandbox);
    const rows = actionRows(60);
    const abort = new AbortController();
    const run = uploadActions(rows, { connection, journal, concurrency: 8, signal: abort.signal });
    let seen = 0;
    for await (const _ of run) if (++seen === 20) abort.abort();
    const first = await run.summary();
    assert.equal(first.stopped, true);
    assert.ok(first.interrupted > 0, "some requests were in flight when aborted");
    const second = await uploadActions(rows, { connection, journal, concurrency: 8 }).summary();
    assert.equal(second.failed, 0);
    assert.equal(first.uploaded + second.uploaded + second.alreadyDone - first.uploaded, 60);
    const counts = storedActionsByRow(sandbox);
    assert.equal(counts.size, 60);
    assert.ok([...counts.values()].every((count) => count === 1), "no row stored twice");
  }, { latencyMs: 10 });
});

Deno.test("bulk resume: a graceful stop lets requests in flight finish and journals them", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    const journal = temp.path;
    seedComponent(sandbox);
    const rows = actionRows(40);
    const stop = new AbortController();
    const run = uploadActions(rows, {
      connection,
      journal,
      concurrency: 4,
      stopSignal: stop.signal,
    });
    let seen = 0;
    for await (const _ of run) if (++seen === 10) stop.abort();
    const first = await run.summary();
    assert.deepEqual([first.stopped, first.interrupted, first.failed], [true, 0, 0]);
    assert.equal(first.uploaded, sandbox.documents("actions").length);
    const second = await uploadActions(rows, { connection, journal }).summary();
    assert.deepEqual([second.alreadyDone, second.uploaded], [first.uploaded, 40 - first.uploaded]);
    // Done rows are not even checked; the rest cost their POST, plus one GET for the
    // component and one for the action type form.
    assert.ok(first.uploaded < 40);
    assert.equal(second.requests, 40 - first.uploaded + 2, "done rows are not even checked");
  }, { latencyMs: 5 });
});

Deno.test("bulk resume: a row edited after upload stops a run keyed by row number", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    const journal = temp.path;
    seedComponent(sandbox);
    await uploadActions(actionRows(3), { connection, journal }).summary();
    const edited = actionRows(4);
    edited[1].data.measurement = 99;
    const summary = await uploadActions(edited, { connection, journal }).summary();
    assert.match(String(summary.error), /row 2 is not the row the journal recorded/);
    assert.equal(summary.uploaded, 0);
    assert.equal(sandbox.documents("actions").length, 3);
  });
});

Deno.test("bulk resume: with keys, a row edited after upload is reported, not sent again", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    const journal = temp.path;
    seedComponent(sandbox);
    const keyed = () => actionRows(3).map((row) => ({ ...row, key: `serial-${row.row}` }));
    await uploadActions(keyed(), { connection, journal }).summary();
    const edited = keyed();
    edited[1].data.measurement = 99;
    const summary = await uploadActions(edited, { connection, journal }).summary();
    assert.deepEqual([summary.alreadyDone, summary.failed], [2, 1]);
    assert.match(summary.failures[0].reason, /already uploaded as [0-9a-f]{24}, but its content/);
    assert.equal(sandbox.documents("actions").length, 3);
  });
});

Deno.test("bulk resume: a row carrying a stored ID is done if it matches, refused if corrected", async () => {
  // The rows of a failed-rows file carry the ID of an upload that timed out but was stored.
  await withSandbox(async ({ sandbox, connection }) => {
    seedComponent(sandbox);
    const rows = actionRows(2).map((row) => ({ ...row, id: newObjectId() }));
    sandbox.seed(
      "actions",
      rows.map((row) => ({
        actionId: row.id,
        typeFormId: "my_action",
        componentUuid: COMPONENT,
        data: { ...row.data, submit: true },
      })),
    );
    rows[1].data.measurement = 99; // corrected after the lost reply
    await using temp = await tempJournal();
    // Twice: a refusal is not forgotten by the next run; then with the rows moved about.
    for (
      const order of [
        rows,
        rows,
        [...rows].reverse().map((row, index) => ({ ...row, row: index + 1 })),
      ]
    ) {
      // Results come as rows finish: put them in row order.
      const results =
        (await Array.fromAsync(uploadActions(order, { connection, journal: temp.path })))
          .sort((a, b) => a.id!.localeCompare(b.id!));
      const byId = new Map(results.map((result) => [result.id, result]));
      assert.equal(byId.get(rows[0].id)?.status, "alreadyDone");
      assert.equal(byId.get(rows[1].id)?.status, "failed");
      assert.match(
        String(byId.get(rows[1].id)?.error),
        new RegExp(`${rows[1].id} .* is already stored with other content.*edit_action`),
      );
    }
    assert.equal(sandbox.documents("actions").length, 2);
    assert.notEqual(
      (sandbox.documents("actions")[1].data as { measurement: number }).measurement,
      99,
    );
  });
});

Deno.test("bulk resume: two rows carrying one ID: the second fails, nothing is overwritten", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    seedComponent(sandbox);
    const id = newObjectId();
    const rows = actionRows(3).map((row) => ({ ...row, id }));
    const results = (await Array.fromAsync(uploadActions(rows, { connection, concurrency: 4 })))
      .sort((a, b) => a.row - b.row);
    assert.deepEqual(results.map((result) => result.status), ["uploaded", "failed", "failed"]);
    assert.match(String(results[1].error), new RegExp(`ID ${id} is also the ID of row 1`));
    assert.equal(sandbox.documents("actions").length, 1);
  });
});

Deno.test("bulk resume: a component carrying a stored UUID matches despite the fields the server fills", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    const first = await Array.fromAsync(
      createComponents([{ row: 1, typeFormId: "basic_component", data: { note: "a" } }], {
        connection,
        journal: temp.path,
      }),
    );
    const componentUuid = first[0].componentUuid!;
    // typeRecordNumber was filled by the server; the row does not have it.
    assert.equal(
      (sandbox.documents("components")[0].data as { typeRecordNumber: number }).typeRecordNumber,
      1,
    );
    const again = (data: Record<string, string>) =>
      Array.fromAsync(
        createComponents([{
          row: 1,
          id: componentUuid,
          typeFormId: "basic_component",
          data,
        }], {
          connection,
        }),
      );
    assert.equal((await again({ note: "a" }))[0].status, "alreadyDone");
    // A changed, cleared or added field is a correction: refused, never dropped.
    const corrections: Record<string, string>[] = [{ note: "b" }, {}, { note: "a", name: "x" }];
    for (const data of corrections) {
      const corrected = await again(data);
      assert.equal(corrected[0].status, "failed", JSON.stringify(data));
      assert.match(String(corrected[0].error), /already stored with other content.*edit_component/);
    }
    assert.equal(sandbox.documents("components").length, 1);
  });
});

Deno.test("bulk resume: a deleted or inserted row never stores another row twice", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    seedComponent(sandbox);
    for (const change of ["delete", "insert"]) {
      await using temp = await tempJournal();
      const journal = temp.path;
      const rows = actionRows(4);
      // Row 1 fails the first time (an invalid row), the others are stored.
      const first = [
        { row: 1, invalid: 'column "measurement": "abc" is not a number' },
        ...rows.slice(1),
      ];
      await uploadActions(first, { connection, journal }).summary();
      const before = sandbox.documents("actions").length;
      const changed = change === "delete"
        ? rows.slice(1).map((row, index) => ({ ...row, row: index + 1 }))
        : [rows[0], ...first].map((row, index) => ({ ...row, row: index + 1 }));
      const summary = await uploadActions(changed as typeof rows, { connection, journal })
        .summary();
      assert.match(String(summary.error), /not the row the journal recorded/, change);
      assert.equal(sandbox.documents("actions").length, before, change);
    }
  });
});

const labelled = (row: number, label: number) => ({
  row,
  typeFormId: "my_action",
  component: COMPONENT,
  data: { row: label, measurement: label / 4 },
});

function assertEachOnce(sandbox: Sandbox, labels: number[]): void {
  const counts = storedActionsByRow(sandbox);
  for (const label of labels) assert.equal(counts.get(label), 1, `row labelled ${label}`);
  assert.equal(sandbox.documents("actions").length, labels.length, "nothing else stored");
}

Deno.test("bulk resume: a row inserted before rows sent with no outcome stops the run, nothing sent twice", async () => {
  // What a kill -9 leaves: rows 3-6 stored, their outcomes not journaled yet.
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    seedComponent(sandbox);
    const rows = [1, 2, 3, 4, 5, 6].map((row) => labelled(row, row));
    const ids = rows.map(() => newObjectId());
    sandbox.seed(
      "actions",
      rows.slice(2).map((row, index) => ({
        actionId: ids[index + 2],
        typeFormId: "my_action",
        componentUuid: COMPONENT,
        data: { ...row.data, submit: true },
      })),
    );
    const first = await uploadActions(rows.slice(0, 2), { connection, journal: temp.path })
      .summary();
    assert.equal(first.uploaded, 2);
    let text = "";
    for (const index of [2, 3, 4, 5]) {
      const { typeFormId, component, data } = rows[index];
      const fp = fingerprint([typeFormId, component, data]); // as the action rows are printed
      text += line({ t: "intent", k: `row:${index + 1}`, id: ids[index], fp });
    }
    await Deno.writeTextFile(temp.path, text, { append: true });
    // A forgotten reading (99) is inserted before old row 3.
    const edited = [1, 2, 99, 3, 4, 5, 6].map((label, index) => labelled(index + 1, label));
    for (const concurrency of [1, 4, 16]) {
      const summary = await uploadActions(edited, { connection, journal: temp.path, concurrency })
        .summary();
      assert.match(String(summary.error), /row 3 is not the row the journal recorded/);
      assert.equal(summary.uploaded, 0);
    }
    assertEachOnce(sandbox, [1, 2, 3, 4, 5, 6]);
  });
});

Deno.test("bulk resume: a changed row whose lookup fails stops the run; the rows behind it wait", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    seedComponent(sandbox);
    const first = await Array.fromAsync(
      uploadActions([1, 2, 3, 4].map((row) => labelled(row, row)), {
        connection,
        journal: temp.path,
      }),
    );
    const id4 = first.find((result) => result.row === 4)!.id!;
    sandbox.setFaults({ rates: { "503": 1 }, paths: `^/api/action/${id4}$`, retryAfterSeconds: 0 });
    // 99 inserted before old row 4, which moves to row 5 (no journal entry).
    const edited = [1, 2, 3, 99, 4].map((label, index) => labelled(index + 1, label));
    const summary = await uploadActions(edited, { connection, journal: temp.path, concurrency: 4 })
      .summary();
    assert.match(String(summary.error), /row 4 is not the row .*looking it up failed/);
    assertEachOnce(sandbox, [1, 2, 3, 4]);
  });
});

Deno.test("bulk resume: deleting a line known by its ID, or one refused, stops the run at the shift", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    seedComponent(sandbox);
    const [id, id2] = [newObjectId(), newObjectId()];
    const withId = (row: number, label: number, carried?: string) => ({
      ...labelled(row, label),
      ...(carried ? { id: carried } : {}),
    });
    for (
      const [first, second] of [
        // A corrected failed-rows line (carrying an ID) is deleted once done.
        [[withId(1, 100, id), withId(2, 2)], [withId(1, 2)]],
        // A copied line, edited (refused: its ID repeats row 1's), is deleted.
        [[withId(1, 1, id2), withId(2, 5, id2), withId(3, 3)], [withId(1, 1, id2), withId(2, 3)]],
      ]
    ) {
      await using temp = await tempJournal();
      const before = sandbox.documents("actions").length;
      const sent = await uploadActions(first, { connection, journal: temp.path }).summary();
      assert.equal(sandbox.documents("actions").length - before, sent.uploaded);
      const again = await uploadActions(second, { connection, journal: temp.path }).summary();
      assert.match(
        String(again.error),
        /is not the row the journal recorded .*inserted or deleted/,
      );
      assert.equal(again.uploaded, 0);
    }
    assert.deepEqual([...storedActionsByRow(sandbox).values()].filter((count) => count > 1), []);
  });
});

Deno.test("bulk resume: an ID the journal gave one row, carried by another, is refused", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    seedComponent(sandbox);
    const invalid = { row: 2, invalid: 'column "measurement": "oops" is not a number' };
    const first = await Array.fromAsync(
      uploadActions([labelled(1, 1), invalid], { connection, journal: temp.path }),
    );
    const id2 = first.find((result) => result.row === 2)!.id!;
    // Row 2's line from the failed-rows file, corrected, appended to the same input.
    const rows = [labelled(1, 1), invalid, { ...labelled(3, 2), id: id2 }];
    const results = await Array.fromAsync(
      uploadActions(rows, { connection, journal: temp.path, concurrency: 4 }),
    );
    const third = results.find((result) => result.row === 3)!;
    assert.equal(third.status, "failed");
    assert.match(String(third.error), new RegExp(`ID ${id2} is also the ID of row 2`));
    assertEachOnce(sandbox, [1]);
  });
});

Deno.test("bulk resume: a failed row's journal line is on disk when its result comes out", async () => {
  // The script writes the row and its ID to the failed-rows file as the result arrives.
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    seedComponent(sandbox);
    const invalid = (row: number) => ({ row, invalid: 'column "t": "abc" is not a number' });
    const rows = [labelled(1, 1), invalid(2), invalid(3)];
    for await (const result of uploadActions(rows, { connection, journal: temp.path })) {
      if (result.status !== "failed") continue;
      const text = await Deno.readTextFile(temp.path);
      assert.match(text, new RegExp(`"t":"failed","k":"row:${result.row}","id":"${result.id}"`));
    }
  });
});

Deno.test("bulk resume: aborted while a changed row is checked, no later row is journaled", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    seedComponent(sandbox);
    // Rows numbered from 2, so that a new row 1 makes the next run look its component up first.
    const rows = [2, 3, 4, 5].map((row) => labelled(row, row));
    await uploadActions(rows, { connection, journal: temp.path }).summary();
    const before = await Deno.readTextFile(temp.path);
    // Looking up row 2's entry takes long: the abort comes during that check.
    sandbox.setFaults({ script: ["slow"], slowMs: 300, paths: "^/api/action/" });
    const abort = new AbortController();
    const edited = [1, 99, 3, 4, 5, 6].map((label, index) => labelled(index + 1, label));
    const run = uploadActions(edited, {
      connection,
      journal: temp.path,
      concurrency: 16,
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 100);
    await run.summary();
    const added = (await Deno.readTextFile(temp.path)).slice(before.length);
    assert.doesNotMatch(added, /"t":"intent","k":"row:[3-9]"/);
    // Put back as it was, with new rows around it: the run goes on.
    const restored = [1, 2, 3, 4, 5, 6].map((row) => labelled(row, row));
    const summary = await uploadActions(restored, { connection, journal: temp.path }).summary();
    assert.equal(summary.error, undefined, String(summary.error));
    assertEachOnce(sandbox, [1, 2, 3, 4, 5, 6]);
  });
});

Deno.test("bulk resume: a row corrected through the failed-rows file stays done, run after run", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    seedComponent(sandbox);
    const rows = [labelled(1, 1), { row: 2, invalid: 'column "t": "abc" is not a number' }];
    const first = await Array.fromAsync(uploadActions(rows, { connection, journal: temp.path }));
    const id = first.find((result) => result.row === 2)!.id!;
    // Its corrected line, uploaded from the failed-rows file under the same ID.
    await uploadActions([{ ...labelled(1, 2), id }], { connection }).summary();
    for (let run = 0; run < 3; run++) {
      const summary = await uploadActions(rows, { connection, journal: temp.path }).summary();
      assert.deepEqual([summary.alreadyDone, summary.failed], [2, 0], `run ${run}`);
    }
    assertEachOnce(sandbox, [1, 2]);
  });
});

Deno.test("bulk resume: a journal of another input, another kind, or in use is refused", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    const journal = temp.path;
    seedComponent(sandbox);
    await uploadActions(actionRows(2), { connection, journal, source: "/data/a.csv" }).summary();
    const other = await uploadActions(actionRows(2), { connection, journal, source: "/data/b.csv" })
      .summary();
    assert.match(String(other.error), /written for \/data\/a.csv, not \/data\/b.csv/);
    const kind = await createComponents([], { connection, journal }).summary();
    assert.match(String(kind.error), /records actions, not components/);
    const holder = await Deno.open(journal, { read: true });
    try {
      await holder.lock(true);
      const busy = await uploadActions(actionRows(2), { connection, journal }).summary();
      assert.match(String(busy.error), /in use by another run/);
    } finally {
      holder.close();
    }
    const nowhere = await uploadActions(actionRows(2), {
      connection,
      journal: `${journal}.missing/run.journal.jsonl`,
    }).summary();
    assert.ok(nowhere.error instanceof ValidationError);
    assert.match(nowhere.error.message, /cannot use the journal .*: its directory does not exist/);
    assert.equal(sandbox.documents("actions").length, 2);
  });
});

Deno.test("bulk resume: components sent with no outcome are looked up by their UUID", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    const journal = temp.path;
    const uuids = [crypto.randomUUID(), crypto.randomUUID()];
    const rows = [1, 2, 3].map((row) => ({
      row,
      typeFormId: "basic_component",
      data: { name: `board ${row}` },
    }));
    // Row 1 reached the server before the crash; row 2 did not.
    sandbox.seed("components", [{
      componentUuid: uuids[0],
      formId: "basic_component",
      data: { name: "board 1", submit: true },
    }]);
    let text = line({ t: "start", v: 1, kind: "components", source: null });
    text += line({ t: "intent", k: "row:1", id: uuids[0] });
    text += line({ t: "intent", k: "row:2", id: uuids[1] });
    await Deno.writeTextFile(journal, text);
    const run = createComponents(rows, { connection, journal });
    const statuses = new Map<number, [string, string | undefined]>();
    for await (const result of run) statuses.set(result.row, [result.status, result.componentUuid]);
    assert.deepEqual(statuses.get(1), ["alreadyDone", uuids[0]]);
    assert.deepEqual(statuses.get(2), ["uploaded", uuids[1]]);
    assert.equal(statuses.get(3)?.[0], "uploaded");
    assert.equal(sandbox.documents("components").length, 3);
  });
});

Deno.test("bulk resume: --sync-journal (fdatasync before each request) keeps the same journal", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    await using temp = await tempJournal();
    seedComponent(sandbox);
    const summary = await uploadActions(actionRows(5), {
      connection,
      journal: temp.path,
      syncJournal: true,
    }).summary();
    assert.equal(summary.uploaded, 5);
    const text = await Deno.readTextFile(temp.path);
    assert.equal(text.split('"t":"intent"').length - 1, 5);
    assert.equal(text.split('"t":"done"').length - 1, 5);
    assert.equal(sandbox.documents("actions").length, 5);
  });
});

Deno.test("bulk resume: what the server fills in a new component does not count as a change", () => {
  const stored = { name: "D00300500002-00007-US200-01-00-00", typeRecordNumber: 7, submit: true };
  assert.ok(componentStoredAsSent("CableHarness", stored, { name: "mine", submit: true }));
  assert.ok(!componentStoredAsSent("basic_component", stored, { name: "mine", submit: true }));
  assert.ok(!componentStoredAsSent("CableHarness", stored, { typeRecordNumber: 8, submit: true }));
  assert.ok(componentStoredAsSent("CableHarness", { ...stored, typeRecordNumber: 8 }, {
    typeRecordNumber: 8,
    submit: true,
  }));
});
