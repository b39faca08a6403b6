import assert from "node:assert/strict";
import { startSandbox } from "../sandbox.ts";
import { call, createComponent, getToken } from "./sandbox_helpers.ts";

async function withTempDb(run: (dbPath: string) => Promise<void>): Promise<void> {
  const directory = await Deno.makeTempDir();
  try {
    await run(`${directory}/sandbox.db`);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("SQLite: records, versions, counters, form edits and tokens survive a restart", async () => {
  await withTempDb(async (dbPath) => {
    let token: string;
    let uuid: string;
    let actionId: string;
    {
      await using sandbox = await startSandbox({ dbPath });
      token = await getToken(sandbox);
      uuid = await createComponent(sandbox, token, { name: "kept" });
      actionId = (await call(sandbox, "POST", "/api/action", {
        token,
        body: { typeFormId: "my_action", componentUuid: uuid, data: { reading: 1.5 } },
      })).json as string;
      const form = (await call(sandbox, "GET", "/api/actionForms/my_action", { token }))
        .json as object;
      await call(sandbox, "POST", "/api/actionForms/my_action", {
        token,
        body: { ...form, formName: "My Edited Action" },
      });
    }
    await using sandbox = await startSandbox({ dbPath });
    // The signing key is stored too, so a token from before the restart still works.
    const component = (await call(sandbox, "GET", `/api/component/${uuid}`, { token }))
      .json as Record<
        string,
        unknown
      >;
    assert.deepEqual(component.data, { name: "kept", typeRecordNumber: 1 });
    const action = (await call(sandbox, "GET", `/api/action/${actionId}`, { token }))
      .json as Record<string, unknown>;
    assert.deepEqual(action.data, { reading: 1.5 });
    assert.equal(
      ((await call(sandbox, "GET", "/api/actionForms/my_action", { token })).json as {
        formName: string;
      }).formName,
      "My Edited Action",
    );
    assert.deepEqual(sandbox.stats.stored, { components: 1, actions: 1, workflows: 0 });

    await call(sandbox, "POST", "/api/component", { token, body: component });
    const edited = (await call(sandbox, "GET", `/api/component/${uuid}`, { token })).json as {
      validity: { version: number; ancestor_id: string };
    };
    assert.deepEqual([edited.validity.version, edited.validity.ancestor_id], [2, component._id]);
    const second = await createComponent(sandbox, token);
    const record = (await call(sandbox, "GET", `/api/component/${second}`, { token })).json as {
      data: { typeRecordNumber: number };
    };
    assert.equal(record.data.typeRecordNumber, 2);
    const list =
      (await call(sandbox, "GET", "/api/components/basic_component/list", { token })).json;
    assert.deepEqual(list, [second, uuid]);
    assert.equal(sandbox.documents("components").length, 3);
    assert.deepEqual(
      (await call(sandbox, "GET", `/api/actions/my_action/list?uuid=${uuid}`, { token })).json,
      [actionId],
    );
  });
});

Deno.test("SQLite: bulk writes stay fast (indexed, no scans per save)", async () => {
  await withTempDb(async (dbPath) => {
    await using sandbox = await startSandbox({ dbPath });
    const bodies = Array.from({ length: 2000 }, (_, index) => ({
      typeFormId: "my_action",
      componentUuid: "5f9ea420-3e88-11ed-9114-03f8483882ff",
      data: { index },
    }));
    const started = performance.now();
    const ids = sandbox.seed("actions", bodies);
    const elapsed = performance.now() - started;
    assert.equal(new Set(ids).size, 2000);
    assert.equal(sandbox.stats.stored.actions, 2000);
    assert.ok(elapsed < 10_000, `2000 saves took ${elapsed.toFixed(0)} ms`);
  });
});
