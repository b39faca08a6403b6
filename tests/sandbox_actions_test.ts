import assert from "node:assert/strict";
import { startSandbox } from "../sandbox.ts";
import { call, createComponent, getToken } from "./sandbox_helpers.ts";

const UUID = "5f9ea420-3e88-11ed-9114-03f8483882ff";

Deno.test("action: create with a client actionId, read, edit; key order", async () => {
  const clock = Date.UTC(2024, 9, 23, 15, 12, 40, 51);
  await using sandbox = await startSandbox({ now: () => clock });
  const token = await getToken(sandbox);
  const actionId = "63340AC79708EB30E6403CB9";
  const created = await call(sandbox, "POST", "/api/action", {
    token,
    body: {
      actionId,
      typeFormId: "my_action",
      typeFormName: "ignored",
      componentUuid: UUID,
      data: { m: 1 },
    },
  });
  assert.deepEqual([created.status, created.json], [200, actionId.toLowerCase()]);
  const first = (await call(sandbox, "GET", `/api/action/${actionId}`, { token })).json as Record<
    string,
    unknown
  >;
  assert.deepEqual(Object.keys(first), [
    "_id",
    "recordType",
    "actionId",
    "typeFormId",
    "typeFormName",
    "componentUuid",
    "data",
    "insertion",
    "validity",
  ]);
  assert.equal(first.typeFormName, "My Action");
  assert.deepEqual(first.validity, {
    startDate: "2024-10-23T15:12:40.051Z",
    version: 1,
    ancestor_id: null,
  });
  const edit = { ...first, data: { m: 2 }, images: ["a.png"], workflowId: "w" };
  assert.equal(
    (await call(sandbox, "POST", "/api/action", { token, body: edit })).json,
    actionId.toLowerCase(),
  );
  const second = (await call(sandbox, "GET", `/api/action/${actionId}`, { token })).json as Record<
    string,
    unknown
  >;
  assert.deepEqual(second.validity, {
    startDate: "2024-10-23T15:12:40.051Z",
    version: 2,
    ancestor_id: first._id,
  });
  assert.deepEqual(Object.keys(second).slice(6, 10), ["data", "workflowId", "images", "insertion"]);
  const v1 = (await call(sandbox, "GET", `/api/action/${actionId}?version=1`, { token })).json;
  assert.deepEqual(v1, first);
  const none = await call(sandbox, "GET", "/api/action/000000000000000000000000", { token });
  assert.equal(none.text, "null");
  // Without an actionId the server makes one.
  const generated = await call(sandbox, "POST", "/api/action", {
    token,
    body: { actionId: null, typeFormId: "my_action", componentUuid: UUID, data: {} },
  });
  assert.match(generated.json as string, /^[0-9a-f]{24}$/);
  assert.equal(sandbox.documents("actions").length, 3);
});

Deno.test("action: id rules and save errors (API.md §3, §5)", async () => {
  await using sandbox = await startSandbox();
  const token = await getToken(sandbox);
  const base = { typeFormId: "my_action", componentUuid: UUID, data: {} };
  const twelve = await call(sandbox, "POST", "/api/action", {
    token,
    body: { ...base, actionId: "abcdefghijkl" },
  });
  assert.equal(twelve.json, "6162636465666768696a6b6c");
  const seconds = await call(sandbox, "POST", "/api/action", {
    token,
    body: { ...base, actionId: 1 },
  });
  assert.match(seconds.json as string, /^00000001[0-9a-f]{16}$/);
  const cases: [Record<string, unknown>, string][] = [
    [
      { ...base, actionId: "" },
      "BSONTypeError: Argument passed in must be a string of 12 bytes or a string of 24 hex characters or an integer",
    ],
    [
      { ...base, actionId: "xyz" },
      "BSONTypeError: Argument passed in must be a string of 12 bytes or a string of 24 hex characters or an integer",
    ],
    [
      { ...base, actionId: "ééééééééééé1" },
      "BSONTypeError: Argument passed in must be a string of 12 bytes",
    ],
    [
      { ...base, actionId: true },
      "BSONTypeError: Argument passed in does not match the accepted types",
    ],
    [
      { ...base, actionId: {} },
      "BSONTypeError: Argument passed in does not match the accepted types",
    ],
    [{ data: {} }, "Error: Actions::save() - the 'input.typeFormId' has not been specified!"],
    [
      { typeFormId: "x", data: {} },
      "Error: Actions::save() - the 'input.componentUuid' has not been specified!",
    ],
    [
      { typeFormId: "x", componentUuid: UUID },
      "Error: Actions::save() - the 'input.data' has not been specified!",
    ],
    [
      { ...base, typeFormId: "nope" },
      "Error: Actions:save() - the specified 'input.typeFormId' (nope) does not match a known action type form!",
    ],
    [{ ...base, componentUuid: "5f9ea420" }, "Error: Invalid UUID."],
    [
      { ...base, data: null },
      "TypeError: Cannot read properties of null (reading 'actionComplete')",
    ],
  ];
  for (const [body, error] of cases) {
    const answer = await call(sandbox, "POST", "/api/action", { token, body });
    assert.deepEqual([answer.status, answer.json], [500, { error }], JSON.stringify(body));
  }
  // The component is not checked to exist; an empty componentUuid even becomes a random one.
  const dangling = await call(sandbox, "POST", "/api/action", {
    token,
    body: { ...base, componentUuid: "" },
  });
  assert.equal(dangling.status, 200);
  assert.equal(sandbox.stats.stored.actions, 3);
});

Deno.test("actions list: latest per action, newest first, capped at 200, ?uuid= filter", async () => {
  let clock = Date.UTC(2024, 0, 1);
  await using sandbox = await startSandbox({ now: () => clock++ });
  const token = await getToken(sandbox);
  const component = await createComponent(sandbox, token);
  const ids = sandbox.seed(
    "actions",
    Array.from({ length: 205 }, (_, index) => ({
      typeFormId: "my_action",
      componentUuid: index % 5 === 0 ? component : UUID,
      data: { index },
    })),
  );
  const all = (await call(sandbox, "GET", "/api/actions/my_action/list", { token }))
    .json as string[];
  assert.equal(all.length, 200);
  assert.deepEqual(all, ids.slice(5).reverse());
  const mine =
    (await call(sandbox, "GET", `/api/actions/my_action/list?uuid=${component.toUpperCase()}`, {
      token,
    }))
      .json as string[];
  assert.deepEqual(mine, ids.filter((_, index) => index % 5 === 0).reverse());
  const bad = await call(sandbox, "GET", "/api/actions/my_action/list?uuid=nope", { token });
  assert.deepEqual([bad.status, bad.json], [500, { error: "Error: Invalid UUID." }]);
  assert.deepEqual((await call(sandbox, "GET", "/api/actions/other/list", { token })).json, []);
});

Deno.test("workflow: save checks, client workflowId, read, and the broken list route", async () => {
  await using sandbox = await startSandbox();
  const token = await getToken(sandbox);
  const path = [
    { type: "component", formName: "Basic Component", result: "" },
    { type: "action", formName: "My Action", result: "" },
  ];
  const empty = await call(sandbox, "GET", "/api/workflows/APA_Assembly/list", { token });
  assert.deepEqual([empty.status, empty.json], [200, [[], []]]);
  const workflowId = "668ed67ee7db83204afd723f";
  const saved = await call(sandbox, "POST", "/api/workflow", {
    token,
    body: {
      workflowId,
      typeFormId: "APA_Assembly",
      data: { name: "W" },
      path,
      completionStatus: 0,
    },
  });
  assert.deepEqual([saved.status, saved.json], [200, workflowId]);
  const record = (await call(sandbox, "GET", `/api/workflow/${workflowId}`, { token }))
    .json as Record<string, unknown>;
  assert.deepEqual(Object.keys(record), [
    "_id",
    "recordType",
    "workflowId",
    "typeFormId",
    "typeFormName",
    "data",
    "path",
    "completionStatus",
    "firstIncompleteAction",
    "insertion",
    "validity",
  ]);
  assert.deepEqual([record.typeFormName, record.completionStatus, record.firstIncompleteAction], [
    "APA Assembly",
    0,
    null,
  ]);
  await call(sandbox, "POST", "/api/workflow", { token, body: record });
  const latest = (await call(sandbox, "GET", `/api/workflow/${workflowId}`, { token })).json as {
    validity: object;
  };
  assert.deepEqual(latest.validity, { ...latest.validity, version: 2, ancestor_id: record._id });
  const broken = await call(sandbox, "GET", "/api/workflows/APA_Assembly/list", { token });
  assert.deepEqual([broken.status, broken.json], [500, {
    error: "TypeError: Cannot read properties of undefined (reading 'length')",
  }]);

  const prefix = "Error: Workflows::save() - ";
  const base = { typeFormId: "APA_Assembly", data: {} };
  const cases: [Record<string, unknown>, string][] = [
    [{ data: {}, path }, `${prefix}the 'input.typeFormId' has not been specified!`],
    [{ typeFormId: "x", path }, `${prefix}the 'input.data' has not been specified!`],
    [{ typeFormId: "x", data: {} }, `${prefix}the 'input.path' has not been specified!`],
    [
      { ...base, typeFormId: "x", path },
      "Error: Workflows:save() - the specified 'input.typeFormId' (x) does not match a known workflow type form!",
    ],
    [
      { ...base, path: [{ formName: "A" }] },
      `${prefix}the 'step.type' has not been specified for one or more steps!`,
    ],
    [
      { ...base, path: [{ type: "other", formName: "A" }] },
      `${prefix}the 'step.type' is not valid for one or more steps (must be either 'component' or 'action'!`,
    ],
    [
      { ...base, path: [{ type: "component", formName: "" }] },
      `${prefix}the 'step.formName' has not been specified for one or more steps!`,
    ],
    [
      { ...base, path: [{ type: "action", formName: "A" }] },
      `${prefix}the 'step.type' of the first step is not 'component'!`,
    ],
    [{ ...base, path: [] }, "TypeError: Cannot read properties of undefined (reading 'type')"],
    [{ ...base, path: null }, "TypeError: input.path is not iterable"],
    [
      { ...base, path, workflowId: "" },
      "BSONTypeError: Argument passed in must be a string of 12 bytes or a string of 24 hex characters or an integer",
    ],
  ];
  for (const [body, error] of cases) {
    const answer = await call(sandbox, "POST", "/api/workflow", { token, body });
    assert.deepEqual([answer.status, answer.json], [500, { error }], JSON.stringify(body));
  }
  assert.equal(sandbox.stats.stored.workflows, 2);
});

Deno.test("componentBatch answers [{}...] before saving, as the live server does", async () => {
  await using sandbox = await startSandbox();
  const token = await getToken(sandbox);
  const body = [
    { componentUuid: UUID, formId: "basic_component", data: {} },
    { componentUuid: "bad", formId: "basic_component", data: {} },
  ];
  const answer = await call(sandbox, "POST", "/api/componentBatch", { token, body });
  assert.deepEqual([answer.status, answer.json], [200, [{}, {}]]);
  // The valid element was saved after the reply; the failure went unreported.
  assert.equal(sandbox.stats.stored.components, 1);
});
