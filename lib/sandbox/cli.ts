/**
 * `deno task sandbox`: serve a sandbox until SIGINT/SIGTERM and print the
 * settings a client needs.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { checkFaultPlan } from "./faults.ts";
import { loadFormDefinitions } from "./forms.ts";
import { startSandbox } from "./mod.ts";
import type { FaultPlan, SandboxOptions } from "./types.ts";

const USAGE = `Usage: deno task sandbox [options]

Serves a local emulator of the Auth0 token endpoint (/oauth/token) and the
DUNE APA construction DB API (/api) until Ctrl-C.

Options:
  --port N               port to listen on (default 12313; 0 = any free port)
  --hostname HOST        interface to listen on (default 127.0.0.1)
  --db FILE              keep records in this SQLite file (default: in memory)
  --forms FILE           type forms JSON (default: lib/sandbox/default_forms.json)
  --tls-cert FILE        PEM certificate: serve HTTPS (needs --tls-key)
  --tls-key FILE         PEM private key for --tls-cert
  --latency MS           add MS milliseconds to every reply
  --faults JSON|FILE     fault plan, e.g. '{"seed":1,"rates":{"503":0.1,"drop-after":0.05}}'
  --token-lifetime S     expires_in of issued tokens in seconds (default 86400)
  --help                 show this help
`;

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
}

/** A bad command line: reported in one line, exit status 2. */
export class UsageError extends Error {}

function number(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (
    text.trim() === "" || !Number.isFinite(value) || value < 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new UsageError(
      `--${name} must be a ${integer ? "whole " : ""}number >= 0, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

async function readFile(name: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`--${name} ${path}: ${(error as Error).message}`);
  }
}

async function faultPlan(text: string | undefined): Promise<FaultPlan | undefined> {
  if (text === undefined) return undefined;
  const json = text.trimStart().startsWith("{") ? text : await readFile("faults", text);
  try {
    return checkFaultPlan(JSON.parse(json));
  } catch (error) {
    throw new UsageError(`--faults: ${(error as Error).message}`);
  }
}

async function forms(path: string | undefined): Promise<SandboxOptions["forms"]> {
  if (path === undefined) return undefined;
  try {
    return await loadFormDefinitions(path);
  } catch (error) {
    throw new UsageError(`--forms: ${(error as Error).message}`);
  }
}

/** Turns command-line arguments into sandbox options; undefined means `--help`. */
export async function parseCommandLine(args: string[]): Promise<SandboxOptions | undefined> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        hostname: { type: "string" },
        db: { type: "string" },
        forms: { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        latency: { type: "string" },
        faults: { type: "string" },
        "token-lifetime": { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  const port = number("port", values.port, true) ?? 12313;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
    throw new UsageError("--tls-cert and --tls-key must be given together");
  }
  const lifetime = number("token-lifetime", values["token-lifetime"], true);
  if (lifetime === 0) throw new UsageError("--token-lifetime must be at least 1 second");
  return {
    port,
    hostname: values.hostname ?? "127.0.0.1",
    dbPath: values.db,
    forms: await forms(values.forms),
    tlsCert: values["tls-cert"] === undefined
      ? undefined
      : await readFile("tls-cert", values["tls-cert"]),
    tlsKey: values["tls-key"] === undefined
      ? undefined
      : await readFile("tls-key", values["tls-key"]),
    latencyMs: number("latency", values.latency, false),
    faults: await faultPlan(values.faults),
    tokenLifetimeSeconds: lifetime,
  };
}

/** Runs the CLI; resolves with the exit status once the sandbox has stopped. */
export async function runCli(args: string[]): Promise<number> {
  let options: SandboxOptions | undefined;
  try {
    options = await parseCommandLine(args);
  } catch (error) {
    console.error(`sandbox: ${oneLine(error)} (see --help)`);
    return 2;
  }
  if (options === undefined) {
    console.log(USAGE);
    return 0;
  }
  // node:http reports a missing --allow-net as an uncaught exception: ask first.
  const address = `${options.hostname ?? "127.0.0.1"}:${options.port ?? 12313}`;
  if (Deno.permissions.querySync({ name: "net", host: address }).state !== "granted") {
    console.error(
      `sandbox: no permission to listen on ${address}: the sandbox task allows 127.0.0.1 only; ` +
        `for another address run sandbox.ts with deno run and --allow-net=${address}`,
    );
    return 1;
  }
  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (error) {
    const hint = /EADDRINUSE|in use/i.test(String(error))
      ? " (another sandbox may be running: stop it, or pick another port with --port N)"
      : "";
    console.error(`sandbox: ${oneLine(error)}${hint}`);
    return 1;
  }
  console.log(
    `DUNE M2M sandbox listening on ${sandbox.url}` +
      (options.dbPath ? ` (records in ${options.dbPath})` : " (records in memory)"),
  );
  console.log(
    sandbox.host === "127.0.0.1:12313"
      ? "The repository's .env.sandbox holds these lines: run scripts with --instance sandbox.\n"
      : "Put these lines in .env.sandbox and run scripts with --instance sandbox:\n",
  );
  console.log(`M2M_AUTH0_DOMAIN=${sandbox.host}`);
  console.log(`M2M_DB_DOMAIN=${sandbox.host}`);
  console.log(`M2M_CLIENT_ID=${sandbox.clientId}`);
  console.log(`M2M_CLIENT_SECRET=${sandbox.clientSecret}`);
  if (options.faults !== undefined) console.log(`\nFault plan: ${JSON.stringify(options.faults)}`);
  if (options.latencyMs) console.log(`Every reply is delayed by ${options.latencyMs} ms.`);
  if (options.tlsCert !== undefined) {
    console.log("\n(HTTPS: clients must trust the certificate given with --tls-cert)");
  }
  console.log("\nPress Ctrl-C to stop.");
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  await stopped;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  await sandbox.close();
  console.log("sandbox stopped");
  return 0;
}
