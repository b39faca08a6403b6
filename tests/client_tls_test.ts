import assert from "node:assert/strict";
import {
  AuthError,
  ConnectToAPI,
  CreateComponent,
  GetAction,
  GetComponent,
  NetworkError,
  PerformAction,
} from "../mod.ts";
import { type Sandbox, startSandbox } from "../sandbox.ts";
import { optionsFor } from "./helpers.ts";
import { hasOpenssl, selfSignedCertificate } from "./tls_helpers.ts";

const OPENSSL = await hasOpenssl();
if (!OPENSSL) {
  console.warn("client_tls_test: openssl is not installed, so the HTTPS client tests are SKIPPED");
}

/** The sandbox's address with an explicit scheme, so a loopback host still gets HTTPS. */
function httpsDomain(sandbox: Sandbox): string {
  return `https://127.0.0.1:${sandbox.port}`;
}

Deno.test({
  name: "TLS: connect, create a component and perform an action over HTTPS with caCerts",
  ignore: !OPENSSL,
  async fn() {
    const pem = await selfSignedCertificate();
    await using sandbox = await startSandbox({ tlsCert: pem.cert, tlsKey: pem.key });
    assert.ok(sandbox.url.startsWith("https://"));
    const { connection } = await ConnectToAPI({
      ...optionsFor(sandbox),
      auth0Domain: httpsDomain(sandbox),
      dbDomain: httpsDomain(sandbox),
      caCerts: [pem.cert],
    });
    try {
      assert.equal(connection.dbBaseUrl, httpsDomain(sandbox));
      assert.equal(sandbox.stats.tokensIssued, 1);
      const uuid = await CreateComponent("basic_component", { name: "over TLS" }, connection);
      const actionId = await PerformAction("my_action", uuid, { measurement: 1.5 }, connection);
      assert.equal((await GetComponent(uuid, connection)).data.name, "over TLS");
      const action = await GetAction(actionId, connection);
      assert.deepEqual([action.componentUuid, action.data.measurement], [uuid, 1.5]);
      assert.equal(sandbox.documents("components").length, 1);
      assert.equal(sandbox.documents("actions").length, 1);
    } finally {
      connection.close();
    }
  },
});

Deno.test({
  name: "TLS: without caCerts the self-signed token host is refused with a certificate error",
  ignore: !OPENSSL,
  async fn() {
    const pem = await selfSignedCertificate();
    await using sandbox = await startSandbox({ tlsCert: pem.cert, tlsKey: pem.key });
    const error = await ConnectToAPI({
      ...optionsFor(sandbox),
      auth0Domain: httpsDomain(sandbox),
      dbDomain: httpsDomain(sandbox),
    }).catch((e) => e);
    assert.ok(error instanceof AuthError, String(error));
    assert.match(
      error.message,
      /over a trusted TLS connection \(.*certificate.*\).*needs caCerts/i,
    );
    assert.ok(error.cause instanceof NetworkError, String(error.cause));
    assert.match(error.cause.message, /could not make a trusted TLS connection to 127\.0\.0\.1/);
    assert.match(error.cause.message, /certificate checks are never switched off/);
    assert.equal(sandbox.stats.tokensIssued, 0, "no token was handed over an untrusted channel");
  },
});

Deno.test({
  name: "TLS: a DB host whose certificate is not in caCerts is a NetworkError naming TLS",
  ignore: !OPENSSL,
  async fn() {
    const [trusted, other] = await Promise.all([selfSignedCertificate(), selfSignedCertificate()]);
    await using auth = await startSandbox({ tlsCert: trusted.cert, tlsKey: trusted.key });
    await using db = await startSandbox({ tlsCert: other.cert, tlsKey: other.key });
    const { connection } = await ConnectToAPI({
      ...optionsFor(auth),
      auth0Domain: httpsDomain(auth),
      // Another host name: both sandboxes live in this process and could
      // accept each other's TLS session tickets, which would skip the check.
      dbDomain: `https://localhost:${db.port}`,
      caCerts: [trusted.cert],
    });
    try {
      const error = await GetComponent("5f9ea420-3e88-11ed-9114-03f8483882ff", connection)
        .catch((e) => e);
      assert.ok(error instanceof NetworkError, String(error));
      assert.match(error.message, /could not make a trusted TLS connection.*certificate/i);
      assert.equal(db.stats.requests, 0, "no request reached the untrusted host");
    } finally {
      connection.close();
    }
  },
});

/**
 * A CONNECT proxy on loopback: records each tunnel's target and relays bytes both ways, or
 * answers every CONNECT with `refusal` instead.
 */
function connectProxy(refusal?: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const targets: string[] = [];
  const tasks: Promise<void>[] = [];
  const closeAll = () => {
    for (const conn of conns) {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
    conns.clear();
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buffer = new Uint8Array(16384);
    try {
      for (let count; (count = await from.read(buffer)) !== null;) {
        await to.write(buffer.subarray(0, count));
      }
    } catch {
      // One side went away.
    }
  };
  const tunnel = async (client: Deno.Conn) => {
    conns.add(client);
    const buffer = new Uint8Array(4096);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const count = await client.read(buffer).catch(() => null);
      if (count === null) return;
      head += new TextDecoder().decode(buffer.subarray(0, count));
    }
    const target = /^CONNECT (\S+) HTTP\/1\.1\r\n/.exec(head)?.[1] ?? "";
    targets.push(target);
    if (refusal) {
      await client.write(new TextEncoder().encode(refusal)).catch(() => {});
      client.close();
      conns.delete(client);
      return;
    }
    const [hostname, port] = target.split(":");
    const upstream = await Deno.connect({ hostname, port: Number(port) });
    conns.add(upstream);
    await client.write(new TextEncoder().encode("HTTP/1.1 200 Connection established\r\n\r\n"));
    await Promise.race([pump(client, upstream), pump(upstream, client)]);
    for (const conn of [client, upstream]) {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
  };
  const accepting = (async () => {
    for await (const client of listener) tasks.push(tunnel(client));
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    targets,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      closeAll();
      await Promise.all(tasks);
    },
  };
}

Deno.test({
  name: "proxy: token and API requests go through the proxy's CONNECT tunnel, TLS end to end",
  ignore: !OPENSSL,
  async fn() {
    const pem = await selfSignedCertificate();
    await using sandbox = await startSandbox({ tlsCert: pem.cert, tlsKey: pem.key });
    await using proxy = connectProxy();
    const { connection } = await ConnectToAPI({
      ...optionsFor(sandbox),
      auth0Domain: httpsDomain(sandbox),
      dbDomain: httpsDomain(sandbox),
      caCerts: [pem.cert],
      proxy: proxy.url,
    });
    try {
      const uuid = await CreateComponent("basic_component", { name: "via proxy" }, connection);
      await PerformAction("my_action", uuid, { measurement: 2 }, connection);
      assert.equal(sandbox.documents("actions").length, 1);
      assert.ok(proxy.targets.length >= 1);
      assert.ok(proxy.targets.every((target) => target === `127.0.0.1:${sandbox.port}`));
      // One kept-alive tunnel carried the token request and both writes.
      assert.equal(proxy.targets.length, 1);
    } finally {
      connection.close();
    }
  },
});

Deno.test({
  name: "proxy: a refused tunnel is a NetworkError naming the proxy and the status; nothing sent",
  ignore: !OPENSSL,
  async fn() {
    const pem = await selfSignedCertificate();
    await using sandbox = await startSandbox({ tlsCert: pem.cert, tlsKey: pem.key });
    await using proxy = connectProxy(
      "HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n",
    );
    const error = await ConnectToAPI({
      ...optionsFor(sandbox),
      auth0Domain: httpsDomain(sandbox),
      dbDomain: httpsDomain(sandbox),
      caCerts: [pem.cert],
      proxy: proxy.url,
    }).catch((e) => e);
    assert.ok(error instanceof AuthError, String(error));
    assert.ok(error.cause instanceof NetworkError, String(error.cause));
    assert.match(
      error.cause.message,
      /the proxy 127\.0\.0\.1:\d+ refused to connect to 127\.0\.0\.1:\d+: it answered 407 \(it wants credentials/,
    );
    assert.equal(sandbox.stats.tokensIssued, 0);
  },
});

Deno.test("proxy: one that cannot be reached is named, with M2M_PROXY as the thing to check", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const error = await ConnectToAPI({
    clientId: "id",
    clientSecret: "a-secret-value",
    auth0Domain: "auth.example.invalid",
    dbDomain: "db.example.invalid",
    envFile: "/dev/null",
    retry: { attempts: 1 },
    proxy: `http://127.0.0.1:${closedPort}`,
  }).catch((e) => e);
  assert.ok(error instanceof AuthError, String(error));
  assert.match(
    error.message,
    new RegExp(`could not reach the proxy 127\\.0\\.0\\.1:${closedPort} \\(M2M_PROXY\\)`),
  );
  assert.match(error.message, /check M2M_PROXY and the network$/);
});
