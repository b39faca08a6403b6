import assert from "node:assert/strict";
import {
  ConnectToAPI,
  CreateComponent,
  EditComponent,
  GetComponent,
  PerformAction,
  type RetryEvent,
} from "../mod.ts";
import { startSandbox } from "../sandbox.ts";
import { runFaultMatrix } from "./fault_matrix.ts";
import { optionsFor, withSandbox } from "./helpers.ts";

Deno.test("fault matrix: 300 performs, 50 creates, 50 edits at ~20% faults, exactly once", async () => {
  const report = await runFaultMatrix({
    performs: 300,
    creates: 50,
    edits: 50,
    faultRate: 0.2,
    seed: 42,
    concurrency: 8,
  });
  // Every kind of fault really happened.
  for (const [kind, count] of Object.entries(report.faultsInjected)) {
    assert.ok(count > 0, `no "${kind}" fault was injected`);
  }
  assert.equal(report.duplicates, 0, "duplicates");
  assert.equal(report.lost, 0, "lost");
  assert.equal(report.wrongVersion, 0, "edits at the wrong version");
  // A call may fail only with a clear error, and then nothing was stored for it
  // (checked as duplicates above): an injected 500 is reported at once (never
  // retried, API.md §1); a token refused twice in a row is reported too.
  for (const failure of report.failed) {
    assert.match(failure.error, /500.*injected fault|did not accept the access token \(401\)/);
  }
  assert.ok(report.failed.length < report.requested * 0.1, `${report.failed.length} failed`);
  assert.equal(report.succeeded + report.failed.length, report.requested);
  assert.ok(report.verifiedWrites > 0, "some writes were confirmed by a lookup, not re-sent");
});

Deno.test("drop-after: the component is stored once and CreateComponent succeeds", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    sandbox.setFaults({ script: ["ok", "drop-after"], paths: "^/api/" });
    const uuid = await CreateComponent("basic_component", { name: "x" }, connection);
    const stored = sandbox.documents("components").filter((d) => d.componentUuid === uuid);
    assert.equal(stored.length, 1);
    assert.equal(connection.stats.verifiedWrites, 1);
  });
});

Deno.test("a timed-out edit is checked, not repeated: exactly one new version", async () => {
  await withSandbox(
    async ({ sandbox, connection }) => {
      const uuid = await CreateComponent("basic_component", { name: "x" }, connection);
      // The GET of the edit is fine; its POST is slower than the client's timeout.
      sandbox.setFaults({ script: ["ok", "slow"], slowMs: 300, paths: "^/api/" });
      await EditComponent(uuid, ["name"], ["y"], connection);
      const component = await GetComponent(uuid, connection);
      assert.equal(component.validity.version, 2);
      assert.equal(component.data.name, "y");
    },
    {},
    { timeoutMs: 100 },
  );
});

Deno.test("each retry is one debug line with method, path, attempt, reason, delay", async () => {
  const events: RetryEvent[] = [];
  await withSandbox(
    async ({ sandbox, connection, log }) => {
      const uuid = await CreateComponent("basic_component", { name: "x" }, connection);
      sandbox.setFaults({ script: ["503", "429", "drop-before"], paths: "^/api/action$" });
      await PerformAction("my_action", uuid, { a: 1 }, connection);
      assert.deepEqual(events.map((event) => event.reason), ["503", "429", "network"]);
      const lines = log.debug.filter((line) => line.startsWith("retry "));
      assert.equal(lines.length, 3);
      assert.match(
        lines[0],
        /^retry POST \/api\/action: attempt 1 failed \(503\), next in \d+ ms$/,
      );
      assert.equal(sandbox.documents("actions").length, 1);
    },
    {},
    { onRetry: (event) => events.push(event), debug: true },
  );
});

Deno.test("tokens: one per lifetime; a refused token is renewed once, not twice", async () => {
  const sandbox = await startSandbox();
  try {
    const { connection } = await ConnectToAPI(optionsFor(sandbox));
    try {
      const uuid = await CreateComponent("basic_component", { name: "x" }, connection);
      for (let index = 0; index < 10; index++) await GetComponent(uuid, connection);
      assert.equal(sandbox.stats.tokensIssued, 1);
      // The API refuses the token as expired: one new token, the request repeated.
      sandbox.setFaults({ script: ["expire-token"], paths: "^/api/" });
      assert.equal((await GetComponent(uuid, connection)).componentUuid, uuid);
      assert.equal(sandbox.stats.tokensIssued, 2);
      // Refused again with the brand-new token: reported, not looped on.
      sandbox.setFaults({ script: ["expire-token", "expire-token"], paths: "^/api/" });
      await assert.rejects(
        GetComponent(uuid, connection),
        /did not accept the access token \(401\)/,
      );
      assert.equal(sandbox.stats.tokensIssued, 3);
    } finally {
      connection.close();
    }
  } finally {
    await sandbox.close();
  }
});
