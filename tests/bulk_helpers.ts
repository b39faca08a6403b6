/**
 * Helpers of the bulk tests: rows, a fetch that records what the client
 * sends (and how much of it at once), and the sandbox's view of the result.
 *
 * @module
 */

import type { ActionRow } from "../lib/bulk/mod.ts";
import type { Sandbox } from "../sandbox.ts";

/** The component every generated row targets: {@linkcode seedComponent} stores it. */
export const COMPONENT = "5f9ea420-3e88-11ed-9114-03f8483882ff";

/**
 * Stores {@linkcode COMPONENT} (a `basic_component`, which `my_action` applies
 * to) in `sandbox`: the bulk upload refuses rows whose component does not exist.
 */
export function seedComponent(sandbox: Sandbox): void {
  sandbox.seed("components", [{
    componentUuid: COMPONENT,
    formId: "basic_component",
    data: { name: "bench frame" },
  }]);
}

/** `count` valid action rows; `data.row` says which row a stored action came from. */
export function actionRows(count: number, offset = 0): ActionRow[] {
  return Array.from({ length: count }, (_, index) => ({
    row: offset + index + 1,
    typeFormId: "my_action",
    component: COMPONENT,
    data: { row: offset + index + 1, measurement: (offset + index) / 4 },
  }));
}

/** How many stored action documents each `data.row` has (every version counted). */
export function storedActionsByRow(sandbox: Sandbox): Map<number, number> {
  const counts = new Map<number, number>();
  for (const document of sandbox.documents("actions")) {
    const row = (document.data as { row: number }).row;
    counts.set(row, (counts.get(row) ?? 0) + 1);
  }
  return counts;
}

/** One request the client sent. */
export interface Recorded {
  method: string;
  path: string;
  body: string;
}

/** A fetch that records requests and the most in flight at once per path and body match. */
export function recordingFetch() {
  const requests: Recorded[] = [];
  const inFlight: Recorded[] = [];
  const peaks: Recorded[][] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const request = {
      method: init?.method ?? "GET",
      path: url.pathname,
      body: typeof init?.body === "string" ? init.body : "",
    };
    requests.push(request);
    inFlight.push(request);
    peaks.push([...inFlight]);
    try {
      return await fetch(input, init);
    } finally {
      inFlight.splice(inFlight.indexOf(request), 1);
    }
  };
  return {
    fetch: wrapped,
    requests,
    /** The most requests to `path` (with `bodyPart` in the body) that were in flight together. */
    maxInFlight(path: string, bodyPart = ""): number {
      return Math.max(
        0,
        ...peaks.map((moment) =>
          moment.filter((r) => r.path === path && r.body.includes(bodyPart)).length
        ),
      );
    },
  };
}

/** What a finished script process left. */
export interface BulkScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = new URL("..", import.meta.url);

/** Environment of a script process: the sandbox's credentials and Deno's own cache. */
export function scriptEnv(sandbox: Sandbox): Record<string, string> {
  const env: Record<string, string> = {
    NO_COLOR: "1",
    M2M_CLIENT_ID: sandbox.clientId,
    M2M_CLIENT_SECRET: sandbox.clientSecret,
    M2M_AUTH0_DOMAIN: sandbox.host,
    M2M_DB_DOMAIN: sandbox.host,
  };
  for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The `deno run` command of a bulk script, with its task's permission flags. */
export function bulkCommand(
  name: "upload_actions" | "create_components",
  args: string[],
  options: { sandbox: Sandbox; cwd: string; stdin?: boolean },
): Deno.Command {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const words = (config.tasks[name].command as string).split(/\s+/);
  const flags = words.slice(words.indexOf("run") + 1, words.indexOf(`scripts/${name}.ts`));
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, new URL(`scripts/${name}.ts`, ROOT).pathname, ...args],
    cwd: options.cwd,
    clearEnv: true,
    env: scriptEnv(options.sandbox),
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs a bulk script to its end, feeding `stdin` if given. */
export async function runBulkScript(
  name: "upload_actions" | "create_components",
  args: string[],
  options: { sandbox: Sandbox; cwd: string; stdin?: string },
): Promise<BulkScriptRun> {
  const child = bulkCommand(name, args, { ...options, stdin: options.stdin !== undefined })
    .spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** A CSV of `count` rows for {@linkcode COMPONENT}: columns component, row, measurement. */
export function csvRows(count: number): string {
  const lines = ["component,row,measurement"];
  for (let row = 1; row <= count; row++) lines.push(`${COMPONENT},${row},${row / 4}`);
  return `${lines.join("\n")}\n`;
}
