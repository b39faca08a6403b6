import assert from "node:assert/strict";
import { Connection, type ConnectOptions } from "../lib/connection.ts";
import { AuthError } from "../lib/errors.ts";

const SECRET = "client-secret-that-must-not-leak";
const credentials = {
  clientId: "client-a",
  clientSecret: SECRET,
  audience: "https://apa.dunedb.org/api/",
  authBaseUrl: "http://127.0.0.1:9",
  dbBaseUrl: "http://127.0.0.1:9",
};

/** A fake token service + API: tokens "tok-1", "tok-2", ...; the API accepts `accepted`. */
function fakeServer(options: { expiresIn?: number; tokenStatus?: number[] } = {}) {
  let issued = 0;
  const accepted = new Set<string>();
  const seen: string[] = [];
  const tokenStatus = [...(options.tokenStatus ?? [])];
  const fetchImpl = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    if (url.pathname === "/oauth/token") {
      const body = JSON.parse(String(init.body));
      const status = tokenStatus.shift() ?? 200;
      if (status !== 200 || body.client_secret !== SECRET) {
        return Response.json({ error: "access_denied", error_description: "Unauthorized" }, {
          status: status === 200 ? 401 : status,
        });
      }
      // A little wait, so that concurrent callers really overlap.
      await Promise.resolve();
      const token = `eyJhbGciOiJIUzI1NiJ9.eyJ0b2siOiR9.sig-${++issued}`;
      accepted.add(token);
      return Response.json({
        access_token: token,
        scope: "",
        expires_in: options.expiresIn ?? 3600,
        token_type: "Bearer",
      });
    }
    const token = new Headers(init.headers).get("authorization")?.replace("Bearer ", "") ?? "";
    seen.push(token);
    if (!accepted.has(token)) return Response.json({ error: "expired" }, { status: 401 });
    return Response.json("ok");
  };
  return { fetch: fetchImpl as typeof fetch, accepted, seen, issued: () => issued };
}

function connect(server: ReturnType<typeof fakeServer>, extra: Partial<ConnectOptions> = {}) {
  let clock = 1_000;
  const connection = new Connection({ ...credentials, ...extra }, {
    retry: { attempts: 3, baseDelayMs: 1 },
    logger: { debug: () => {}, warn: () => {} },
    ...extra,
    testing: { fetch: server.fetch, now: () => clock, sleep: () => Promise.resolve() },
  });
  return { connection, advance: (ms: number) => clock += ms };
}

const ping = { method: "GET" as const, path: "/api/ping", what: "ping" };

Deno.test("one token serves many requests; a new one is fetched shortly before expiry", async () => {
  const server = fakeServer({ expiresIn: 600 });
  const { connection, advance } = connect(server);
  for (let index = 0; index < 5; index++) await connection.request(ping);
  assert.equal(server.issued(), 1);
  advance(600_000 - 61_000); // still outside the 60 s margin
  await connection.request(ping);
  assert.equal(server.issued(), 1);
  advance(2_000); // inside the margin: renewed before the server could refuse it
  await connection.request(ping);
  assert.equal(server.issued(), 2);
  connection.close();
});

Deno.test("concurrent requests with no token share one token request", async () => {
  const server = fakeServer();
  const { connection } = connect(server);
  await Promise.all(Array.from({ length: 20 }, () => connection.request(ping)));
  assert.equal(server.issued(), 1);
  connection.close();
});

Deno.test("a 401 from the API fetches a new token and repeats the request once", async () => {
  const server = fakeServer();
  const { connection } = connect(server);
  await connection.request(ping);
  server.accepted.clear(); // the server forgets the token (e.g. revoked early)
  assert.equal(await connection.request(ping), "ok");
  assert.equal(server.issued(), 2);
  // A second 401 with a fresh token is reported, not looped on.
  const stubborn = fakeServer();
  const second = connect({
    ...stubborn,
    fetch: ((input: string, init: RequestInit) =>
      new URL(input).pathname === "/oauth/token"
        ? stubborn.fetch(input, init)
        : Promise.resolve(Response.json({ error: "no" }, { status: 401 }))) as typeof fetch,
  });
  await assert.rejects(second.connection.request(ping), AuthError);
  assert.equal(stubborn.issued(), 2);
  connection.close();
  second.connection.close();
});

Deno.test("a wrong secret fails at once with an AuthError naming what to check", async () => {
  const server = fakeServer();
  const { connection } = connect(server, { clientSecret: "wrong-secret-value" } as never);
  const error = await connection.request(ping).catch((error) => error);
  assert.ok(error instanceof AuthError);
  assert.equal(error.status, 401);
  assert.match(error.message, /check M2M_CLIENT_ID and M2M_CLIENT_SECRET/);
  assert.ok(!error.message.includes("wrong-secret-value"));
  connection.close();
});

Deno.test("token endpoint 429 and 503 are retried", async () => {
  const server = fakeServer({ tokenStatus: [429, 503] });
  const { connection } = connect(server);
  assert.equal(await connection.request(ping), "ok");
  assert.equal(server.issued(), 1);
  assert.deepEqual(connection.stats.retries, { "429": 1, "503": 1 });
  connection.close();
});

Deno.test("the token reply is checked strictly", async () => {
  const bodies = [
    { access_token: "", token_type: "Bearer", expires_in: 1 },
    { access_token: "a.b.c", token_type: "MAC", expires_in: 1 },
    { access_token: "a.b.c", token_type: "Bearer", expires_in: "soon" },
    { access_token: "a.b\u0001c", token_type: "Bearer", expires_in: 60 },
    { access_token: "a.b\u0000c", token_type: "Bearer", expires_in: 60 },
    ["a.b.c"],
  ];
  for (const body of bodies) {
    const fetchImpl = (() => Promise.resolve(Response.json(body))) as typeof fetch;
    const connection = new Connection(credentials, {
      logger: { debug: () => {}, warn: () => {} },
      testing: { fetch: fetchImpl },
    });
    await assert.rejects(connection.request(ping), AuthError);
    connection.close();
  }
});

Deno.test("token cache: shared across connections, 0600, never holds the secret", async () => {
  const directory = await Deno.makeTempDir();
  const cachePath = `${directory}/tokens.json`;
  try {
    const server = fakeServer();
    for (let run = 0; run < 3; run++) {
      const { connection } = connect(server, { tokenCache: cachePath } as never);
      await connection.request(ping);
      connection.close();
    }
    assert.equal(server.issued(), 1);
    assert.equal((await Deno.stat(cachePath)).mode! & 0o777, 0o600);
    const text = await Deno.readTextFile(cachePath);
    assert.ok(!text.includes(SECRET));
    // Another client ID gets its own entry, not the first client's token.
    const other = connect(server, { tokenCache: cachePath, clientId: "client-b" } as never);
    await other.connection.request(ping);
    other.connection.close();
    assert.equal(server.issued(), 2);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("token cache: a corrupt or foreign file is replaced, and a refused cached token renewed", async () => {
  const directory = await Deno.makeTempDir();
  const cachePath = `${directory}/tokens.json`;
  try {
    for (const content of ["{not json", '{"format":"other","entries":{}}', "[]"]) {
      await Deno.writeTextFile(cachePath, content);
      const server = fakeServer();
      const { connection } = connect(server, { tokenCache: cachePath } as never);
      assert.equal(await connection.request(ping), "ok");
      connection.close();
      assert.match(await Deno.readTextFile(cachePath), /dune-m2m-token-cache\/1/);
    }
    // The cached token is refused by a new server: one renewal, then success.
    const fresh = fakeServer();
    const { connection } = connect(fresh, { tokenCache: cachePath } as never);
    assert.equal(await connection.request(ping), "ok");
    assert.equal(fresh.issued(), 1);
    connection.close();
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("token cache: a file that was never a cache is left alone, with one warning", async () => {
  const directory = await Deno.makeTempDir();
  const path = `${directory}/config`;
  try {
    await Deno.writeTextFile(path, "user settings, not a token cache\n");
    const warnings: string[] = [];
    const server = fakeServer();
    const { connection } = connect(server, {
      tokenCache: path,
      logger: { debug: () => {}, warn: (line: string) => warnings.push(line) },
    } as never);
    assert.equal(await connection.request(ping), "ok");
    connection.close();
    assert.equal(await Deno.readTextFile(path), "user settings, not a token cache\n");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /not a token cache: not touching it/);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("a connection shows no secret or token when printed", async () => {
  const server = fakeServer();
  const { connection } = connect(server);
  await connection.request(ping);
  const token = [...server.accepted][0];
  for (const text of [String(connection), JSON.stringify(connection), Deno.inspect(connection)]) {
    assert.ok(!text.includes(SECRET) && !text.includes(token), text);
  }
  connection.close();
  await assert.rejects(connection.request(ping), /closed/);
});
