import assert from "node:assert/strict";
import { startSandbox } from "../sandbox.ts";
import { toShortUuid } from "../lib/ids.ts";
import { call, createComponent, getToken } from "./sandbox_helpers.ts";

const HTML = "text/html; charset=utf-8";
const JSON_TYPE = "application/json; charset=utf-8";

Deno.test("component: create, read, edit (versions, ancestor_id, key order, server-filled fields)", async () => {
  const clock = Date.UTC(2024, 9, 23, 15, 41, 37, 212);
  await using sandbox = await startSandbox({ now: () => clock });
  const token = await getToken(sandbox);
  const fresh = await call(sandbox, "GET", "/api/newComponentUUID", { token });
  assert.equal(fresh.text.length, 38);
  assert.match(
    fresh.json as string,
    /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  const uuid = "C7A18530-914F-11EF-8A5E-6B1D2C4E8F90";
  const created = await call(sandbox, "POST", "/api/component", {
    token,
    body: {
      componentUuid: uuid,
      formId: "basic_component",
      formName: "ignored",
      data: { name: "A" },
    },
  });
  assert.deepEqual([created.status, created.json], [200, uuid.toLowerCase()]);
  assert.equal(created.headers.get("content-type"), JSON_TYPE);
  assert.equal(
    created.headers.get("strict-transport-security"),
    "max-age=31536000; includeSubDomains; preload",
  );

  const first = (await call(sandbox, "GET", `/api/component/${uuid}`, { token })).json as Record<
    string,
    unknown
  >;
  assert.deepEqual(Object.keys(first), [
    "_id",
    "recordType",
    "componentUuid",
    "shortUuid",
    "formId",
    "formName",
    "data",
    "insertion",
    "validity",
    "reception",
  ]);
  assert.match(String(first._id), /^[0-9a-f]{24}$/);
  assert.equal(first.componentUuid, "c7a18530-914f-11ef-8a5e-6b1d2c4e8f90");
  assert.equal(first.shortUuid, "qDLUqkToEZawqFaJEqUt79");
  assert.equal(first.formName, "Basic Component");
  assert.deepEqual(first.data, { name: "A", typeRecordNumber: 1 });
  assert.deepEqual(first.insertion, {
    insertDate: "2024-10-23T15:41:37.212Z",
    ip: "::ffff:127.0.0.1",
    user: { user_id: "sandbox-client", displayName: "M2M Client", emails: ["none"] },
  });
  assert.deepEqual(first.validity, {
    startDate: "2024-10-23T15:41:37.212Z",
    version: 1,
    ancestor_id: null,
  });
  assert.deepEqual(first.reception, { date: "2024-10-23", detail: "", location: "" });

  // An edit re-posts the record: new _id, version 2, ancestor_id = the _id sent, reception as sent.
  const edit = { ...first, data: { ...(first.data as object), name: "B" }, workflowId: "w1" };
  assert.equal((await call(sandbox, "POST", "/api/component", { token, body: edit })).status, 200);
  const second = (await call(sandbox, "GET", `/api/component/${uuid}`, { token })).json as Record<
    string,
    unknown
  >;
  assert.notEqual(second._id, first._id);
  assert.deepEqual(second.validity, {
    startDate: "2024-10-23T15:41:37.212Z",
    version: 2,
    ancestor_id: first._id,
  });
  assert.deepEqual(Object.keys(second).slice(6, 9), ["data", "workflowId", "insertion"]);
  assert.deepEqual(second.reception, first.reception);
  // An edit without reception stores null; an older _id re-posted still builds on the latest.
  const { reception: _, ...noReception } = first;
  await call(sandbox, "POST", "/api/component", { token, body: noReception });
  const third = (await call(sandbox, "GET", `/api/component/${uuid}`, { token })).json as Record<
    string,
    unknown
  >;
  assert.deepEqual(third.validity, {
    startDate: "2024-10-23T15:41:37.212Z",
    version: 3,
    ancestor_id: first._id,
  });
  assert.equal(third.reception, null);

  // ?version= has parseInt semantics; 0 and non-numbers find nothing; an empty value means latest.
  const version = async (query: string) =>
    ((await call(sandbox, "GET", `/api/component/${uuid}${query}`, { token })).json as {
      validity?: { version: number };
    } | null)
      ?.validity?.version ?? null;
  assert.equal(await version("?version=1"), 1);
  assert.equal(await version("?version=2abc"), 2);
  assert.equal(await version("?version="), 3);
  assert.equal(await version("?version=0"), null);
  assert.equal(await version("?version=abc"), null);
  assert.equal(await version("?version=9"), null);
  assert.equal(sandbox.documents("components").length, 3);
});

Deno.test("component: a missing record is 200 null; typeRecordNumber counts per type", async () => {
  await using sandbox = await startSandbox();
  const token = await getToken(sandbox);
  const missing = await call(
    sandbox,
    "GET",
    "/api/component/5f9ea420-3e88-11ed-9114-03f8483882ff",
    { token },
  );
  assert.deepEqual([missing.status, missing.text], [200, "null"]);
  const numbers: unknown[] = [];
  for (const data of [{}, {}, { typeRecordNumber: 77 }, { typeRecordNumber: 0 }]) {
    const uuid = await createComponent(sandbox, token, data);
    const record = (await call(sandbox, "GET", `/api/component/${uuid}`, { token })).json as {
      data: { typeRecordNumber: number };
    };
    numbers.push(record.data.typeRecordNumber);
  }
  assert.deepEqual(numbers, [1, 2, 77, 4]);
  const other = await call(sandbox, "GET", "/api/newComponentUUID", { token });
  await call(sandbox, "POST", "/api/component", {
    token,
    body: { componentUuid: other.json, formId: "basic_component_2", data: {} },
  });
  const last = sandbox.documents("components").at(-1);
  assert.deepEqual(last?.data, { typeRecordNumber: 1 }); // numbering is per type
});

Deno.test("component: save errors in the server's order with its messages", async () => {
  await using sandbox = await startSandbox();
  const token = await getToken(sandbox);
  const uuid = "5f9ea420-3e88-11ed-9114-03f8483882ff";
  const cases: [unknown, string][] = [
    [{}, "Error: Components::save() - the 'input.componentUuid' has not been specified!"],
    [[], "Error: Components::save() - the 'input.componentUuid' has not been specified!"],
    [
      { componentUuid: uuid },
      "Error: Components::save() - the 'input.formId' has not been specified!",
    ],
    [
      { componentUuid: uuid, formId: "x" },
      "Error: Components::save() - the 'input.data' has not been specified!",
    ],
    [
      { componentUuid: "bad", formId: "nope", data: {} },
      "Error: Components:save() - the specified 'input.formId' (nope) does not match a known component type form!",
    ],
    [{ componentUuid: "bad", formId: "basic_component", data: {} }, "Error: Invalid UUID."],
    [
      { componentUuid: "", formId: "basic_component", data: {} },
      "Error: Components::retrieve(): the 'componentUuid' has not been specified!",
    ],
    [
      { componentUuid: uuid, formId: "basic_component", data: null },
      "TypeError: Cannot read properties of null (reading 'typeRecordNumber')",
    ],
  ];
  for (const [body, error] of cases) {
    const answer = await call(sandbox, "POST", "/api/component", { token, body });
    assert.deepEqual([answer.status, answer.json], [500, { error }], JSON.stringify(body));
  }
  // A key present with the value null passes the key checks.
  const nulls = await call(sandbox, "POST", "/api/component", {
    token,
    body: { componentUuid: uuid, formId: null, data: {} },
  });
  assert.match((nulls.json as { error: string }).error, /'input.formId' \(null\) does not match/);
  // A body that is not JSON is {} to the server.
  const text = await call(sandbox, "POST", "/api/component", {
    token,
    rawBody: JSON.stringify({ componentUuid: uuid, formId: "basic_component", data: {} }),
    headers: { "content-type": "text/plain" },
  });
  assert.match(
    (text.json as { error: string }).error,
    /'input.componentUuid' has not been specified/,
  );
  assert.equal(sandbox.stats.stored.components, 0);
});

Deno.test("confirmShortUUID: both alphabets, 404 with the base-57 decoding, 500 messages, route pattern", async () => {
  await using sandbox = await startSandbox();
  const token = await getToken(sandbox);
  const flickrUuid = "c7a18530-914f-11ef-8a5e-6b1d2c4e8f90";
  const base57Short = "sYYtwWFURzCyHVYavMrQDd";
  sandbox.seed("components", [{ componentUuid: flickrUuid, formId: "basic_component", data: {} }]);
  const found = await call(sandbox, "GET", `/api/confirmShortUUID/${toShortUuid(flickrUuid)}`, {
    token,
  });
  assert.deepEqual([found.status, found.json], [200, flickrUuid]);
  assert.equal(found.text.length, 38);

  const notFound = await call(sandbox, "GET", `/api/confirmShortUUID/${base57Short}`, { token });
  assert.equal(notFound.status, 404);
  const message = (notFound.json as { error: string }).error;
  assert.match(message, /^There is no component record with component UUID = [0-9a-f-]{36}$/);
  const second = message.split(" = ")[1];
  assert.notEqual(second, "da820f60-130e-11ed-bf0a-f3cd78f73f46"); // the flickr decoding is not reported
  sandbox.seed("components", [{ componentUuid: second, formId: "basic_component", data: {} }]);
  const viaBase57 = await call(sandbox, "GET", `/api/confirmShortUUID/${base57Short}`, { token });
  assert.deepEqual([viaBase57.status, viaBase57.json], [200, second]);

  const flickr = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
  const base57 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  const withOne = await call(sandbox, "GET", "/api/confirmShortUUID/1111111111111111111112", {
    token,
  });
  assert.deepEqual(withOne.json, {
    error: `Error: Number "1111111111111111111112" contains of non-alphabetic digits (${base57})`,
  });
  const withZero = await call(sandbox, "GET", "/api/confirmShortUUID/0bcdefghijkmnopqrstuvw", {
    token,
  });
  assert.deepEqual([withZero.status, withZero.json], [500, {
    error: `Error: Number "0bcdefghijkmnopqrstuvw" contains of non-alphabetic digits (${flickr})`,
  }]);
  for (
    const path of ["/api/confirmShortUUID/short", "/api/confirmShortUUID/abc_defghijkmnopqrstuvw"]
  ) {
    const answer = await call(sandbox, "GET", path, { token });
    assert.equal(answer.status, 404);
    assert.equal(answer.headers.get("content-type"), HTML);
    assert.match(answer.text, new RegExp(`<pre>Cannot GET ${path}</pre>`));
  }
});

Deno.test("components list: latest per component, newest first, capped at 500", async () => {
  let clock = Date.UTC(2024, 0, 1);
  await using sandbox = await startSandbox({ now: () => clock++ });
  const token = await getToken(sandbox);
  const bodies = Array.from({ length: 501 }, (_, index) => ({
    componentUuid: `00000000-0000-1000-8000-${index.toString(16).padStart(12, "0")}`,
    formId: "basic_component",
    data: { index },
  }));
  const uuids = sandbox.seed("components", bodies);
  const list = await call(sandbox, "GET", "/api/components/basic_component/list", { token });
  assert.equal((list.json as string[]).length, 500);
  assert.deepEqual(list.json, uuids.slice(1).reverse());
  // Editing the oldest moves it to the front.
  sandbox.seed("components", [bodies[0]]);
  const after = (await call(sandbox, "GET", "/api/components/basic_component/list/", { token }))
    .json as string[];
  assert.equal(after[0], uuids[0]);
  assert.deepEqual(
    (await call(sandbox, "GET", "/api/COMPONENTS/unknown/LIST", { token })).json,
    [],
  );
});

Deno.test("routing and body parsing follow Express", async () => {
  await using sandbox = await startSandbox();
  const token = await getToken(sandbox);
  const upper = await call(sandbox, "GET", "/API/NEWCOMPONENTUUID/", { token });
  assert.equal(upper.status, 200);
  const unknown = await call(sandbox, "GET", "/nowhere?x=1");
  assert.deepEqual([unknown.status, unknown.headers.get("content-type")], [404, HTML]);
  assert.match(unknown.text, /<pre>Cannot GET \/nowhere<\/pre>/);
  assert.equal(unknown.headers.get("strict-transport-security")?.startsWith("max-age="), true);
  const malformed = await call(sandbox, "POST", "/api/component", {
    token,
    rawBody: '{"componentUuid": ',
    headers: { "content-type": "application/json" },
  });
  assert.deepEqual([malformed.status, malformed.headers.get("content-type")], [400, HTML]);
  assert.match(malformed.text, /Bad Request/);
  const scalar = await call(sandbox, "POST", "/api/component", {
    token,
    rawBody: '"text"',
    headers: { "content-type": "application/json" },
  });
  assert.equal(scalar.status, 400); // strict mode: only objects and arrays
  // The body is parsed before the token is checked.
  const noToken = await call(sandbox, "POST", "/api/component", {
    rawBody: "{",
    headers: { "content-type": "application/json" },
  });
  assert.equal(noToken.status, 400);
  const huge = await call(sandbox, "POST", "/api/component", {
    token,
    rawBody: new Uint8Array(10_240_001).fill(0x20),
    headers: { "content-type": "application/json" },
  });
  assert.deepEqual([huge.status, huge.headers.get("content-type")], [413, HTML]);
  assert.match(huge.text, /Payload Too Large/);
  const badEscape = await call(sandbox, "GET", "/api/components/%E0%A4%A/list", { token });
  assert.equal(badEscape.status, 400);
  const batch = await call(sandbox, "POST", "/api/componentBatch", {
    token,
    body: { not: "array" },
  });
  assert.deepEqual(batch.json, { error: "TypeError: req.body.forEach is not a function" });
});
