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
    assert.match(error.message, /TLS|certificate/i);
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
