import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const SANDBOX = fileURLToPath(new URL("../sandbox.ts", import.meta.url));
// The permissions of `deno task sandbox` (deno.json): the CLI must work with exactly these.
const PERMISSIONS = ["--allow-net=127.0.0.1", "--allow-read", "--allow-write"];

function run(args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, SANDBOX, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("CLI: --help exits 0 and lists the options", async () => {
  const output = await run(["--help"]);
  assert.equal(output.code, 0);
  for (
    const option of [
      "--port",
      "--db",
      "--forms",
      "--tls-cert",
      "--latency",
      "--faults",
      "--token-lifetime",
    ]
  ) {
    assert.ok(text(output.stdout).includes(option), option);
  }
});

Deno.test("CLI: bad options give a one-line error and exit 2", async () => {
  for (
    const args of [
      ["--bogus"],
      ["--port", "http"],
      ["--latency", "-5"],
      ["--faults", '{"rates":{"500":2}}'],
      ["--tls-cert", "cert.pem"],
      ["--forms", "/nonexistent/forms.json"],
    ]
  ) {
    const output = await run(args);
    const stderr = text(output.stderr).trim();
    assert.equal(output.code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(stderr, /^sandbox: /);
  }
});

Deno.test("CLI: serves, prints dotenv lines, and stops cleanly on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, SANDBOX, "--port", "0", "--latency", "1"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  while (!printed.includes("Press Ctrl-C")) {
    const { value, done } = await lines.read();
    if (done) break;
    printed += value;
  }
  const settings = Object.fromEntries(
    printed.split("\n").filter((line) => line.startsWith("M2M_")).map((line) => line.split("=")),
  );
  assert.deepEqual(Object.keys(settings), [
    "M2M_AUTH0_DOMAIN",
    "M2M_DB_DOMAIN",
    "M2M_CLIENT_ID",
    "M2M_CLIENT_SECRET",
  ]);
  assert.match(
    printed,
    /(put these lines in|the repository.s) \.env\.sandbox.*run scripts with --instance sandbox/i,
  );
  const host = settings.M2M_DB_DOMAIN;
  assert.match(host, /^127\.0\.0\.1:\d+$/);
  const response = await fetch(`http://${host}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_id: settings.M2M_CLIENT_ID,
      client_secret: settings.M2M_CLIENT_SECRET,
      audience: "https://apa.dunedb.org/api/",
      grant_type: "client_credentials",
    }),
  });
  assert.equal(response.status, 200);
  await response.body?.cancel();

  child.kill("SIGTERM");
  while (true) {
    const { value, done } = await lines.read();
    if (done) break;
    printed += value;
  }
  const status = await child.status;
  await child.stderr.cancel();
  assert.equal(status.code, 0);
  assert.match(printed, /sandbox stopped/);
});
