import assert from "node:assert/strict";
import {
  ApiError,
  CreateComponent,
  EditComponent,
  GetListOfActions,
  GetListOfComponents,
  GetListOfWorkflows,
  LIST_CAPS,
} from "../mod.ts";
import type { Sandbox } from "../sandbox.ts";
import { withSandbox } from "./helpers.ts";

/** Seeds `count` components of `formId`, oldest first; returns their UUIDs. */
function seedComponents(sandbox: Sandbox, count: number, formId = "basic_component"): string[] {
  return sandbox.seed(
    "components",
    Array.from({ length: count }, (_, index) => ({
      componentUuid: crypto.randomUUID(),
      formId,
      data: { name: `c${index}` },
    })),
  );
}

/** Seeds `count` my_action actions on `componentUuid`, oldest first; returns their IDs. */
function seedActions(sandbox: Sandbox, count: number, componentUuid: string): string[] {
  return sandbox.seed(
    "actions",
    Array.from({ length: count }, (_, index) => ({
      typeFormId: "my_action",
      componentUuid,
      data: { index },
    })),
  );
}

Deno.test("GetListOfComponents: 501 components → the 500 newest, truncated, one warning", async () => {
  await withSandbox(async ({ sandbox, connection, log }) => {
    const uuids = seedComponents(sandbox, 501);
    const list = await GetListOfComponents("basic_component", connection);
    assert.equal(LIST_CAPS.components, 500);
    assert.equal(list.length, 500);
    assert.equal(list.truncated, true);
    // Newest first: the oldest one is the one left out.
    assert.deepEqual([...list], uuids.slice(1).reverse());
    assert.equal(log.warn.length, 1, log.warn.join("\n"));
    assert.match(log.warn[0], /"basic_component" components.*500 IDs, its maximum.*may be more/);
  });
});

Deno.test("GetListOfComponents: exactly 500 is flagged (the server cannot say more), 499 is not", async () => {
  await withSandbox(async ({ sandbox, connection, log }) => {
    seedComponents(sandbox, 499);
    const below = await GetListOfComponents("basic_component", connection);
    assert.deepEqual([below.length, below.truncated], [499, false]);
    assert.deepEqual(log.warn, []);
    seedComponents(sandbox, 1);
    const at = await GetListOfComponents("basic_component", connection);
    assert.deepEqual([at.length, at.truncated], [500, true]);
    assert.equal(log.warn.length, 1);
  });
});

Deno.test("GetListOfComponents: one entry per component, by type, newest edit first", async () => {
  await withSandbox(async ({ sandbox, connection, log }) => {
    const first = await CreateComponent("basic_component", { name: "1" }, connection);
    const second = await CreateComponent("basic_component", { name: "2" }, connection);
    const other = await CreateComponent("basic_component_2", { name: "3" }, connection);
    await EditComponent(first, ["name"], ["1b"], connection);
    await EditComponent(first, ["name"], ["1c"], connection);
    assert.equal(sandbox.documents("components").length, 5);
    const list = await GetListOfComponents("basic_component", connection);
    assert.ok(Array.isArray(list));
    assert.deepEqual([...list], [first, second]);
    assert.equal(list.truncated, false);
    assert.deepEqual([...await GetListOfComponents("basic_component_2", connection)], [other]);
    const unknown = await GetListOfComponents("no_such_type", connection);
    assert.deepEqual([[...unknown], unknown.truncated], [[], false]);
    assert.deepEqual(log.warn, []);
  });
});

Deno.test("GetListOfActions: all of a type, or only those on one component", async () => {
  await withSandbox(async ({ sandbox, connection, log }) => {
    const [a, b, none] = seedComponents(sandbox, 3);
    const onA = seedActions(sandbox, 3, a);
    const onB = seedActions(sandbox, 2, b);
    const all = await GetListOfActions("my_action", connection);
    assert.deepEqual(new Set(all), new Set([...onA, ...onB]));
    assert.deepEqual([all.length, all.truncated], [5, false]);
    const filtered = await GetListOfActions("my_action", connection, undefined, {
      componentUUID: a,
    });
    assert.deepEqual([...filtered].sort(), [...onA].sort());
    assert.equal(filtered.truncated, false);
    const upper = await GetListOfActions("my_action", connection, undefined, {
      componentUUID: b.toUpperCase(),
    });
    assert.deepEqual([...upper].sort(), [...onB].sort());
    const empty = await GetListOfActions("my_action", connection, undefined, {
      componentUUID: none,
    });
    assert.deepEqual([[...empty], empty.truncated], [[], false]);
    assert.deepEqual([...await GetListOfActions("no_such_action", connection)], []);
    assert.deepEqual(log.warn, []);
  });
});

Deno.test("GetListOfActions: capped at 200 with truncated and one warning; 199 is complete", async () => {
  await withSandbox(async ({ sandbox, connection, log }) => {
    const [a, b] = seedComponents(sandbox, 2);
    seedActions(sandbox, 199, a);
    const below = await GetListOfActions("my_action", connection);
    assert.deepEqual([below.length, below.truncated], [199, false]);
    assert.deepEqual(log.warn, []);
    const newest = seedActions(sandbox, 2, b);
    const capped = await GetListOfActions("my_action", connection);
    assert.equal(LIST_CAPS.actions, 200);
    assert.deepEqual([capped.length, capped.truncated], [200, true]);
    assert.deepEqual(capped.slice(0, 2), newest.reverse(), "newest first");
    assert.equal(log.warn.length, 1, log.warn.join("\n"));
    assert.match(log.warn[0], /"my_action" actions.*200 IDs, its maximum/);
    // The filter applies before the cap: component b's two actions are all there.
    const onB = await GetListOfActions("my_action", connection, undefined, { componentUUID: b });
    assert.deepEqual([onB.length, onB.truncated], [2, false]);
    assert.equal(log.warn.length, 1);
  });
});

Deno.test("GetListOfWorkflows: [[], []] with no workflow; the broken route is a clear ApiError", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    assert.deepEqual(await GetListOfWorkflows("APA_Assembly", connection), [[], []]);
    sandbox.seed("workflows", [{
      typeFormId: "APA_Assembly",
      data: {},
      path: [{ type: "component", formName: "Basic Component", result: "" }],
    }]);
    const error = await GetListOfWorkflows("APA_Assembly", connection).catch((e) => e);
    assert.ok(error instanceof ApiError, String(error));
    assert.match(error.message, /"APA_Assembly" workflows: the server's list route is broken/);
    assert.match(error.message, /GetWorkflow\(workflowID\)/);
    assert.equal(error.status, 500);
    assert.equal(error.path, "/api/workflows/APA_Assembly/list");
    assert.match(error.serverMessage ?? "", /reading 'length'/);
    assert.ok(error.cause instanceof ApiError);
    // Other types still list (nothing matches them).
    assert.deepEqual(await GetListOfWorkflows("other_workflow", connection), [[], []]);
  });
});
