import assert from "node:assert/strict";
import { startSandbox } from "../sandbox.ts";
import { call, getToken } from "./sandbox_helpers.ts";

/** A throwaway self-signed certificate for 127.0.0.1 and localhost, or undefined without openssl. */
async function selfSignedCertificate(): Promise<{ cert: string; key: string } | undefined> {
  const directory = await Deno.makeTempDir();
  try {
    const output = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        `${directory}/key.pem`,
        "-out",
        `${directory}/cert.pem`,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        // rustls refuses a CA certificate as the server's own: mark it as an end-entity one.
        "-addext",
        "basicConstraints=critical,CA:FALSE",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`openssl failed: ${new TextDecoder().decode(output.stderr)}`);
    }
    return {
      cert: await Deno.readTextFile(`${directory}/cert.pem`),
      key: await Deno.readTextFile(`${directory}/key.pem`),
    };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("TLS: token endpoint and API over HTTPS with a self-signed certificate", async (t) => {
  const pem = await selfSignedCertificate();
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
