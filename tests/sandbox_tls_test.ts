import assert from "node:assert/strict";
import { startSandbox } from "../sandbox.ts";
import { call, getToken } from "./sandbox_helpers.ts";
import { hasOpenssl, selfSignedCertificate } from "./tls_helpers.ts";

Deno.test("TLS: token endpoint and API over HTTPS with a self-signed certificate", async (t) => {
  const pem = await hasOpenssl() ? await selfSignedCertificate() : undefined;
  if (!pem) {
    console.warn("openssl is not installed: skipping the sandbox HTTPS test");
    return;
  }
  await using sandbox = await startSandbox({ tlsCert: pem.cert, tlsKey: pem.key });
  assert.ok(sandbox.url.startsWith("https://127.0.0.1:"));
  using client = Deno.createHttpClient({ caCerts: [pem.cert] });
  const token = await getToken(sandbox, {}, client);
  const uuid = await call(sandbox, "GET", "/api/newComponentUUID", { token, client });
  assert.equal(uuid.status, 200);
  const created = await call(sandbox, "POST", "/api/component", {
    token,
    client,
    body: { componentUuid: uuid.json, formId: "basic_component", data: { name: "over TLS" } },
  });
  assert.deepEqual([created.status, created.json], [200, uuid.json]);

  await t.step("a client that does not trust the certificate is refused", async () => {
    await assert.rejects(fetch(`${sandbox.url}/api/newComponentUUID`), TypeError);
  });
});
