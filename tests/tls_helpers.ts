/**
 * A throwaway self-signed certificate for the HTTPS tests, made with
 * `openssl` at test time; tests skip (saying so) where openssl is absent.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Whether `openssl` can be run here; without it the HTTPS tests are skipped. */
export async function hasOpenssl(): Promise<boolean> {
  try {
    return (await new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** A throwaway self-signed certificate for 127.0.0.1 and localhost, made with openssl. */
export async function selfSignedCertificate(): Promise<{ cert: string; key: string }> {
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
    assert.ok(output.success, `openssl failed: ${new TextDecoder().decode(output.stderr)}`);
    return {
      cert: await Deno.readTextFile(`${directory}/cert.pem`),
      key: await Deno.readTextFile(`${directory}/key.pem`),
    };
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}
