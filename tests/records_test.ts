import assert from "node:assert/strict";
import {
  type Connection,
  ConnectToAPI,
  ConvertShortUUID,
  CreateComponent,
  EditAction,
  EditComponent,
  fromShortUuid,
  GetAction,
  GetActionVersions,
  GetComponent,
  GetComponentVersions,
  GetListOfActions,
  GetListOfComponents,
  GetListOfWorkflows,
  GetTypeForm,
  GetWorkflow,
  GetWorkflowVersions,
  ListTypeForms,
  NotFoundError,
  PerformAction,
  PermissionError,
  shortUuidCandidates,
  toShortUuid,
  type TypeFormCollection,
  ValidationError,
} from "../mod.ts";
import { ALL_PERMISSIONS, type Sandbox } from "../sandbox.ts";
import { optionsFor, withSandbox } from "./helpers.ts";

const MISSING_UUID = "5f9ea420-3e88-11ed-9114-03f8483882ff";
const MISSING_ID = "63340ac79708eb30e6403cb9";
const WORKFLOW_PATH = [{ type: "component", formName: "Basic Component", result: "" }];

/** Rejects with exactly `type`, and its message matches every pattern. */
async function rejectsWith(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  ...patterns: RegExp[]
): Promise<Error> {
  const error = await promise.then(
    (value) => assert.fail(`expected ${type.name}, got ${JSON.stringify(value)}`),
    (error: Error) => error,
  );
  assert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
  for (const pattern of patterns) assert.match(error.message, pattern);
  return error;
}

/** Seeds one workflow of type APA_Assembly and returns its ID. */
function seedWorkflow(sandbox: Sandbox, name = "wf"): string {
  return sandbox.seed("workflows", [{
    typeFormId: "APA_Assembly",
    data: { name },
    path: WORKFLOW_PATH,
  }])[0];
}

/** Runs `body` with a connection of a client holding only `permissions`. */
async function asClient(
  sandbox: Sandbox,
  permissions: string[],
  body: (connection: Connection) => Promise<void>,
): Promise<void> {
  const clientId = `limited-${crypto.randomUUID()}`;
  sandbox.addClient({ clientId, clientSecret: "limited-secret", permissions });
  const { connection } = await ConnectToAPI({
    ...optionsFor(sandbox),
    clientId,
    clientSecret: "limited-secret",
  });
  try {
    await body(connection);
  } finally {
    connection.close();
  }
}

Deno.test("GetComponent: latest, an exact version, version 0 = latest, any-case UUID", async () => {
  await withSandbox(async ({ connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "v1" }, connection);
    await EditComponent(uuid, ["name"], ["v2"], connection);
    const latest = await GetComponent(uuid, connection);
    assert.equal(latest.recordType, "component");
    assert.equal(latest.componentUuid, uuid);
    assert.equal(latest.formId, "basic_component");
    assert.equal(latest.formName, "Basic Component");
    assert.deepEqual([latest.validity.version, latest.data.name], [2, "v2"]);
    const first = await GetComponent(uuid, connection, undefined, 1);
    assert.deepEqual([first.validity.version, first.data.name], [1, "v1"]);
    assert.deepEqual(await GetComponent(uuid, connection, undefined, 2), latest);
    assert.deepEqual(await GetComponent(uuid, connection, undefined, 0), latest);
    assert.deepEqual(await GetComponent(uuid.toUpperCase(), connection), latest);
  });
});

Deno.test("GetAction: latest, an exact version, version 0 = latest", async () => {
  await withSandbox(async ({ connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "c" }, connection);
    const actionId = await PerformAction("my_action", uuid, { measurement: 1 }, connection);
    await EditAction(actionId, ["measurement"], [2], connection);
    const latest = await GetAction(actionId, connection);
    assert.equal(latest.recordType, "action");
    assert.deepEqual([latest.actionId, latest.typeFormId, latest.typeFormName], [
      actionId,
      "my_action",
      "My Action",
    ]);
    assert.equal(latest.componentUuid, uuid);
    assert.deepEqual([latest.validity.version, latest.data.measurement], [2, 2]);
    const first = await GetAction(actionId, connection, undefined, 1);
    assert.deepEqual([first.validity.version, first.data.measurement], [1, 1]);
    assert.deepEqual(await GetAction(actionId, connection, undefined, 0), latest);
    assert.deepEqual(await GetAction(actionId.toUpperCase(), connection), latest);
  });
});

Deno.test("GetWorkflow: latest, an exact version, version 0 = latest", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const workflowId = seedWorkflow(sandbox, "first");
    const [v1] = sandbox.documents("workflows");
    sandbox.seed("workflows", [{ ...v1, data: { name: "second" } }]);
    const latest = await GetWorkflow(workflowId, connection);
    assert.equal(latest.recordType, "workflow");
    assert.deepEqual([latest.workflowId, latest.typeFormId, latest.typeFormName], [
      workflowId,
      "APA_Assembly",
      "APA Assembly",
    ]);
    assert.deepEqual(latest.path, WORKFLOW_PATH);
    assert.deepEqual([latest.validity.version, latest.data.name], [2, "second"]);
    const first = await GetWorkflow(workflowId, connection, undefined, 1);
    assert.deepEqual([first.validity.version, first.data.name], [1, "first"]);
    assert.deepEqual(await GetWorkflow(workflowId, connection, undefined, 0), latest);
  });
});

Deno.test("missing records and versions are NotFoundError naming the ID and version", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "c" }, connection);
    const actionId = await PerformAction("my_action", uuid, {}, connection);
    const workflowId = seedWorkflow(sandbox);
    const cases: [Promise<unknown>, RegExp][] = [
      [GetComponent(MISSING_UUID, connection), /no component 5f9ea420-3e88-11ed-9114-03f8483882ff/],
      [GetComponent(uuid, connection, undefined, 2), new RegExp(`version 2 of component ${uuid}`)],
      [GetAction(MISSING_ID, connection), /no action 63340ac79708eb30e6403cb9/],
      [
        GetAction(actionId, connection, undefined, 9),
        new RegExp(`version 9 of action ${actionId}`),
      ],
      [GetWorkflow(MISSING_ID, connection), /no workflow 63340ac79708eb30e6403cb9/],
      [
        GetWorkflow(workflowId, connection, undefined, 3),
        new RegExp(`version 3 of workflow ${workflowId}`),
      ],
      [GetComponentVersions(MISSING_UUID, connection), /no component 5f9ea420/],
      [GetActionVersions(MISSING_ID, connection), /no action 63340ac7/],
      [GetWorkflowVersions(MISSING_ID, connection), /no workflow 63340ac7/],
    ];
    for (const [promise, pattern] of cases) {
      const error = await rejectsWith(promise, NotFoundError, pattern);
      assert.match(String((error as NotFoundError).path), /^\/api\/(component|action|workflow)\//);
    }
  });
});

Deno.test("GetComponentVersions: create + two edits = versions 1..3 with an ancestor chain", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "a", mass: 1 }, connection);
    await EditComponent(uuid, ["mass"], [2], connection);
    await EditComponent(uuid, ["mass"], [3], connection);
    const before = sandbox.stats.requests;
    const versions = await GetComponentVersions(uuid, connection);
    assert.equal(sandbox.stats.requests - before, 3, "one request per version");
    assert.deepEqual(versions.map((v) => v.validity.version), [1, 2, 3]);
    assert.deepEqual(versions.map((v) => v.data.mass), [1, 2, 3]);
    assert.deepEqual(versions.map((v) => v.validity.ancestor_id), [
      null,
      versions[0]._id,
      versions[1]._id,
    ]);
    assert.ok(versions.every((v) => v.componentUuid === uuid));
    assert.deepEqual(versions.map((v) => v._id), sandbox.documents("components").map((d) => d._id));
  });
});

Deno.test("GetActionVersions: perform + two edits = versions 1..3 with an ancestor chain", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "c" }, connection);
    const actionId = await PerformAction("my_action", uuid, { measurement: 1 }, connection);
    await EditAction(actionId, ["measurement"], [2], connection);
    await EditAction(actionId, ["measurement"], [3], connection);
    const versions = await GetActionVersions(actionId, connection);
    assert.deepEqual(versions.map((v) => v.validity.version), [1, 2, 3]);
    assert.deepEqual(versions.map((v) => v.data.measurement), [1, 2, 3]);
    assert.deepEqual(versions.map((v) => v.validity.ancestor_id), [
      null,
      versions[0]._id,
      versions[1]._id,
    ]);
    assert.ok(versions.every((v) => v.actionId === actionId && v.componentUuid === uuid));
    assert.deepEqual(versions.map((v) => v._id), sandbox.documents("actions").map((d) => d._id));
  });
});

Deno.test("GetWorkflowVersions: every version, oldest first; one version is a list of one", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const workflowId = seedWorkflow(sandbox, "w1");
    assert.deepEqual((await GetWorkflowVersions(workflowId, connection)).length, 1);
    const [v1] = sandbox.documents("workflows");
    sandbox.seed("workflows", [{ ...v1, data: { name: "w2" } }]);
    const versions = await GetWorkflowVersions(workflowId, connection);
    assert.deepEqual(versions.map((v) => [v.validity.version, v.data.name]), [[1, "w1"], [
      2,
      "w2",
    ]]);
    assert.equal(versions[1].validity.ancestor_id, versions[0]._id);
  });
});

Deno.test("version arguments that are not version numbers are refused before any request", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const before = sandbox.stats.requests;
    for (const version of [-1, 1.5, Number.NaN, Infinity, "2" as unknown as number]) {
      for (
        const promise of [
          GetComponent(MISSING_UUID, connection, undefined, version),
          GetAction(MISSING_ID, connection, undefined, version),
          GetWorkflow(MISSING_ID, connection, undefined, version),
        ]
      ) {
        await rejectsWith(promise, ValidationError, /is not a version number/);
      }
    }
    assert.equal(sandbox.stats.requests, before);
  });
});

Deno.test("malformed IDs and names are ValidationError, and no request is sent", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const before = sandbox.stats.requests;
    const cases: [Promise<unknown>, RegExp][] = [
      [GetComponent("5f9ea420", connection), /componentUUID "5f9ea420" is not a full UUID/],
      [GetComponent(`${MISSING_UUID}/x`, connection), /not a full UUID/],
      [GetComponent(undefined as unknown as string, connection), /not a full UUID/],
      [
        GetComponentVersions("sYYtwWFURzCyHVYavMrQDd", connection),
        /converts with ConvertShortUUID/,
      ],
      [GetAction("63340ac79708eb30e6403cb", connection), /actionID .* 24 hex digits/],
      [GetAction("63340ac79708eb30e6403cbz", connection), /24 hex digits/],
      [GetActionVersions(MISSING_UUID, connection), /24 hex digits/],
      [GetWorkflow("../component", connection), /workflowID .* 24 hex digits/],
      [GetWorkflowVersions("", connection), /workflowID "" /],
      [GetListOfComponents("", connection), /componentTypeFormID "" is not a type form ID/],
      [GetListOfComponents(" basic_component", connection), /not a type form ID/],
      [GetListOfActions("", connection), /actionTypeFormID/],
      [
        GetListOfActions("my_action", connection, undefined, { componentUUID: "nope" }),
        /componentUUID "nope" is not a full UUID/,
      ],
      [GetListOfWorkflows("", connection), /workflowTypeFormID/],
      [GetTypeForm("componentForms", "", connection), /typeFormID "" is not a type form ID/],
      [GetTypeForm("componentForms", "list", connection), /reserves it/],
      [GetTypeForm("actionForms", "object", connection), /reserves it/],
      [ListTypeForms("forms" as TypeFormCollection, connection), /"forms" is not a type form/],
      [
        GetTypeForm("components" as TypeFormCollection, "basic_component", connection),
        /use componentForms, actionForms, workflowForms/,
      ],
    ];
    for (const [promise, pattern] of cases) await rejectsWith(promise, ValidationError, pattern);
    assert.equal(sandbox.stats.requests, before, "no request for input refused locally");
  });
});

Deno.test("a client without a view permission gets a PermissionError naming it", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "c" }, connection);
    const actionId = await PerformAction("my_action", uuid, {}, connection);
    const workflowId = seedWorkflow(sandbox);
    const calls: Record<string, ((c: Connection) => Promise<unknown>)[]> = {
      "components:view": [
        (c) => GetComponent(uuid, c),
        (c) => GetComponent(uuid, c, undefined, 1),
        (c) => GetComponentVersions(uuid, c),
        (c) => GetListOfComponents("basic_component", c),
      ],
      "actions:view": [
        (c) => GetAction(actionId, c),
        (c) => GetActionVersions(actionId, c),
        (c) => GetListOfActions("my_action", c),
        (c) => GetListOfActions("my_action", c, undefined, { componentUUID: uuid }),
      ],
      "workflows:view": [
        (c) => GetWorkflow(workflowId, c),
        (c) => GetWorkflowVersions(workflowId, c),
        (c) => GetListOfWorkflows("APA_Assembly", c),
      ],
    };
    for (const [permission, lacking] of Object.entries(calls)) {
      await asClient(sandbox, ALL_PERMISSIONS.filter((p) => p !== permission), async (limited) => {
        for (const call of lacking) {
          const error = await rejectsWith(
            call(limited),
            PermissionError,
            new RegExp(`needs the permission "${permission}"`),
          );
          assert.equal((error as PermissionError).permission, permission);
          assert.equal((error as PermissionError).status, 403);
        }
        // Only what needs the missing permission is refused.
        for (const [other, allowed] of Object.entries(calls)) {
          if (other !== permission) await allowed[0](limited);
        }
      });
    }
  });
});

Deno.test("short UUIDs: offline conversions agree with the stored ones and ConvertShortUUID", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "label" }, connection);
    const { shortUuid } = await GetComponent(uuid, connection);
    assert.equal(toShortUuid(uuid), shortUuid);
    assert.equal(toShortUuid(uuid.toUpperCase()), shortUuid);
    assert.equal(fromShortUuid(shortUuid), uuid);
    assert.equal(shortUuidCandidates(shortUuid)[0], uuid);
    assert.equal(await ConvertShortUUID(shortUuid, connection), uuid);
    const before = sandbox.stats.requests;
    assert.throws(() => toShortUuid("not-a-uuid"), ValidationError);
    assert.throws(() => fromShortUuid("sYYtwWFURzCyHVYavMrQD0"), /contains "0"/);
    await rejectsWith(
      ConvertShortUUID("sYYtwWFURzCyHVYavMrQDO", connection),
      ValidationError,
      /"O"/,
    );
    assert.equal(sandbox.stats.requests, before);
  });
});
