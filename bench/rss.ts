/**
 * Peak memory of the upload script on a large generated CSV: the script runs
 * as its own process against an in-process sandbox, and its peak resident
 * set (VmHWM in /proc/PID/status) is sampled until it exits.
 *
 * @module
 */

import { type Sandbox, startSandbox } from "../sandbox.ts";

const ROOT = new URL("..", import.meta.url);
const COMPONENT = "5f9ea420-3e88-11ed-9114-03f8483882ff";

async function writeCsv(path: string, rows: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  try {
    let chunk = "component,row,measurement,passed,comment\n";
    for (let row = 1; row <= rows; row++) {
      chunk += `${COMPONENT},${row},${(row / 7).toFixed(4)},${row % 2 === 0},"run 7, ok"\n`;
      if (chunk.length > 1 << 16) {
        await file.write(encoder.encode(chunk));
        chunk = "";
      }
    }
    await file.write(encoder.encode(chunk));
  } finally {
    file.close();
  }
}

// What a user runs: the permission and V8 flags of the `upload_actions` task.
function taskFlags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const words = (config.tasks.upload_actions.command as string).split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("scripts/upload_actions.ts"));
}

// Deno grants /proc/PID reads only with --allow-all; `cat` needs just --allow-run.
// VmHWM is the kernel's own peak, so sampling only has to catch it before exit.
async function vmHwmKb(pid: number): Promise<number | undefined> {
  const output = await new Deno.Command("cat", {
    args: [`/proc/${pid}/status`],
    stdout: "piped",
    stderr: "null",
  }).output();
  const match = /VmHWM:\s+(\d+) kB/.exec(new TextDecoder().decode(output.stdout));
  return match ? Number(match[1]) : undefined;
}

interface Measured {
  peakKb: number;
  seconds: number;
  code: number;
}

/**
 * Runs `upload_actions` on a generated `rows`-row CSV; returns its peak RSS.
 * With `submit`, also that of the same command run again (every row already
 * done: the journal is read back whole).
 */
export async function peakRss(
  rows: number,
  submit: boolean,
): Promise<Measured & { rerun?: Measured }> {
  const directory = await Deno.makeTempDir({ prefix: "m2m-bench-rss-" });
  const sandbox = await startSandbox();
  // The upload refuses rows whose component does not exist: store it first.
  sandbox.seed("components", [{
    componentUuid: COMPONENT,
    formId: "basic_component",
    data: { name: "bench frame" },
  }]);
  try {
    const input = `${directory}/big.csv`;
    await writeCsv(input, rows);
    const run = () => measure(input, submit, sandbox);
    const first = await run();
    return submit ? { ...first, rerun: await run() } : first;
  } finally {
    await sandbox.close();
    await Deno.remove(directory, { recursive: true });
  }
}

async function measure(input: string, submit: boolean, sandbox: Sandbox): Promise<Measured> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...taskFlags(),
      new URL("scripts/upload_actions.ts", ROOT).pathname,
      input,
      "--component-column",
      "component",
      "--type-form-id",
      "my_action",
      "--concurrency",
      "16",
      ...(submit ? ["--submit"] : []),
    ],
    clearEnv: true,
    env: {
      HOME: Deno.env.get("HOME") ?? "/root",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      M2M_CLIENT_ID: sandbox.clientId,
      M2M_CLIENT_SECRET: sandbox.clientSecret,
      M2M_AUTH0_DOMAIN: sandbox.host,
      M2M_DB_DOMAIN: sandbox.host,
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const started = performance.now();
  let peakKb = 0;
  let exited = false;
  const status = child.status.finally(() => exited = true);
  while (!exited) {
    peakKb = Math.max(peakKb, await vmHwmKb(child.pid) ?? 0);
    await Promise.race([status, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  return { peakKb, seconds: (performance.now() - started) / 1000, code: (await status).code };
}
