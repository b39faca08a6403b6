import assert from "node:assert/strict";
import { startSandbox, type TypeFormDefinition } from "../sandbox.ts";
import { call, getToken } from "./sandbox_helpers.ts";

Deno.test("type forms: listing as object and list, one form, 404", async () => {
  await using sandbox = await startSandbox();
  const token = await getToken(sandbox);
  const object = (await call(sandbox, "GET", "/api/actionForms", { token })).json as Record<
    string,
    unknown
  >;
  assert.deepEqual(object, {
    my_action: {
      _id: "my_action",
      formId: "my_action",
      formName: "My Action",
      tags: ["Test"],
      componentTypes: ["basic_component"],
    },
  });
  assert.deepEqual(
    (await call(sandbox, "GET", "/api/actionForms/object/", { token })).json,
    object,
  );
  const list = (await call(sandbox, "GET", "/api/componentForms/list", { token })).json as {
    formName: string;
  }[];
  assert.deepEqual(list.map((entry) => entry.formName), ["Basic Component", "Basic Component 2"]);
  assert.deepEqual(Object.keys(list[0]), ["_id", "formId", "formName", "tags"]);
  const workflows = (await call(sandbox, "GET", "/api/workflowForms/list", { token }))
    .json as object[];
  assert.deepEqual(Object.keys(workflows[0]), [
    "_id",
    "formId",
    "formName",
    "tags",
    "componentTypes",
    "path",
  ]);

  const form = (await call(sandbox, "GET", "/api/workflowForms/APA_Assembly", { token }))
    .json as Record<string, unknown>;
  assert.deepEqual(Object.keys(form), [
    "_id",
    "recordType",
    "formId",
    "formName",
    "collection",
    "componentTypes",
    "description",
    "path",
    "tags",
    "schema",
    "isBatch",
    "insertion",
    "validity",
  ]);
  assert.match(String(form._id), /^[0-9a-f]{24}$/);
  assert.equal((form.schema as { components: unknown[] }).components.length > 0, true);

  const missing = await call(sandbox, "GET", "/api/componentForms/nope", { token });
  assert.deepEqual([missing.status, missing.json], [404, {
    error: "There is no type form with form ID = nope in the componentForms collection",
  }]);
  // Matching is case-insensitive, but the collection name is used as typed: an empty collection.
  assert.deepEqual((await call(sandbox, "GET", "/api/COMPONENTFORMS/list", { token })).json, []);
  assert.deepEqual((await call(sandbox, "GET", "/api/componentForms/LIST", { token })).json, {
    basic_component: list[0],
    basic_component_2: list[1],
  });
});

Deno.test("type forms: POST needs forms:edit and saves a new version under the body's formId", async () => {
  await using sandbox = await startSandbox();
  sandbox.addClient({ clientId: "viewer", clientSecret: "v", permissions: ["components:edit"] });
  const viewer = await getToken(sandbox, { client_id: "viewer", client_secret: "v" });
  const denied = await call(sandbox, "POST", "/api/componentForms/basic_component", {
    token: viewer,
    body: {},
  });
  assert.deepEqual([denied.status, denied.json], [403, {
    error: "Incorrect permissions - you need forms:edit, but have components:edit",
  }]);

  const token = await getToken(sandbox);
  const old = (await call(sandbox, "GET", "/api/componentForms/basic_component", { token }))
    .json as Record<string, unknown>;
  const saved = await call(sandbox, "POST", "/api/componentForms/ignored", {
    token,
    body: { ...old, formName: "Renamed Component" },
  });
  assert.deepEqual([saved.status, saved.json], [200, "basic_component"]);
  const form = (await call(sandbox, "GET", "/api/componentForms/basic_component", { token }))
    .json as Record<string, unknown>;
  assert.equal(form.formName, "Renamed Component");
  assert.deepEqual([
    (form.validity as { version: number }).version,
    (form.validity as { ancestor_id: string }).ancestor_id,
  ], [2, old._id]);
  // Records saved from now on take the new name.
  const uuid = (await call(sandbox, "GET", "/api/newComponentUUID", { token })).json;
  await call(sandbox, "POST", "/api/component", {
    token,
    body: { componentUuid: uuid, formId: "basic_component", data: {} },
  });
  assert.equal(sandbox.documents("components")[0].formName, "Renamed Component");

  const missing = await call(sandbox, "POST", "/api/actionForms/x", {
    token,
    body: { formId: "x", formName: "X" },
  });
  assert.deepEqual(missing.json, {
    error: "Error: Forms::save() - the 'input.schema' has not been specified!",
  });
  const created = await call(sandbox, "POST", "/api/actionForms/x", {
    token,
    body: { formId: "new_action", formName: "New Action", schema: {} },
  });
  assert.equal(created.json, "new_action");
  const fresh = (await call(sandbox, "GET", "/api/actionForms/new_action", { token }))
    .json as Record<string, unknown>;
  assert.deepEqual([fresh.componentTypes, fresh.tags, fresh.isBatch], [[], [], false]);
  const action = await call(sandbox, "POST", "/api/action", {
    token,
    body: { typeFormId: "new_action", componentUuid: uuid, data: {} },
  });
  assert.equal(action.status, 200);
});

Deno.test("type forms: loaded from a JSON file; bad files are refused", async () => {
  const forms: TypeFormDefinition[] = [
    {
      collection: "componentForms",
      formId: "Widget",
      formName: "Widget",
      schema: { components: [] },
    },
  ];
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, JSON.stringify(forms));
    {
      await using sandbox = await startSandbox({ forms: path });
      const token = await getToken(sandbox);
      assert.deepEqual(
        Object.keys((await call(sandbox, "GET", "/api/componentForms", { token })).json as object),
        ["Widget"],
      );
      assert.deepEqual((await call(sandbox, "GET", "/api/actionForms/list", { token })).json, []);
    }
    await Deno.writeTextFile(
      path,
      JSON.stringify([{ collection: "nope", formId: "a", formName: "A", schema: {} }]),
    );
    await assert.rejects(startSandbox({ forms: path }), /type form #1: collection must be one of/);
    await assert.rejects(startSandbox({ forms: `${path}.missing` }), /cannot read type forms file/);
  } finally {
    await Deno.remove(path);
  }
});
