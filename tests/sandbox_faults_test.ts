import assert from "node:assert/strict";
import * as http from "node:http";
import { type Sandbox, startSandbox } from "../sandbox.ts";
import { call, getToken } from "./sandbox_helpers.ts";

const UUID = "5f9ea420-3e88-11ed-9114-03f8483882ff";
const ACTION_ID = "63340ac79708eb30e6403cb9";
const action = {
  actionId: ACTION_ID,
  typeFormId: "my_action",
  componentUuid: UUID,
  data: { x: 1 },
};

/** POSTs the action on a new HTTP client, so the request goes out on a fresh connection. */
async function postOnFreshConnection(sandbox: Sandbox, token: string): Promise<Response> {
  using client = Deno.createHttpClient({});
  const response = await fetch(`${sandbox.url}/api/action`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(action),
    client,
  });
  await response.body?.cancel();
  return response;
}

Deno.test("drop-before: fetch rejects with a network TypeError and nothing is stored", async () => {
  await using sandbox = await startSandbox({
    faults: { script: ["drop-before"], paths: "^/api/" },
  });
  const token = await getToken(sandbox);
  const error = await postOnFreshConnection(sandbox, token).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof TypeError, String(error));
  assert.equal(error.message, "fetch failed");
  assert.match(
    String((error.cause as Error).message),
    /connection closed before message completed/,
  );
  assert.equal(sandbox.stats.stored.actions, 0);
  assert.equal(sandbox.stats.faultsInjected["drop-before"], 1);
  // The next request is served normally.
  assert.equal((await call(sandbox, "POST", "/api/action", { token, body: action })).status, 200);
});

Deno.test("drop-after: the action is stored, then fetch rejects", async () => {
  await using sandbox = await startSandbox({ faults: { script: ["drop-after"], paths: "^/api/" } });
  const token = await getToken(sandbox);
  await assert.rejects(postOnFreshConnection(sandbox, token), TypeError);
  assert.equal(sandbox.stats.stored.actions, 1);
  assert.equal(sandbox.documents("actions")[0].actionId, ACTION_ID);
  const check = await call(sandbox, "GET", `/api/action/${ACTION_ID}`, { token });
  assert.equal((check.json as { validity: { version: number } }).validity.version, 1);
});

Deno.test("Deno's fetch resends a request once when a reused connection closes without a reply", async () => {
  // Evidence for client authors: a drop on a kept-alive connection is retried by fetch itself,
  // even for a POST. Here the resend succeeds, so the client sees 200 while two versions exist.
  await using sandbox = await startSandbox({
    faults: { script: ["ok", "drop-after", "ok"], paths: "^/api/" },
  });
  const token = await getToken(sandbox);
  using client = Deno.createHttpClient({});
  const first = await call(sandbox, "GET", "/api/newComponentUUID", { token, client });
  assert.equal(first.status, 200);
  const answer = await call(sandbox, "POST", "/api/action", { token, body: action, client });
  assert.equal(answer.status, 200);
  assert.equal(sandbox.stats.stored.actions, 2);
  assert.equal(sandbox.stats.faultsInjected["drop-after"], 1);
});

Deno.test("Deno's node:http client resends the same way; a streamed fetch body is not resent", async () => {
  // Why the client has its own HTTP/1.1 transport (lib/http1): neither of Deno's HTTP clients
  // lets a caller turn this off. A streamed fetch body escapes it, at 10-25% per request.
  await using sandbox = await startSandbox({
    faults: { script: ["ok", "drop-after", "ok", "ok", "drop-after"], paths: "^/api/" },
  });
  const token = await getToken(sandbox);
  const agent = new http.Agent({ keepAlive: true });
  const { hostname, port } = new URL(sandbox.url);
  const nodeCall = (method: string, path: string, body?: string) =>
    new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          host: hostname,
          port,
          path,
          method,
          agent,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  try {
    assert.equal(await nodeCall("GET", "/api/newComponentUUID"), 200);
    assert.equal(await nodeCall("POST", "/api/action", JSON.stringify(action)), 200);
    assert.equal(sandbox.stats.stored.actions, 2, "stored twice, reported once");
  } finally {
    agent.destroy();
  }
  using client = Deno.createHttpClient({});
  assert.equal(
    (await call(sandbox, "GET", "/api/newComponentUUID", { token, client })).status,
    200,
  );
  const bytes = new TextEncoder().encode(JSON.stringify({ ...action, data: { x: 2 } }));
  const streamed = fetch(`${sandbox.url}/api/action`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    }),
    client,
  });
  await assert.rejects(streamed, TypeError);
  assert.equal(sandbox.stats.stored.actions, 3, "stored once, and the failure is reported");
});

Deno.test("500, 503 and 429 store nothing; Retry-After is configurable (0 allowed)", async () => {
  await using sandbox = await startSandbox({
    faults: { script: ["500", "503", "429"], retryAfterSeconds: 0, paths: /^\/api\//i },
  });
  const token = await getToken(sandbox);
  const failed = await call(sandbox, "POST", "/api/action", { token, body: action });
  assert.deepEqual([failed.status, failed.json], [500, { error: "Error: injected fault" }]);
  const unavailable = await call(sandbox, "POST", "/api/action", { token, body: action });
  assert.deepEqual([unavailable.status, unavailable.headers.get("retry-after")], [503, "0"]);
  const limited = await call(sandbox, "POST", "/api/action", { token, body: action });
  assert.deepEqual([limited.status, limited.headers.get("retry-after")], [429, "0"]);
  assert.equal(sandbox.stats.stored.actions, 0);
  assert.equal((await call(sandbox, "POST", "/api/action", { token, body: action })).status, 200);
  assert.deepEqual(
    [
      sandbox.stats.faultsInjected["500"],
      sandbox.stats.faultsInjected["503"],
      sandbox.stats.faultsInjected["429"],
    ],
    [1, 1, 1],
  );
});

Deno.test("faults apply to the token endpoint too (paths filter, default Retry-After 1)", async () => {
  await using sandbox = await startSandbox({ faults: { script: ["503"], paths: "^/oauth/" } });
  const refused = await call(sandbox, "POST", "/oauth/token", { body: {} });
  assert.deepEqual([refused.status, refused.headers.get("retry-after")], [503, "1"]);
  assert.equal(sandbox.stats.tokensIssued, 0);
  const token = await getToken(sandbox);
  assert.equal((await call(sandbox, "GET", "/api/newComponentUUID", { token })).status, 200);
});

Deno.test("slow: the reply is correct, stored, and arrives after slowMs", async () => {
  await using sandbox = await startSandbox({
    faults: { script: ["slow"], slowMs: 150, paths: "^/api/" },
  });
  const token = await getToken(sandbox);
  const started = performance.now();
  const answer = await call(sandbox, "POST", "/api/action", { token, body: action });
  assert.ok(performance.now() - started >= 145);
  assert.deepEqual([answer.status, answer.json], [200, ACTION_ID]);
  assert.equal(sandbox.stats.stored.actions, 1);
});

Deno.test("expire-token: an early-expiring token from the endpoint, a valid token refused once", async () => {
  await using sandbox = await startSandbox({
    faults: { script: ["expire-token"], earlyExpirySeconds: 0 },
  });
  const early = await call(sandbox, "POST", "/oauth/token", {
    body: {
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
      audience: sandbox.audience,
      grant_type: "client_credentials",
    },
  });
  assert.equal((early.json as { expires_in: number }).expires_in, 86400);
  const token = (early.json as { access_token: string }).access_token;
  const refused = await call(sandbox, "GET", "/api/newComponentUUID", { token });
  assert.equal(refused.status, 401);
  assert.match((refused.json as { error: string }).error, /expired/);
  const good = await getToken(sandbox);
  sandbox.setFaults({ script: ["expire-token"] });
  assert.equal((await call(sandbox, "GET", "/api/newComponentUUID", { token: good })).status, 401);
  assert.equal((await call(sandbox, "GET", "/api/newComponentUUID", { token: good })).status, 200);
  // setFaults restarts the plan, not the counters.
  assert.equal(sandbox.stats.faultsInjected["expire-token"], 2);
});

Deno.test("rates: seeded and reproducible, script first, then rates", async () => {
  const plan = {
    seed: 42,
    script: ["ok" as const, "500" as const],
    rates: { "500": 0.3, "503": 0.2 },
  };
  const statuses: number[][] = [];
  for (let run = 0; run < 2; run++) {
    await using sandbox = await startSandbox({ faults: { ...plan, paths: "^/api/" } });
    const token = await getToken(sandbox);
    const seen: number[] = [];
    for (let index = 0; index < 60; index++) {
      seen.push((await call(sandbox, "GET", "/api/newComponentUUID", { token })).status);
    }
    statuses.push(seen);
    const { faultsInjected, requests } = sandbox.stats;
    assert.equal(requests, 61);
    assert.equal(
      faultsInjected["500"] + faultsInjected["503"],
      seen.filter((status) => status !== 200).length,
    );
  }
  assert.deepEqual(statuses[0], statuses[1]);
  assert.deepEqual(statuses[0].slice(0, 2), [200, 500]);
  const faulty = statuses[0].filter((status) => status !== 200).length;
  assert.ok(faulty > 15 && faulty < 45, `about half of 60 should fail, got ${faulty}`);
});

Deno.test("invalid fault plans are refused", async () => {
  await assert.rejects(
    startSandbox({ faults: { rates: { "500": 0.8, "503": 0.5 } } }),
    /add up to/,
  );
  await assert.rejects(
    startSandbox({ faults: { script: ["boom" as "500"] } }),
    /"boom" is not "ok" or a fault kind/,
  );
  await assert.rejects(startSandbox({ faults: { retryAfterSeconds: 0.5 } }), /whole number/);
  await assert.rejects(startSandbox({ faults: { paths: "(" } }), /not a valid regular expression/);
});

Deno.test("latency: every reply waits latencyMs", async () => {
  await using sandbox = await startSandbox({ latencyMs: 60 });
  const started = performance.now();
  const token = await getToken(sandbox);
  await call(sandbox, "GET", "/api/newComponentUUID", { token });
  assert.ok(performance.now() - started >= 118);
});

Deno.test("close() cancels a pending slow reply: the client sees a network error, nothing leaks", async () => {
  const { promise: handling, resolve } = Promise.withResolvers<void>();
  let armed = false;
  const sandbox = await startSandbox({
    faults: { script: ["slow"], slowMs: 60_000, paths: "^/api/" },
    // The clock is read while the request is handled: a deterministic "the request has arrived".
    now: () => {
      if (armed) resolve();
      return Date.now();
    },
  });
  const token = await getToken(sandbox);
  armed = true;
  const outcome = call(sandbox, "POST", "/api/action", { token, body: action })
    .then(() => undefined, (error: unknown) => error);
  await handling;
  const started = performance.now();
  await sandbox.close();
  assert.ok(await outcome instanceof TypeError);
  assert.ok(performance.now() - started < 5_000);
});
