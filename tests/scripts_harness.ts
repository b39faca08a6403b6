/**
 * Runs the template scripts as a user would: a separate `deno run` process
 * with the permission flags of its `deno.json` task, a cleared environment
 * plus the `M2M_*` variables a test gives, in an empty working directory.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Sandbox } from "../sandbox.ts";

const ROOT = new URL("..", import.meta.url);

/** The template scripts, by file name without `.ts`. */
export const TEMPLATE_SCRIPTS = [
  "convert_short_uuid",
  "create_component",
  "edit_component",
  "perform_action",
  "edit_action",
  "get_records",
] as const;

/** One of {@linkcode TEMPLATE_SCRIPTS}. */
export type TemplateScript = typeof TEMPLATE_SCRIPTS[number];

/** What a finished script process left. */
export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

type Task = string | { command: string };
const tasks = (JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
  tasks: Record<string, Task>;
}).tasks;

/** The command line of a `deno.json` task. */
export function taskCommand(name: string): string {
  const task = tasks[name];
  assert.ok(task, `deno.json has no task ${name}`);
  return typeof task === "string" ? task : task.command;
}

/**
 * The permission flags of the task that runs `scripts/<name>.ts`: what
 * stands between `deno run` and the script's path.
 */
export function taskFlags(name: string): string[] {
  const words = taskCommand(name).split(/\s+/);
  const start = words.indexOf("run");
  const end = words.indexOf(`scripts/${name}.ts`);
  assert.ok(start >= 0 && end > start, `task ${name} is not "deno run ... scripts/${name}.ts"`);
  return words.slice(start + 1, end);
}

/** The `M2M_*` variables that point a script at `sandbox`. */
export function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  return {
    M2M_CLIENT_ID: sandbox.clientId,
    M2M_CLIENT_SECRET: sandbox.clientSecret,
    M2M_AUTH0_DOMAIN: sandbox.host,
    M2M_DB_DOMAIN: sandbox.host,
  };
}

// Deno itself needs its cache; the scripts cannot read these (env is M2M_* only).
const RUNTIME_ENV: Record<string, string> = { NO_COLOR: "1" };
for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
  const value = Deno.env.get(name);
  if (value !== undefined) RUNTIME_ENV[name] = value;
}

/** Options of {@linkcode runScript}. */
export interface RunOptions {
  /** `M2M_*` variables for the child; nothing else of ours is passed on. */
  env?: Record<string, string>;
  /** Working directory (where `.env` files are looked for). */
  cwd: string;
  /** Text for the child's stdin; default none. */
  stdin?: string;
  /** Flags added after the task's own, e.g. `--allow-read=FILE`. */
  extraFlags?: string[];
}

/** Runs `scripts/<name>.ts` with its task's permission flags and returns what it left. */
export async function runScript(
  name: TemplateScript | "demo",
  args: string[],
  options: RunOptions,
): Promise<ScriptRun> {
  const script = new URL(`scripts/${name}.ts`, ROOT).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskFlags(name), ...options.extraFlags ?? [], script, ...args],
    cwd: options.cwd,
    clearEnv: true,
    env: { ...RUNTIME_ENV, ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Asserts a run failed with `code` and exactly one stderr line; returns that line. */
export function assertOneLineFailure(run: ScriptRun, code: number, context: string): string {
  assert.equal(run.code, code, `${context}: exit ${run.code}, stderr: ${run.stderr}`);
  const lines = run.stderr.split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 1, `${context}: expected one stderr line, got:\n${run.stderr}`);
  return lines[0];
}

/** Asserts a run succeeded; returns its stdout. */
export function assertSuccess(run: ScriptRun, context: string): string {
  assert.equal(run.code, 0, `${context}: exit ${run.code}, stderr: ${run.stderr}`);
  return run.stdout;
}

/** A fresh empty directory for a test's working directory; removed by `dispose`. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "m2m-scripts-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}
