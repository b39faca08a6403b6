import assert from "node:assert/strict";
import {
  type ConfigSources,
  DEFAULT_AUDIENCE,
  denoConfigSources,
  resolveCredentials,
  toBaseUrl,
} from "../lib/config.ts";
import { ValidationError } from "../lib/errors.ts";

function sources(
  env: Record<string, string>,
  files: Record<string, string>,
  modes: Record<string, number> = {},
): ConfigSources & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    env: (name) => env[name],
    readTextFile: (path) => files[path],
    fileMode: (path) => modes[path],
    warn: (message) => warnings.push(message),
  };
}

const FULL = [
  "M2M_CLIENT_ID=file-id",
  "M2M_CLIENT_SECRET='file secret'",
  "M2M_AUTH0_DOMAIN=dune.auth0.com",
  "M2M_DB_DOMAIN=apa.dunedb.org",
].join("\n");

Deno.test("dotenv: .env is read when no instance is given", () => {
  const credentials = resolveCredentials({}, sources({}, { ".env": FULL }));
  assert.equal(credentials.clientId, "file-id");
  assert.equal(credentials.clientSecret, "file secret");
  assert.equal(credentials.authBaseUrl, "https://dune.auth0.com");
  assert.equal(credentials.dbBaseUrl, "https://apa.dunedb.org");
  assert.equal(credentials.audience, DEFAULT_AUDIENCE);
  assert.equal(credentials.envFile, ".env");
});

Deno.test("dotenv: the instance picks .env.<instance>, from the option or M2M_INSTANCE", () => {
  const files = { ".env": FULL, ".env.staging": FULL.replace("file-id", "staging-id") };
  assert.equal(
    resolveCredentials({ instance: "staging" }, sources({}, files)).clientId,
    "staging-id",
  );
  const fromEnv = resolveCredentials({}, sources({ M2M_INSTANCE: "staging" }, files));
  assert.equal(fromEnv.clientId, "staging-id");
  assert.throws(
    () => resolveCredentials({ instance: "production" }, sources({}, files)),
    /\.env\.production" \(in the directory the script runs in\) does not exist/,
  );
  assert.throws(
    () => resolveCredentials({}, sources({ M2M_INSTANCE: "prod" }, files)),
    /M2M_INSTANCE "prod" is not an instance: use one of development, staging, production, sandbox/,
  );
});

Deno.test("precedence: options, then environment, then file, field by field", () => {
  const credentials = resolveCredentials(
    { clientId: "option-id" },
    sources({ M2M_CLIENT_ID: "env-id", M2M_CLIENT_SECRET: "env-secret", M2M_AUDIENCE: "aud" }, {
      ".env": FULL,
    }),
  );
  assert.equal(credentials.clientId, "option-id");
  assert.equal(credentials.clientSecret, "env-secret");
  assert.equal(credentials.dbBaseUrl, "https://apa.dunedb.org");
  assert.equal(credentials.audience, "aud");
});

Deno.test("a missing value names every missing variable and the file looked at", () => {
  assert.throws(
    () => resolveCredentials({}, sources({ M2M_CLIENT_ID: "x" }, {})),
    (error: Error) => {
      assert.ok(error instanceof ValidationError);
      assert.match(
        error.message,
        /M2M_CLIENT_SECRET, M2M_AUTH0_DOMAIN, M2M_DB_DOMAIN.*"\.env" \(not found or empty\)/,
      );
      return true;
    },
  );
});

Deno.test("domains: https by default, http only for loopback, http:// refused elsewhere", () => {
  assert.equal(toBaseUrl("apa.dunedb.org", "D"), "https://apa.dunedb.org");
  assert.equal(toBaseUrl("https://apa.dunedb.org/", "D"), "https://apa.dunedb.org");
  assert.equal(toBaseUrl("localhost:12313", "D"), "http://localhost:12313");
  assert.equal(toBaseUrl("127.0.0.1:8080", "D"), "http://127.0.0.1:8080");
  assert.equal(toBaseUrl("[::1]:8080", "D"), "http://[::1]:8080");
  assert.equal(toBaseUrl("http://localhost:1", "D"), "http://localhost:1");
  assert.equal(toBaseUrl("https://127.0.0.1:9", "D"), "https://127.0.0.1:9");
  assert.throws(() => toBaseUrl("http://apa.dunedb.org", "M2M_DB_DOMAIN"), /M2M_DB_DOMAIN.*TLS/);
  assert.throws(() => toBaseUrl("ftp://x", "D"), /use https/);
  assert.throws(() => toBaseUrl("https://user:pw@x", "D"), /plain host name/);
  assert.throws(() => toBaseUrl("bad host name", "D"), ValidationError);
});

Deno.test("a dotenv file with the secret, readable by others, warns once; loopback does not", () => {
  const files = {
    ".env.production": FULL,
    ".env.sandbox": FULL.replace(/=\S+\.(com|org)/g, "=localhost:1"),
  };
  const io = sources({}, files, { ".env.production": 0o100644, ".env.sandbox": 0o100644 });
  resolveCredentials({ instance: "production" }, io);
  resolveCredentials({ instance: "production" }, io);
  resolveCredentials({ instance: "sandbox" }, io);
  assert.equal(io.warnings.length, 1);
  assert.match(io.warnings[0], /\.env\.production.*readable by other users.*chmod 600/);
  assert.ok(!io.warnings[0].includes("file secret"));
});

Deno.test("denoConfigSources reads a real dotenv file through envFile", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, FULL);
    await Deno.chmod(path, 0o600);
    const credentials = resolveCredentials({ envFile: path }, denoConfigSources());
    assert.equal(credentials.clientId, "file-id");
    assert.equal(credentials.envFile, path);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("proxy: M2M_PROXY or the option, http://HOST:PORT only; credentials never echoed", () => {
  const resolve = (env: Record<string, string>, proxy?: string) =>
    resolveCredentials({ proxy, envFile: ".env" }, sources(env, { ".env": FULL }));
  assert.equal(resolve({}).proxy, undefined);
  assert.equal(resolve({ M2M_PROXY: " http://proxy.lab:3128/ " }).proxy, "http://proxy.lab:3128");
  assert.equal(resolve({ M2M_PROXY: "http://env:1" }, "http://option:2").proxy, "http://option:2");
  for (
    const bad of ["proxy.lab:3128", "https://proxy.lab", "http://proxy.lab/path", "socks5://p:1"]
  ) {
    assert.throws(() => resolve({ M2M_PROXY: bad }), (error: Error) => {
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /^M2M_PROXY \(the proxy option\) must look like http:\/\/proxy/);
      return true;
    });
  }
  for (const secret of ["http://user:hunter2@proxy:1", "user:hunter2@proxy:1"]) {
    assert.throws(() => resolve({ M2M_PROXY: secret }), (error: Error) => {
      assert.ok(error instanceof ValidationError);
      assert.ok(!error.message.includes("hunter2"), error.message);
      return true;
    });
  }
  assert.throws(
    () =>
      resolve({ M2M_PROXY: "http://proxy:1", M2M_CLIENT_SECRET: "s3cret-value" }, "s3cret-value"),
    /M2M_PROXY holds the client secret/,
  );
});

Deno.test("an instance's file overridden by exported variables: one warning naming them, no values", () => {
  const files = { ".env.sandbox": FULL };
  const env = {
    M2M_DB_DOMAIN: "apa.dunedb.org.example",
    M2M_CLIENT_SECRET: "exported-secret-value",
    M2M_CLIENT_ID: "file-id", // the same as the file's: no warning for it
  };
  const found = sources(env, files);
  const credentials = resolveCredentials({ instance: "sandbox" }, found);
  assert.equal(credentials.dbBaseUrl, "https://apa.dunedb.org.example");
  assert.deepEqual(found.warnings, [
    "warning: M2M_CLIENT_SECRET, M2M_DB_DOMAIN from the environment override the values in " +
    '".env.sandbox" (instance "sandbox"): unset them to use the file',
  ]);
  assert.ok(!found.warnings[0].includes("exported-secret-value"));
  // Without an instance asked for, the environment winning is the documented order: quiet.
  const quiet = sources(env, { ".env": FULL });
  resolveCredentials({}, quiet);
  assert.deepEqual(quiet.warnings, []);
});
