/**
 * Template: convert the short UUIDs printed on QR labels into the full UUIDs
 * of existing components (the server confirms each one exists).
 *
 * ```sh
 * deno run --no-prompt '--allow-env=M2M_*' \
 *   --allow-read=.env,.env.development,.env.staging,.env.production,.env.sandbox \
 *   --allow-net scripts/convert_short_uuid.ts --short-uuid sYYtwWFURzCyHVYavMrQDd
 * ```
 *
 * @module
 */

import { ConvertShortUUID } from "../mod.ts";
import {
  denoIO,
  runScript,
  type ScriptIO,
  type ScriptSpec,
  UsageError,
  withConnection,
} from "./_cli.ts";
import { checkShortUuidArg } from "./_input.ts";

const OPTIONS = {
  "short-uuid": {
    type: "string",
    multiple: true,
    arg: "SHORT",
    help: "short UUID from a label (20-22 characters)",
  },
} as const;

/** Name, options and help of this script. */
export const SPEC: ScriptSpec<typeof OPTIONS> = {
  name: "convert_short_uuid",
  summary: "print the full component UUID of each short UUID (fails at the first unknown one)",
  usage: ["--short-uuid SHORT [--short-uuid SHORT ...] [options]"],
  options: OPTIONS,
  examples: [
    "deno task convert_short_uuid --short-uuid sYYtwWFURzCyHVYavMrQDd",
    "deno task convert_short_uuid --instance production --json --short-uuid A --short-uuid B",
  ],
};

/**
 * Runs the script with command-line `args`; returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await main(["--short-uuid", "sYYtwWFURzCyHVYavMrQDd"]);
 * ```
 */
export async function main(args: string[], io: ScriptIO = denoIO): Promise<number> {
  return await runScript(SPEC, args, io, async (values) => {
    const shortUuids = (values["short-uuid"] ?? []).map((value) => checkShortUuidArg(value));
    if (shortUuids.length === 0) throw new UsageError("give at least one --short-uuid");
    const results = await withConnection(values, io, async (connection, headers) => {
      const converted: { shortUuid: string; componentUuid: string }[] = [];
      for (const shortUuid of shortUuids) {
        const componentUuid = await ConvertShortUUID(shortUuid, connection, headers);
        converted.push({ shortUuid, componentUuid });
        if (!values.json) io.out(`${shortUuid} -> ${componentUuid}`);
      }
      return converted;
    });
    if (values.json) io.out(JSON.stringify({ results }, null, 2));
  });
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
