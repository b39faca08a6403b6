/**
 * The dune-m2m sandbox: a local emulator of the Auth0 token endpoint and of
 * the DUNE APA construction DB API, with verified tokens, optional SQLite
 * persistence, HTTPS, added latency and a fault plan. Tests and the demo
 * start it in-process; `deno task sandbox` serves it on 127.0.0.1:12313.
 *
 * @example Use the sandbox in a test
 * ```ts
 * import { startSandbox } from "./sandbox.ts";
 * await using sandbox = await startSandbox();
 * // Point a client at it: M2M_AUTH0_DOMAIN = M2M_DB_DOMAIN = sandbox.host
 * console.log(sandbox.host, sandbox.clientId);
 * ```
 *
 * @module
 */

export { ALL_PERMISSIONS, DEFAULT_AUDIENCE, startSandbox } from "./lib/sandbox/mod.ts";
export { FAULT_KINDS } from "./lib/sandbox/types.ts";
export type {
  FaultKind,
  FaultPlan,
  FormCollection,
  JsonObject,
  JsonValue,
  RecordCollection,
  Sandbox,
  SandboxClient,
  SandboxOptions,
  SandboxStats,
  SeedOptions,
  StoredRecord,
  TypeFormDefinition,
} from "./lib/sandbox/types.ts";

if (import.meta.main) {
  const { runCli } = await import("./lib/sandbox/cli.ts");
  Deno.exit(await runCli(Deno.args));
}
