import assert from "node:assert/strict";
import { startSandbox } from "../sandbox.ts";
import { call, getToken, tokenBody } from "./sandbox_helpers.ts";

function base64Url(value: unknown): string {
  return btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(atob(segment.replaceAll("-", "+").replaceAll("_", "/")));
}

Deno.test("token endpoint: Auth0 success shape, key order and claims", async () => {
  const clock = Date.UTC(2024, 9, 23, 12);
  await using sandbox = await startSandbox({ now: () => clock, tokenLifetimeSeconds: 3600 });
  const answer = await call(sandbox, "POST", "/oauth/token", { body: tokenBody(sandbox) });
  assert.deepEqual(answer.status, 200);
  assert.deepEqual(Object.keys(answer.json as object), [
    "access_token",
    "scope",
    "expires_in",
    "token_type",
  ]);
  // The original Python client splits the raw text on '"': item 3 is the token, item 13 the type.
  const pieces = answer.text.split('"');
  const reply = answer.json as Record<string, unknown>;
  assert.deepEqual(pieces[3], reply.access_token);
  assert.deepEqual(pieces[13], "Bearer");
  assert.deepEqual(reply.expires_in, 3600);
  assert.match(String(reply.scope), /^components:view components:edit .*forms:edit/);
  const [header, payload] = String(reply.access_token).split(".").slice(0, 2).map(decodeSegment);
  assert.deepEqual(header, { alg: "HS256", typ: "JWT" });
  assert.deepEqual(payload.sub, "sandbox-client@clients");
  assert.deepEqual(payload.azp, "sandbox-client");
  assert.deepEqual(payload.aud, "https://apa.dunedb.org/api/");
  assert.deepEqual(payload.gty, "client-credentials");
  assert.deepEqual(Number(payload.exp) - Number(payload.iat), 3600);
  assert.deepEqual(payload.iat, Math.floor(clock / 1000));
  assert.ok((payload.permissions as string[]).includes("actions:perform"));
  assert.deepEqual(sandbox.stats.tokensIssued, 1);
});

Deno.test("token endpoint: Auth0 error replies", async () => {
  await using sandbox = await startSandbox();
  const cases: [Record<string, string>, number, object][] = [
    [{ client_secret: "wrong" }, 401, {
      error: "access_denied",
      error_description: "Unauthorized",
    }],
    [{ client_id: "nobody" }, 401, { error: "access_denied", error_description: "Unauthorized" }],
    [{ audience: "https://other/" }, 403, {
      error: "access_denied",
      error_description: "Service not enabled within domain: https://other/",
    }],
    [{ grant_type: "password" }, 403, {
      error: "unauthorized_client",
      error_description: "Grant type 'password' not allowed for the client.",
    }],
    [{ grant_type: "magic" }, 400, {
      error: "unsupported_grant_type",
      error_description: "Unsupported grant type: magic",
    }],
  ];
  for (const [overrides, status, body] of cases) {
    const answer = await call(sandbox, "POST", "/oauth/token", {
      body: tokenBody(sandbox, overrides),
    });
    assert.deepEqual([answer.status, answer.json], [status, body], JSON.stringify(overrides));
  }
  const malformed = await call(sandbox, "POST", "/oauth/token", {
    rawBody: "{not json",
    headers: { "content-type": "application/json" },
  });
  assert.deepEqual(malformed.status, 400);
  assert.deepEqual((malformed.json as { error: string }).error, "invalid_request");
  const form = await call(sandbox, "POST", "/oauth/token", {
    rawBody: new URLSearchParams(tokenBody(sandbox)).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.deepEqual(form.status, 200);
  assert.deepEqual(sandbox.stats.tokensIssued, 1);
});

Deno.test("api: 401 JSON for missing, non-Bearer, malformed, forged and alg-none tokens", async () => {
  await using sandbox = await startSandbox();
  const token = await getToken(sandbox);
  const [header, payload, signature] = token.split(".");
  const forgedPayload = base64Url({ ...decodeSegment(payload), permissions: ["everything"] });
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /missing 'authorization' header/],
    [{ authorization: `bearer ${token}` }, /not of 'Bearer' type/],
    [{ authorization: `Basic ${token}` }, /not of 'Bearer' type/],
    [{ authorization: "Bearer not-a-jwt" }, /not a JWT/],
    [{ authorization: "Bearer a.b.c" }, /not a well-formed JWT/],
    [{ authorization: `Bearer ${header}.${payload}.${signature.slice(0, -4)}AAAA` }, /signature/],
    [{ authorization: `Bearer ${header}.${forgedPayload}.${signature}` }, /signature is invalid/],
    [
      { authorization: `Bearer ${base64Url({ alg: "none", typ: "JWT" })}.${payload}.` },
      /alg "none"/,
    ],
    [
      {
        authorization: `Bearer ${base64Url({ alg: "HS512", typ: "JWT" })}.${payload}.${signature}`,
      },
      /HS512/,
    ],
  ];
  for (const [headers, reason] of cases) {
    const answer = await call(sandbox, "GET", "/api/newComponentUUID", { headers });
    assert.deepEqual(answer.status, 401, JSON.stringify(headers));
    assert.deepEqual(answer.headers.get("content-type"), "application/json; charset=utf-8");
    assert.match((answer.json as { error: string }).error, reason);
  }
  // Unknown /api paths are behind the token check too, as on the live server.
  assert.deepEqual((await call(sandbox, "GET", "/api/no/such/route")).status, 401);
  assert.deepEqual((await call(sandbox, "GET", "/api/newComponentUUID", { token })).status, 200);
});

Deno.test("api: 401 for an expired token (injected clock)", async () => {
  let clock = Date.UTC(2024, 0, 1);
  await using sandbox = await startSandbox({ now: () => clock, tokenLifetimeSeconds: 60 });
  const token = await getToken(sandbox);
  assert.deepEqual((await call(sandbox, "GET", "/api/newComponentUUID", { token })).status, 200);
  clock += 59_000;
  assert.deepEqual((await call(sandbox, "GET", "/api/newComponentUUID", { token })).status, 200);
  clock += 1_000;
  const expired = await call(sandbox, "GET", "/api/newComponentUUID", { token });
  assert.deepEqual(expired.status, 401);
  assert.match((expired.json as { error: string }).error, /expired/);
});

Deno.test("api: 401 for a token signed with the right key for another audience", async () => {
  const dbPath = await Deno.makeTempFile({ suffix: ".db" });
  try {
    let token: string;
    {
      await using first = await startSandbox({
        dbPath,
        audience: "https://elsewhere.example/api/",
      });
      token = await getToken(first);
    }
    await using second = await startSandbox({ dbPath });
    const answer = await call(second, "GET", "/api/newComponentUUID", { token });
    assert.deepEqual(answer.status, 401);
    assert.match(
      (answer.json as { error: string }).error,
      /audience "https:\/\/elsewhere.example\/api\/"/,
    );
  } finally {
    await Deno.remove(dbPath);
    await Deno.remove(`${dbPath}-wal`).catch(() => {});
    await Deno.remove(`${dbPath}-shm`).catch(() => {});
  }
});

Deno.test("api: 403 with the server's exact message for a missing permission", async () => {
  await using sandbox = await startSandbox({
    clients: [
      { clientId: "reader", clientSecret: "r", permissions: ["components:view", "actions:view"] },
    ],
  });
  sandbox.addClient({ clientId: "nobody", clientSecret: "n", permissions: [] });
  const reader = await getToken(sandbox, { client_id: "reader", client_secret: "r" });
  const denied = await call(sandbox, "POST", "/api/action", { token: reader, body: {} });
  assert.deepEqual(denied.status, 403);
  assert.deepEqual(denied.json, {
    error:
      "Incorrect permissions - you need actions:perform, but have components:view, actions:view",
  });
  const nobody = await getToken(sandbox, { client_id: "nobody", client_secret: "n" });
  const none = await call(sandbox, "GET", "/api/action/63340ac79708eb30e6403cb9", {
    token: nobody,
  });
  assert.deepEqual(none.json, {
    error: "Incorrect permissions - you need actions:view, but have ",
  });
  // Routes without a permission still need a valid token, nothing more.
  assert.deepEqual(
    (await call(sandbox, "GET", "/api/newComponentUUID", { token: nobody })).status,
    200,
  );
});
