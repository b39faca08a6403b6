import assert from "node:assert/strict";
import {
  type ConnectOptions,
  ConnectToAPI,
  ConvertShortUUID,
  CreateComponent,
  GetComponent,
  PerformAction,
} from "../mod.ts";
import { startSandbox } from "../sandbox.ts";
import { optionsFor } from "./helpers.ts";

const SECRET = "Sup3r-Secret-Value-0123456789abcdef";
const UUID = "5f9ea420-3e88-11ed-9114-03f8483882ff";

/**
 * Drives every error path with debug logging on, collecting every text a
 * user could see: messages, `String()`, `Deno.inspect()` (stack and causes),
 * log lines. Tokens are captured from the wire to know what to look for.
 */
Deno.test("no secret or token appears in any error, log line or printed object", async () => {
  const sandbox = await startSandbox({
    clients: [
      {
        clientId: "full",
        clientSecret: SECRET,
        permissions: ["components:view", "components:edit"],
      },
    ],
  });
  const tokens: string[] = [];
  const seen: string[] = [];
  // A proxy that echoes the Authorization header in an error page, as some do.
  // A path whose next 200 reply echoes the request's token and the secret, cut across the
  // length of an excerpt: what a misconfigured gateway could send.
  let echoOn: string | undefined;
  const tapFetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    if (url.pathname === echoOn) {
      echoOn = undefined;
      const authorization = new Headers(init.headers).get("authorization");
      return Response.json({ error: `${"x".repeat(50)}${SECRET} ${authorization}` });
    }
    if (url.pathname.startsWith("/api/echo")) {
      const authorization = new Headers(init.headers).get("authorization");
      return new Response(`<pre>Internal error; request had ${authorization}</pre>`, {
        status: 500,
      });
    }
    const response = await fetch(input, init);
    if (url.pathname === "/oauth/token" && response.ok) {
      const body = await response.clone().json();
      tokens.push(body.access_token);
    }
    return response;
  }) as typeof fetch;
  const options: ConnectOptions = {
    ...optionsFor(sandbox),
    clientId: "full",
    clientSecret: SECRET,
    timeoutMs: 100,
    retry: { attempts: 2, baseDelayMs: 1 },
    logger: { debug: (line) => seen.push(line), warn: (line) => seen.push(line) },
    testing: { fetch: tapFetch },
  };
  const collect = (error: unknown) => {
    seen.push(String(error), Deno.inspect(error, { depth: 10 }), JSON.stringify(error));
  };
  try {
    await ConnectToAPI({ ...options, clientSecret: `${SECRET}-wrong` }).catch(collect);
    const { connection, headers } = await ConnectToAPI(options);
    try {
      seen.push(String(connection), Deno.inspect(connection), JSON.stringify(connection));
      seen.push(JSON.stringify(headers));
      const uuid = await CreateComponent("basic_component", { name: "x" }, connection);
      await PerformAction("my_action", uuid, {}, connection).catch(collect); // 403
      await CreateComponent("nope", {}, connection).catch(collect); // 500 JSON
      await GetComponent(UUID, connection).catch(collect); // not found
      sandbox.setFaults({ script: ["expire-token", "expire-token"], paths: "^/api/" });
      await GetComponent(uuid, connection).catch(collect); // 401 twice
      sandbox.setFaults({ script: ["503", "slow", "slow"], slowMs: 300, paths: "^/api/" });
      await GetComponent(uuid, connection).catch(collect); // retry then timeout
      sandbox.setFaults({ script: ["drop-after", "500"], paths: "^/api/" });
      await CreateComponent("basic_component", { name: "y" }, connection).catch(collect);
      sandbox.setFaults(undefined);
      await connection.request({ method: "GET", path: "/api/echo", what: "echo" }).catch(collect);
      const paths = [
        "/api/action",
        "/api/newComponentUUID",
        "/api/confirmShortUUID/sYYtwWFURzCyHVYavMrQDd",
      ];
      for (const path of paths) {
        echoOn = path;
        if (path === "/api/action") {
          await PerformAction("my_action", uuid, {}, connection).catch(collect);
        } else if (path === "/api/newComponentUUID") {
          await CreateComponent("basic_component", {}, connection).catch(collect);
        } else await ConvertShortUUID("sYYtwWFURzCyHVYavMrQDd", connection).catch(collect);
      }
    } finally {
      connection.close();
    }
    await sandbox.close();
    await ConnectToAPI(options).catch(collect); // unreachable
  } finally {
    await sandbox.close();
  }
  assert.ok(tokens.length >= 2, "tokens were issued");
  assert.ok(seen.length > 20, `collected ${seen.length} texts`);
  const everything = seen.join("\n");
  assert.ok(everything.includes("Bearer [REDACTED]"), "the echoed header was redacted");
  // Not the secret, nor any piece of it long enough to matter.
  for (let start = 0; start + 12 <= SECRET.length; start++) {
    assert.ok(!everything.includes(SECRET.slice(start, start + 12)), "part of the secret leaked");
  }
  for (const token of tokens) {
    assert.ok(!everything.includes(token), "a token leaked");
    // Not even a recognisable piece of one (its signature).
    assert.ok(!everything.includes(token.split(".")[2]), "a token signature leaked");
  }
});
