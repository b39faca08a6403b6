import assert from "node:assert/strict";
import {
  AbortError,
  type Connection,
  type ConnectOptions,
  ConnectToAPI,
  CreateComponent,
  EditComponent,
  GetComponent,
  GetComponentVersions,
  PerformAction,
  ValidationError,
} from "../mod.ts";
import { type Sandbox, startSandbox } from "../sandbox.ts";
import { optionsFor, withSandbox } from "./helpers.ts";

/** Runs `during` once, in place of the first backoff wait of the connection. */
function duringFirstBackoff(during: () => Promise<void>): ConnectOptions["testing"] {
  let done = false;
  return {
    sleep: async () => {
      if (!done) {
        done = true;
        await during();
      }
    },
  };
}

async function twoWriters(
  sandbox: Sandbox,
  during: (other: Awaited<ReturnType<typeof ConnectToAPI>>["connection"]) => Promise<void>,
) {
  const other = (await ConnectToAPI(optionsFor(sandbox))).connection;
  const first = (await ConnectToAPI({
    ...optionsFor(sandbox),
    testing: duringFirstBackoff(() => during(other)),
  })).connection;
  return { first, other, close: () => (first.close(), other.close()) };
}

/**
 * A component edited by this client (tension) while, during its first
 * backoff, another client edits another field (comment); `fault` is what
 * happens to the first client's POST. Calls `check` with the component UUID.
 */
async function concurrentEdit(
  fault: "drop-before" | "drop-after",
  check: (uuid: string, connection: Connection) => Promise<void>,
) {
  const sandbox = await startSandbox();
  try {
    const uuid = sandbox.seed("components", [{
      componentUuid: "5f9ea420-3e88-11ed-9114-03f8483882ff",
      formId: "basic_component",
      data: { name: "frame", tension: 1, comment: "" },
    }])[0];
    const writers = await twoWriters(sandbox, async (other) => {
      sandbox.setFaults(undefined);
      await EditComponent(uuid, ["comment"], ["checked"], other);
    });
    try {
      sandbox.setFaults({ script: ["ok", fault], paths: "^/api/component" });
      await EditComponent(uuid, ["tension"], [6.5], writers.first);
      await check(uuid, writers.first);
    } finally {
      writers.close();
    }
  } finally {
    await sandbox.close();
  }
}

Deno.test("an edit lost before storing, while another client edits: re-applied, nothing lost", async () => {
  await concurrentEdit("drop-before", async (uuid, connection) => {
    const latest = await GetComponent(uuid, connection);
    assert.equal(latest.validity.version, 3);
    assert.equal(latest.data.tension, 6.5, "the first client's edit is stored");
    assert.equal(latest.data.comment, "checked", "the other client's edit is kept");
  });
});

Deno.test("an edit stored but its reply lost, while another client edits: not sent again", async () => {
  await concurrentEdit("drop-after", async (uuid, connection) => {
    const versions = await GetComponentVersions(uuid, connection);
    assert.deepEqual(versions.map((v) => v.data.tension), [1, 6.5, 6.5]);
    assert.deepEqual(versions.map((v) => v.data.comment), ["", "", "checked"]);
  });
});

Deno.test("a 401 on the lookup after a lost reply never re-sends the write blind", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "x" }, connection);
    sandbox.setFaults({
      script: ["drop-after", "503", "503", "503", "expire-token", "ok", "expire-token"],
      paths: "^/api/action",
    });
    const outcome = await PerformAction("my_action", uuid, { m: 1 }, connection).then(
      (id) => ({ id }),
      (error) => ({ error }),
    );
    const stored = sandbox.documents("actions");
    assert.equal(stored.length, 1, "stored exactly once");
    if ("error" in outcome) {
      assert.match(String(outcome.error), /may have been stored.*look the record up/);
      assert.equal(outcome.error.method, "POST");
    } else {
      assert.equal(outcome.id, stored[0].actionId);
    }
  });
});

Deno.test("PerformAction with an actionId already stored: same action returned, other refused", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "x" }, connection);
    const actionId = "65f0c0ffee0000000000abcd";
    assert.equal(
      await PerformAction("my_action", uuid, { a: 1 }, connection, {}, { actionId }),
      actionId,
    );
    assert.equal(
      await PerformAction("my_action", uuid, { a: 1 }, connection, {}, { actionId }),
      actionId,
    );
    await assert.rejects(
      PerformAction("my_action", uuid, { a: 2 }, connection, {}, { actionId }),
      (error: Error) => {
        assert.ok(error instanceof ValidationError);
        assert.match(error.message, /already belongs to .* never overwrites/);
        return true;
      },
    );
    assert.equal(sandbox.documents("actions").length, 1);
  });
});

Deno.test("submit: true is added unless the caller gave submit a value", async () => {
  await withSandbox(async ({ connection }) => {
    const draft = await CreateComponent(
      "basic_component",
      { name: "x", submit: false },
      connection,
    );
    assert.equal((await GetComponent(draft, connection)).data.submit, false);
  });
});

Deno.test("headers: the connection's own are protected, bad ones refused before sending", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "x" }, connection, {
      "Content-Type": "application/json",
      "X-Station": "stand-3",
    });
    const before = sandbox.stats.requests;
    const bad: Record<string, string>[] = [
      { "Content-Type": "text/plain" },
      { Authorization: "Bearer x" },
      { "X-Note": "a\r\nb" },
      { "Content-Length": "5" },
      { "transfer-encoding": "chunked" },
      { Host: "evil.example" },
      { Connection: "close" },
    ];
    for (const headers of bad) {
      await assert.rejects(GetComponent(uuid, connection, headers), ValidationError);
    }
    assert.equal(sandbox.stats.requests, before);
  });
});

Deno.test("limits: timeoutMs and maxResponseBytes are checked when connecting", async () => {
  await withSandbox(async ({ sandbox }) => {
    const bad: Partial<ConnectOptions>[] = [
      { timeoutMs: 2 ** 31 },
      { timeoutMs: 0 },
      { maxResponseBytes: 0 },
      { maxResponseBytes: NaN },
      { caCerts: ["not a certificate"] },
    ];
    for (const options of bad) {
      await assert.rejects(ConnectToAPI({ ...optionsFor(sandbox), ...options }), ValidationError);
    }
  });
});

Deno.test("close() aborts a request in flight", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    sandbox.setFaults({ script: ["slow"], slowMs: 2000, paths: "^/api/" });
    const pending = GetComponent("5f9ea420-3e88-11ed-9114-03f8483882ff", connection);
    const started = performance.now();
    queueMicrotask(() => connection.close());
    await assert.rejects(pending, AbortError);
    assert.ok(performance.now() - started < 1000);
  });
});

Deno.test("a secret typed into a domain variable is not echoed", async () => {
  const secret = "a-long-client-secret-value";
  for (const dbDomain of [`http://${secret}`, `https://user:${secret}@host`]) {
    const error = await ConnectToAPI({
      clientId: "id",
      clientSecret: secret,
      auth0Domain: "127.0.0.1:1",
      dbDomain,
      envFile: "/dev/null",
    }).catch((error) => error);
    assert.ok(error instanceof ValidationError, String(error));
    assert.ok(!error.message.includes(secret), error.message);
  }
});
