/**
 * The bulk library against an in-process sandbox: counts, concurrency and
 * backpressure bounds, the short UUID cache, dry runs, and components
 * created one at a time per type.
 */

import assert from "node:assert/strict";
import { type ConnectOptions, toShortUuid } from "../mod.ts";
import {
  type ActionRow,
  createComponents,
  type InvalidRow,
  uploadActions,
} from "../lib/bulk/mod.ts";
import { withSandbox } from "./helpers.ts";
import {
  actionRows,
  COMPONENT,
  recordingFetch,
  seedComponent,
  storedActionsByRow,
} from "./bulk_helpers.ts";

Deno.test("bulk library: uploads every row once; a bad row fails alone; the summary counts", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    seedComponent(sandbox);
    const rows: (ActionRow | InvalidRow)[] = actionRows(20);
    rows[4] = { row: 5, invalid: 'column "t": "x" is not a number' };
    rows[9] = { ...rows[9] as ActionRow, typeFormId: "no_such_form" };
    const run = uploadActions(rows, { connection, concurrency: 4 });
    const results = [];
    for await (const result of run) results.push(result);
    const summary = await run.summary();
    assert.equal(results.length, 20);
    assert.deepEqual(
      [summary.done, summary.uploaded, summary.failed, summary.alreadyDone, summary.stopped],
      [20, 18, 2, 0, false],
    );
    assert.deepEqual(summary.failures.map((failure) => failure.row).sort((a, b) => a - b), [5, 10]);
    assert.match(
      summary.failures.find((f) => f.row === 10)!.reason,
      /no action type form "no_such_form"/,
    );
    const ok = results.filter((result) => result.ok);
    assert.ok(
      ok.every((result) =>
        result.componentUuid === COMPONENT && /^[0-9a-f]{24}$/.test(result.actionId!)
      ),
    );
    const stored = storedActionsByRow(sandbox);
    assert.equal(stored.size, 18);
    assert.ok([...stored.values()].every((count) => count === 1));
  });
});

Deno.test("bulk library: one confirmShortUUID request per distinct short UUID, even in parallel", async () => {
  const recorder = recordingFetch();
  await withSandbox(
    async ({ sandbox, connection }) => {
      const uuids = [
        "11111111-2222-4333-8444-555555555555",
        "66666666-7777-4888-9999-aaaaaaaaaaaa",
      ];
      sandbox.seed(
        "components",
        uuids.map((componentUuid) => ({
          componentUuid,
          formId: "basic_component",
          data: { name: componentUuid },
        })),
      );
      const shorts = uuids.map(toShortUuid);
      const unknown = "sYYtwWFURzCyHVYavMrQDd";
      const rows = actionRows(30).map((row, index) => ({
        ...row,
        component: [shorts[0], shorts[1], unknown][index % 3],
      }));
      const summary = await uploadActions(rows, { connection, concurrency: 8 }).summary();
      assert.equal(summary.uploaded, 20);
      assert.equal(summary.failed, 10);
      assert.match(summary.failures[0].reason, /no component has the short UUID/);
      const confirms = recorder.requests.filter((r) => r.path.startsWith("/api/confirmShortUUID/"));
      assert.deepEqual(
        confirms.map((r) => r.path.split("/").pop()).sort(),
        [...shorts, unknown].sort(),
      );
    },
    {},
    { testing: { fetch: recorder.fetch } } as Partial<ConnectOptions>,
  );
});

Deno.test("bulk library: never more than `concurrency` requests in flight", async () => {
  const recorder = recordingFetch();
  await withSandbox(
    async ({ sandbox, connection }) => {
      seedComponent(sandbox);
      const summary = await uploadActions(actionRows(40), { connection, concurrency: 3 }).summary();
      assert.equal(summary.uploaded, 40);
      assert.equal(recorder.maxInFlight("/api/action"), 3);
    },
    { latencyMs: 5 },
    { testing: { fetch: recorder.fetch } } as Partial<ConnectOptions>,
  );
});

Deno.test("bulk library: a slow consumer holds back the input (bounded buffering)", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    seedComponent(sandbox);
    let pulled = 0;
    const source = (function* () {
      for (const row of actionRows(200)) {
        pulled++;
        yield row;
      }
    })();
    const run = uploadActions(source, { connection, concurrency: 2 });
    const iterator = run[Symbol.asyncIterator]();
    for (let taken = 1; taken <= 10; taken++) {
      await iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 5));
      // In flight (2) + queued results (2 x 2) + one each worker holds while waiting to queue.
      assert.ok(pulled - taken <= 2 + 4 + 2, `pulled ${pulled} rows after taking ${taken}`);
    }
    await iterator.return?.();
    const summary = await run.summary();
    assert.equal(summary.stopped, true);
    assert.ok(summary.done < 200);
  });
});

Deno.test("bulk library: a dry run validates and resolves but sends no write", async () => {
  const recorder = recordingFetch();
  await withSandbox(
    async ({ sandbox, connection }) => {
      const journal = await Deno.makeTempFile({ suffix: ".journal.jsonl" });
      await Deno.remove(journal);
      const rows = actionRows(6).map((row, index) =>
        index === 0 ? { ...row, component: toShortUuid(COMPONENT) } : row
      );
      seedComponent(sandbox);
      const run = uploadActions(rows, { connection, dryRun: true, journal });
      const statuses = [];
      for await (const result of run) statuses.push(result.status);
      assert.deepEqual(statuses, Array(6).fill("wouldUpload"));
      assert.equal(recorder.requests.filter((r) => r.method === "POST").length, 1); // the token
      assert.equal(sandbox.documents("actions").length, 0);
      await assert.rejects(() => Deno.stat(journal), Deno.errors.NotFound);
    },
    {},
    { testing: { fetch: recorder.fetch } } as Partial<ConnectOptions>,
  );
});

Deno.test("bulk library: components of one type are created one at a time, numbered 1..n", async () => {
  const recorder = recordingFetch();
  await withSandbox(
    async ({ sandbox, connection }) => {
      const rows = Array.from({ length: 16 }, (_, index) => ({
        row: index + 1,
        typeFormId: index % 4 === 3 ? "basic_component_2" : "basic_component",
        data: { name: `board ${index + 1}` },
      }));
      const run = createComponents(rows, { connection, concurrency: 6 });
      for await (const result of run) {
        assert.ok(result.ok, result.error?.message);
        // Chosen by the client, time-based like the server's own (version 1).
        assert.match(result.componentUuid!, /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab]/);
      }
      const numbers = (formId: string) =>
        sandbox.documents("components").filter((doc) => doc.formId === formId)
          .map((doc) => (doc.data as { typeRecordNumber: number }).typeRecordNumber).sort((a, b) =>
            a - b
          );
      assert.deepEqual(numbers("basic_component"), Array.from({ length: 12 }, (_, i) => i + 1));
      assert.deepEqual(numbers("basic_component_2"), [1, 2, 3, 4]);
      assert.equal(recorder.maxInFlight("/api/component", 'basic_component"'), 1);
    },
    { latencyMs: 3 },
    { testing: { fetch: recorder.fetch } } as Partial<ConnectOptions>,
  );
});

Deno.test("bulk library: a fresh row costs one request: its POST, no lookup", async () => {
  const recorder = recordingFetch();
  await withSandbox(
    async ({ sandbox, connection }) => {
      seedComponent(sandbox);
      const before = recorder.requests.length;
      const summary = await uploadActions(actionRows(25), { connection, concurrency: 5 }).summary();
      assert.equal(summary.uploaded, 25);
      const sent = recorder.requests.slice(before);
      // Plus one GET per distinct component and one per distinct action type form, per run.
      assert.deepEqual(
        [sent.length, sent.filter((r) => r.method === "POST" && r.path === "/api/action").length],
        [27, 25],
      );
      assert.deepEqual(
        sent.filter((r) => r.method === "GET").map((r) => r.path).sort(),
        ["/api/actionForms/my_action", `/api/component/${COMPONENT}`],
      );
      assert.equal(summary.requests, 27);
    },
    {},
    { testing: { fetch: recorder.fetch } } as Partial<ConnectOptions>,
  );
});

Deno.test("bulk library: a full UUID naming no component, or one of another type, fails its rows (dry run and submit), one GET per distinct UUID", async () => {
  const recorder = recordingFetch();
  await withSandbox(
    async ({ sandbox, connection }) => {
      seedComponent(sandbox);
      const missing = "5f9ea420-3e88-11ed-9114-03f8483882fe"; // COMPONENT with a typo
      const other = "11111111-2222-4333-8444-555555555555";
      sandbox.seed("components", [{
        componentUuid: other,
        formId: "basic_component_2",
        data: { name: "not for my_action" },
      }]);
      // Rows 3, 6, 9, 12 name the missing component (some in capitals), rows 5 and 10 the other.
      const rows = actionRows(12).map((row) =>
        row.row % 3 === 0
          ? { ...row, component: row.row % 2 === 0 ? missing.toUpperCase() : missing }
          : row.row % 5 === 0
          ? { ...row, component: other }
          : row
      );
      for (const dryRun of [true, false]) {
        const before = recorder.requests.length;
        const summary = await uploadActions(rows, { connection, concurrency: 4, dryRun })
          .summary();
        const label = dryRun ? "dry run" : "submit";
        assert.deepEqual(
          [summary.failed, dryRun ? summary.wouldUpload : summary.uploaded],
          [6, 6],
          label,
        );
        const byRow = new Map(summary.failures.map((failure) => [failure.row, failure.reason]));
        assert.deepEqual([...byRow.keys()].sort((a, b) => a - b), [3, 5, 6, 9, 10, 12], label);
        for (const row of [3, 6, 9, 12]) {
          assert.match(
            byRow.get(row)!,
            new RegExp(`^no component ${missing} in the DB at .*: check the component column`),
            label,
          );
        }
        for (const row of [5, 10]) {
          assert.match(
            byRow.get(row)!,
            /is a "basic_component_2", but "my_action" actions apply to "basic_component" only/,
            label,
          );
        }
        const gets = recorder.requests.slice(before).filter((r) => r.method === "GET")
          .map((r) => r.path).sort();
        assert.deepEqual(
          gets,
          [
            "/api/actionForms/my_action",
            `/api/component/${other}`,
            `/api/component/${COMPONENT}`,
            `/api/component/${missing}`,
          ].sort(),
          `${label}: one GET per distinct component and type form`,
        );
      }
      const stored = sandbox.documents("actions");
      assert.equal(stored.length, 6);
      assert.ok(stored.every((doc) => doc.componentUuid === COMPONENT));
    },
    {},
    { testing: { fetch: recorder.fetch } } as Partial<ConnectOptions>,
  );
});

Deno.test("bulk library: rows without a usable, increasing row number fail and are not sent", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    seedComponent(sandbox);
    const [one, two, three] = actionRows(3);
    const rows = [one, { ...two, row: 1 }, { ...three, row: Number.NaN }, {
      ...three,
      row: undefined as unknown as number,
    }, three];
    const summary = await uploadActions(rows, { connection }).summary();
    assert.deepEqual([summary.uploaded, summary.failed], [2, 3]);
    assert.match(summary.failures[0].reason, /row number 1 is not a whole number above/);
    assert.equal(sandbox.documents("actions").length, 2);
  });
});
