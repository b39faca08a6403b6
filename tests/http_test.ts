import assert from "node:assert/strict";
import { HttpClient, type HttpClientOptions, type HttpRequest } from "../lib/http.ts";
import {
  AbortError,
  ApiError,
  NetworkError,
  NotFoundError,
  PermissionError,
  TimeoutError,
  TransportError,
} from "../lib/errors.ts";
import { classifyFailure } from "../lib/failure.ts";
import { Redactor } from "../lib/redact.ts";

type Reply = Response | Error | ((init: RequestInit) => Response | Promise<Response>);

/** A scripted fetch: each call takes the next reply; records what was sent. */
function scriptedFetch(replies: Reply[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fake = (input: string | URL | Request, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    const reply = replies.shift();
    if (reply === undefined) throw new Error("test: more requests than scripted");
    if (reply instanceof Error) return Promise.reject(reply);
    return Promise.resolve(typeof reply === "function" ? reply(init) : reply);
  };
  return { fetch: fake as typeof fetch, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const refused = () =>
  new TypeError("fetch failed", {
    cause: new Error(
      "client error (Connect): tcp connect error: Connection refused (os error 111)",
    ),
  });
const reset = () => new TypeError("fetch failed", { cause: new Error("connection reset by peer") });

function client(fetchImpl: typeof fetch, overrides: Partial<HttpClientOptions> = {}) {
  const sleeps: number[] = [];
  let clock = 0;
  const http = new HttpClient({
    timeoutMs: 1000,
    retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 5000, deadlineMs: 60_000 },
    maxResponseBytes: 1024,
    logger: { debug: () => {}, warn: () => {} },
    redactor: new Redactor(),
    fetch: fetchImpl,
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    random: () => 1,
    ...overrides,
  });
  return { http, sleeps };
}

const GET: HttpRequest = {
  method: "GET",
  url: "http://127.0.0.1:1/api/component/x",
  what: "get component x",
  headers: {},
};
const POST: HttpRequest = {
  ...GET,
  method: "POST",
  url: "http://127.0.0.1:1/api/action",
  body: "{}",
};

Deno.test("a GET is retried on 503 and honours Retry-After", async () => {
  const { fetch, calls } = scriptedFetch([
    json(503, { error: "busy" }, { "retry-after": "2" }),
    json(429, { error: "slow down" }),
    json(200, "ok"),
  ]);
  const { http, sleeps } = client(fetch);
  assert.equal(await http.send(GET), "ok");
  assert.equal(calls.length, 3);
  assert.deepEqual(sleeps, [2000, 200]);
  assert.deepEqual(http.stats.retries, { "503": 1, "429": 1 });
});

Deno.test("400, 403, 404 and 500 are reported at once, with the server's words", async () => {
  const cases: [Response, unknown, RegExp][] = [
    [json(500, { error: "Error: Invalid UUID." }), ApiError, /"Error: Invalid UUID\."/],
    [
      json(403, { error: "Incorrect permissions - you need actions:perform, but have a, b" }),
      PermissionError,
      /permission "actions:perform"/,
    ],
    [json(404, { error: "There is no type form" }), NotFoundError, /There is no type form/],
    [new Response("<pre>Cannot GET /api/x</pre>", { status: 404 }), ApiError, /no such route/],
    [new Response("<h1>Bad</h1>", { status: 400 }), ApiError, /HTTP 400/],
    [new Response("<title>x</title>TypeError: boom", { status: 500 }), ApiError, /TypeError: boom/],
  ];
  for (const [reply, type, message] of cases) {
    const { fetch, calls } = scriptedFetch([reply]);
    await assert.rejects(client(fetch).http.send(GET), (error: Error) => {
      assert.ok(error instanceof (type as typeof Error), `${error}`);
      assert.match(error.message, message);
      return true;
    });
    assert.equal(calls.length, 1);
  }
});

Deno.test("permission errors carry the permission; every error carries method, path, status", async () => {
  const { fetch } = scriptedFetch([
    json(403, { error: "Incorrect permissions - you need components:edit, but have " }),
  ]);
  const error = await client(fetch).http.send(POST).catch((error) => error);
  assert.ok(error instanceof PermissionError);
  assert.equal(error.permission, "components:edit");
  assert.equal(error.method, "POST");
  assert.equal(error.path, "/api/action");
  assert.equal(error.status, 403);
});

Deno.test("a reply that is not JSON is an ApiError with an excerpt", async () => {
  const { fetch } = scriptedFetch([new Response("<html>proxy login</html>", { status: 200 })]);
  await assert.rejects(client(fetch).http.send(GET), /not JSON: "<html>proxy login/);
});

Deno.test("the excerpt of a reply is cut after redaction: no part of a secret shows", async () => {
  const secret = "super-secret-client-secret-0123456789abcdef";
  const redactor = new Redactor();
  redactor.add(secret);
  // The secret straddles the excerpt's end.
  const text = `<html>${"y".repeat(180)}${secret}</html>`;
  const { fetch } = scriptedFetch([new Response(text, { status: 200 })]);
  const error = await client(fetch, { redactor }).http.send(GET).catch((error) => error);
  assert.ok(error instanceof ApiError);
  assert.match(error.message, /not JSON: "<html>y+\[REDACTED\]/);
  assert.ok(!error.message.includes(secret.slice(0, 8)), error.message);
});

Deno.test("an abort after a write may have been sent says it may be stored", async () => {
  const controller = new AbortController();
  const { fetch } = scriptedFetch([(init) => {
    controller.abort(new Error("stopped"));
    return Promise.reject(init.signal?.reason);
  }]);
  const error = await client(fetch).http.send({ ...POST, signal: controller.signal }).catch((e) =>
    e
  );
  assert.ok(error instanceof AbortError, String(error));
  assert.match(
    error.message,
    /aborted by the caller\. The POST may have been stored before the abort/,
  );
});

Deno.test("replies over the size cap are refused, declared or streamed", async () => {
  const big = "x".repeat(2000);
  const { fetch } = scriptedFetch([
    new Response(JSON.stringify(big), { headers: { "content-length": "2002" } }),
    new Response(new Blob([JSON.stringify(big)]).stream()),
  ]);
  const { http } = client(fetch);
  await assert.rejects(http.send(GET), /larger than 1024 bytes/);
  await assert.rejects(http.send(GET), /larger than 1024 bytes/);
});

Deno.test("a write is re-sent blindly only when it never left (connection refused)", async () => {
  const { fetch, calls } = scriptedFetch([refused(), json(200, "id")]);
  assert.equal(await client(fetch).http.send(POST), "id");
  assert.equal(calls.length, 2);
});

Deno.test("a write with an ambiguous failure and no verify is not re-sent", async () => {
  const { fetch, calls } = scriptedFetch([reset()]);
  await assert.rejects(client(fetch).http.send(POST), NetworkError);
  assert.equal(calls.length, 1);
});

Deno.test("after an ambiguous failure a write is verified, and not re-sent if stored", async () => {
  const { fetch, calls } = scriptedFetch([reset()]);
  let checks = 0;
  const { http } = client(fetch);
  const value = await http.send({
    ...POST,
    verify: () =>
      Promise.resolve(++checks ? { found: true, value: "stored-id" } : { found: false }),
  });
  assert.equal(value, "stored-id");
  assert.equal(calls.length, 1);
  assert.equal(http.stats.verifiedWrites, 1);
});

Deno.test("after an ambiguous failure a write not stored is re-sent once", async () => {
  const { fetch, calls } = scriptedFetch([json(502, {}), json(200, "id")]);
  let checks = 0;
  const value = await client(fetch).http.send({
    ...POST,
    verify: () => {
      checks++;
      return Promise.resolve({ found: false });
    },
  });
  assert.equal(value, "id");
  assert.equal(checks, 1);
  assert.equal(calls.length, 2);
});

Deno.test("a verify that fails itself is retried before any re-send", async () => {
  const { fetch, calls } = scriptedFetch([reset(), json(200, "id")]);
  const outcomes = [
    () => Promise.reject(reset()),
    () => Promise.resolve({ found: false as const }),
  ];
  const value = await client(fetch).http.send({ ...POST, verify: () => outcomes.shift()!() });
  assert.equal(value, "id");
  assert.equal(calls.length, 2);
});

Deno.test("attempts and the deadline bound the retries; the error says how many", async () => {
  const { fetch, calls } = scriptedFetch([reset(), reset(), reset(), reset(), reset()]);
  const error = await client(fetch).http.send(GET).catch((error) => error);
  assert.ok(error instanceof NetworkError);
  assert.equal(error.attempts, 4);
  assert.match(error.message, /after 4 attempts/);
  assert.equal(calls.length, 4);

  const slow = scriptedFetch([json(503, {}, { "retry-after": "50" }), json(200, 1)]);
  const bounded = client(slow.fetch, {
    retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 100_000, deadlineMs: 10_000 },
  });
  await assert.rejects(bounded.http.send(GET), /503/);
  assert.equal(slow.calls.length, 1);
});

Deno.test("full jitter stays within base * 2^(n-1), capped", async () => {
  const { fetch } = scriptedFetch([reset(), reset(), reset(), json(200, 1)]);
  const { http, sleeps } = client(fetch, { random: () => 0.999 });
  await http.send(GET);
  assert.deepEqual(sleeps, [99, 199, 399]);
});

Deno.test("an abort from the caller stops retrying", async () => {
  const controller = new AbortController();
  const { fetch } = scriptedFetch([json(503, {})]);
  const { http } = client(fetch, {
    sleep: () => {
      controller.abort();
      return Promise.reject(controller.signal.reason);
    },
  });
  await assert.rejects(http.send({ ...GET, signal: controller.signal }), AbortError);
});

Deno.test("the timeout also covers a body that stops arriving", async () => {
  const stalled = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('"partial'));
        stalled.signal.addEventListener("abort", () => controller.close());
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
  try {
    const http = new HttpClient({
      timeoutMs: 150,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0, deadlineMs: 0 },
      maxResponseBytes: 1024,
      logger: { debug: () => {}, warn: () => {} },
      redactor: new Redactor(),
    });
    const error = await http.send({ ...GET, url: `http://127.0.0.1:${server.addr.port}/api/x` })
      .catch((error) => error);
    assert.ok(error instanceof TimeoutError, String(error));
    assert.match(error.message, /no complete reply within 150 ms/);
  } finally {
    stalled.abort();
    await server.shutdown();
  }
});

Deno.test("stopped before a connection existed: a write is not 'may have been stored'", () => {
  const context = {
    what: "perform action",
    method: "POST",
    url: "https://db.example/api/action",
    attempt: 1,
    timeoutMs: 200,
    aborted: false,
    redact: (text: string) => text,
  };
  const unsent = (cause: unknown) =>
    new TransportError("no connection was made to db.example through the proxy p:3128", {
      sent: false,
      cause,
    });
  const timedOut = classifyFailure(unsent(new TimeoutError("timed out")), context);
  assert.deepEqual([timedOut.reason, timedOut.ambiguous], ["timeout", false]);
  assert.ok(timedOut.error instanceof TimeoutError);
  assert.match(
    timedOut.error.message,
    /no connection was made .* through the proxy p:3128 within 200 ms/,
  );
  const aborted = classifyFailure(unsent(new Error("stop")), { ...context, aborted: true });
  assert.deepEqual([aborted.error.name, aborted.ambiguous], ["AbortError", false]);
  // Once the request may have been written, both stay ambiguous.
  assert.equal(classifyFailure(new TimeoutError("timed out"), context).ambiguous, true);
  assert.equal(classifyFailure(new Error("stop"), { ...context, aborted: true }).ambiguous, true);
});
