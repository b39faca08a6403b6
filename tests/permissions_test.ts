import assert from "node:assert/strict";

/** Runs `source` (importing mod.ts) in a child with exactly `flags`. */
async function runWith(flags: string[], source: string) {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, source.replace("MOD", import.meta.resolve("../mod.ts")));
    const started = performance.now();
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...flags, file],
      env: { NO_COLOR: "1" },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: output.code,
      stdout: new TextDecoder().decode(output.stdout),
      ms: performance.now() - started,
    };
  } finally {
    await Deno.remove(file);
  }
}

const CONNECT = `
import { ConnectToAPI } from "MOD";
try {
  await ConnectToAPI({ clientId: "id", clientSecret: "a-secret-value", auth0Domain: "127.0.0.1:9",
    dbDomain: "127.0.0.1:9", envFile: "/dev/null" });
} catch (error) {
  console.log(error.name + ": " + error.message);
}`;

Deno.test("without --allow-net: one clear error at once, and the process ends", async () => {
  const run = await runWith(["--allow-read"], CONNECT);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^AuthError: .*run with --allow-net=127\.0\.0\.1:9/);
  assert.ok(run.ms < 5_000, `took ${run.ms} ms`);
});

Deno.test("behind a proxy the permission to ask for is the proxy's", async () => {
  const run = await runWith(
    ["--allow-read", "--allow-net=auth.example.invalid,db.example.invalid"],
    `
import { ConnectToAPI } from "MOD";
try {
  await ConnectToAPI({ clientId: "id", clientSecret: "a-secret-value", envFile: "/dev/null",
    auth0Domain: "auth.example.invalid", dbDomain: "db.example.invalid",
    proxy: "http://127.0.0.1:3128" });
} catch (error) {
  console.log(error.name + ": " + error.message);
}`,
  );
  assert.match(run.stdout, /^AuthError: .*run with --allow-net=127\.0\.0\.1:3128/);
});

Deno.test("without --allow-env or --allow-read: the missing-credentials error says which", async () => {
  const run = await runWith(
    [],
    `
import { ConnectToAPI } from "MOD";
await ConnectToAPI().catch((error) => console.log(error.message));`,
  );
  assert.match(run.stdout, /environment \(not readable: add --allow-env=M2M_\*\)/);
});
