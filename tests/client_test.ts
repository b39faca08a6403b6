import assert from "node:assert/strict";
import {
  ApiError,
  AuthError,
  ConnectToAPI,
  ConvertShortUUID,
  CreateComponent,
  EditAction,
  EditComponent,
  GetAction,
  GetComponent,
  NetworkError,
  NotFoundError,
  PerformAction,
  PermissionError,
  TimeoutError,
  toShortUuid,
  ValidationError,
} from "../mod.ts";
import { BASE57 } from "../lib/ids.ts";
import { startSandbox } from "../sandbox.ts";
import { optionsFor, withSandbox } from "./helpers.ts";

Deno.test("ConnectToAPI returns a connection and headers without the token", async () => {
  await withSandbox(async ({ sandbox }) => {
    const { connection, headers } = await ConnectToAPI(optionsFor(sandbox));
    assert.deepEqual(headers, { "content-type": "application/json" });
    assert.equal(connection.dbBaseUrl, `http://${sandbox.host}`);
    assert.equal(sandbox.stats.tokensIssued, 2);
    connection.close();
  });
});

Deno.test("ConnectToAPI: a wrong secret is an AuthError that does not show the secret", async () => {
  const sandbox = await startSandbox();
  try {
    const error = await ConnectToAPI({ ...optionsFor(sandbox), clientSecret: "wrong-s3cret-123" })
      .catch((error) => error);
    assert.ok(error instanceof AuthError, String(error));
    assert.match(error.message, /401.*check M2M_CLIENT_ID and M2M_CLIENT_SECRET/);
    assert.ok(!error.message.includes("wrong-s3cret-123"));
  } finally {
    await sandbox.close();
  }
});

Deno.test("ConnectToAPI: an unreachable token host is an AuthError saying so", async () => {
  const sandbox = await startSandbox();
  const options = optionsFor(sandbox);
  await sandbox.close();
  const error = await ConnectToAPI(options).catch((error) => error);
  assert.ok(error instanceof AuthError, String(error));
  assert.match(error.message, /could not be reached.*check M2M_AUTH0_DOMAIN/);
  assert.ok(error.cause instanceof NetworkError);
});

Deno.test("CreateComponent → ConvertShortUUID → EditComponent round trip", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const data = { name: "Frame 7", mass: 12.5 };
    const frozen = structuredClone(data);
    const uuid = await CreateComponent("basic_component", data, connection);
    assert.deepEqual(data, frozen, "the caller's data is not mutated");
    const created = await GetComponent(uuid, connection);
    assert.deepEqual(created.data, { ...data, submit: true, typeRecordNumber: 1 });
    assert.equal(created.shortUuid, toShortUuid(uuid));
    assert.equal(await ConvertShortUUID(created.shortUuid, connection), uuid);

    assert.equal(await EditComponent(uuid, ["mass"], [13], connection), uuid);
    const edited = await GetComponent(uuid, connection);
    assert.equal(edited.validity.version, 2);
    assert.equal(edited.validity.ancestor_id, created._id);
    assert.deepEqual(edited.data, { ...created.data, mass: 13 });
    assert.equal((await GetComponent(uuid, connection, undefined, 1)).data.mass, 12.5);
    assert.equal(sandbox.documents("components").length, 2);
  });
});

Deno.test("ConvertShortUUID finds a component by its base57 short UUID too", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    // A UUID whose base57 form has no "1", so the flickr decoding is tried first and misses.
    const uuid = sandbox.seed("components", [{
      componentUuid: "5f9ea420-3e88-11ed-9114-03f8483882ff",
      formId: "basic_component",
      data: { name: "old label" },
    }])[0];
    let value = BigInt(`0x${uuid.replaceAll("-", "")}`);
    let base57 = "";
    while (value > 0n) {
      base57 = BASE57[Number(value % 57n)] + base57;
      value /= 57n;
    }
    assert.equal(await ConvertShortUUID(base57, connection), uuid);
  });
});

Deno.test("ConvertShortUUID: unknown short UUIDs are NotFoundError, bad characters refused locally", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    // No "1": the server answers 404; with "1": it can only answer 500 (API.md §8.4).
    for (const unknown of ["sYYtwWFURzCyHVYavMrQDd", "1YYtwWFURzCyHVYavMrQDd"]) {
      const error = await ConvertShortUUID(unknown, connection).catch((error) => error);
      assert.ok(error instanceof NotFoundError, String(error));
      assert.match(error.message, /no component has the short UUID/);
    }
    const before = sandbox.stats.requests;
    for (const [bad, pattern] of [["sYYtwWFURzCyHVYavMrQDl", /"l"/], ["tooShort", /20 to 22/]]) {
      await assert.rejects(ConvertShortUUID(bad as string, connection), (error: Error) => {
        assert.ok(error instanceof ValidationError);
        assert.match(error.message, pattern as RegExp);
        return true;
      });
    }
    assert.equal(sandbox.stats.requests, before, "no request for input refused locally");
  });
});

Deno.test("PerformAction and EditAction", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const uuid = await CreateComponent("basic_component", { name: "c" }, connection);
    const data = { measurement: 12.04, readings: [1, 2, 3] };
    const actionId = await PerformAction("my_action", uuid, data, connection);
    assert.match(actionId, /^[0-9a-f]{24}$/);
    assert.deepEqual(data, { measurement: 12.04, readings: [1, 2, 3] });
    const action = await GetAction(actionId, connection);
    assert.equal(action.componentUuid, uuid);
    assert.equal(action.typeFormName, "My Action");
    assert.deepEqual(action.data, { ...data, submit: true });
    assert.equal(await EditAction(actionId, ["measurement"], [12.07], connection), actionId);
    const edited = await GetAction(actionId, connection);
    assert.equal(edited.validity.version, 2);
    assert.equal(edited.data.measurement, 12.07);
    assert.deepEqual(edited.data.readings, [1, 2, 3]);
    assert.equal(sandbox.documents("actions").length, 2);
  });
});

Deno.test("input checks fail before any request", async () => {
  await withSandbox(async ({ sandbox, connection }) => {
    const before = sandbox.stats.requests;
    const uuid = "5f9ea420-3e88-11ed-9114-03f8483882ff";
    const cases: [Promise<unknown>, RegExp][] = [
      [CreateComponent("", {}, connection), /componentTypeFormID "" is not a type form ID/],
      [CreateComponent("basic_component", { r: [1, NaN] }, connection), /componentData\.r\[1\]/],
      [CreateComponent("basic_component", [] as never, connection), /plain object/],
      [EditComponent("nope", ["a"], [1], connection), /componentUUID "nope" is not a full UUID/],
      [EditComponent(uuid, ["a", "b"], [1], connection), /2 names but values has 1/],
      [PerformAction("my_action", "5f9ea420", {}, connection), /not a full UUID/],
      [
        PerformAction("my_action", uuid, { f: undefined } as never, connection),
        /actionData\.f is undefined/,
      ],
      [EditAction("63340ac79708eb30e6403cb", ["a"], [1], connection), /24 hex digits/],
      [GetComponent(uuid, connection, undefined, -1), /version -1/],
    ];
    for (const [promise, pattern] of cases) {
      await assert.rejects(promise, (error: Error) => {
        assert.ok(error instanceof ValidationError, String(error));
        assert.match(error.message, pattern);
        return true;
      });
    }
    assert.equal(sandbox.stats.requests, before);
  });
});

Deno.test("missing records are NotFoundError naming the ID (and version)", async () => {
  await withSandbox(async ({ connection }) => {
    const uuid = "5f9ea420-3e88-11ed-9114-03f8483882ff";
    await assert.rejects(EditComponent(uuid, ["a"], [1], connection), NotFoundError);
    await assert.rejects(
      GetAction("63340ac79708eb30e6403cb9", connection),
      /63340ac79708eb30e6403cb9/,
    );
    const created = await CreateComponent("basic_component", { name: "x" }, connection);
    await assert.rejects(GetComponent(created, connection, undefined, 7), /version 7 of component/);
  });
});

Deno.test("an unknown type form is an ApiError carrying the server's words", async () => {
  await withSandbox(async ({ connection }) => {
    const error = await CreateComponent("no_such_type", { a: 1 }, connection).catch((e) => e);
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 500);
    assert.match(error.serverMessage ?? "", /does not match a known component type form/);
    assert.match(error.message, /ListTypeForms/);
  });
});

Deno.test("a client without a permission gets a PermissionError naming it", async () => {
  const sandbox = await startSandbox();
  try {
    sandbox.addClient({
      clientId: "viewer",
      clientSecret: "viewer-secret",
      permissions: ["components:view"],
    });
    const { connection } = await ConnectToAPI({
      ...optionsFor(sandbox),
      clientId: "viewer",
      clientSecret: "viewer-secret",
    });
    try {
      const error = await PerformAction(
        "my_action",
        "5f9ea420-3e88-11ed-9114-03f8483882ff",
        {},
        connection,
      ).catch((e) => e);
      assert.ok(error instanceof PermissionError, String(error));
      assert.equal(error.permission, "actions:perform");
      assert.match(error.message, /needs the permission "actions:perform"/);
    } finally {
      connection.close();
    }
  } finally {
    await sandbox.close();
  }
});

Deno.test("a reply slower than the timeout is a TimeoutError", async () => {
  await withSandbox(
    async ({ sandbox, connection }) => {
      sandbox.setFaults({ script: ["slow", "slow"], slowMs: 400, paths: "^/api/" });
      const error = await GetComponent("5f9ea420-3e88-11ed-9114-03f8483882ff", connection)
        .catch((e) => e);
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(error.attempts, 2);
    },
    {},
    { timeoutMs: 100, retry: { attempts: 2, baseDelayMs: 1 } },
  );
});
