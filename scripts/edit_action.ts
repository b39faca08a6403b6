/**
 * Template: change some data fields of an existing action. The server keeps
 * every version; the edit is stored as a new one.
 *
 * ```sh
 * deno run --no-prompt '--allow-env=M2M_*' \
 *   --allow-read=.env,.env.development,.env.staging,.env.production,.env.sandbox \
 *   --allow-net scripts/edit_action.ts --action-id 63340ac79708eb30e6403cb9 --set measurement=12.07
 * ```
 *
 * @module
 */

import { EditAction } from "../mod.ts";
import {
  denoIO,
  runScript,
  type ScriptIO,
  type ScriptSpec,
  UsageError,
  withConnection,
} from "./_cli.ts";
import { checkObjectIdArg, EDIT_OPTIONS, editedFieldsText, parseSets, required } from "./_input.ts";

const OPTIONS = {
  "action-id": { type: "string", arg: "ID", help: "the action's ID (24 hex digits)" },
  ...EDIT_OPTIONS,
} as const;

/** Name, options and help of this script. */
export const SPEC: ScriptSpec<typeof OPTIONS> = {
  name: "edit_action",
  summary: "change data fields of an action (stored as a new version); other fields stay",
  usage: ["--action-id ID --set FIELD=VALUE [--set FIELD=VALUE ...] [options]"],
  options: OPTIONS,
  examples: [
    "deno task edit_action --action-id 63340ac79708eb30e6403cb9 --set measurement=12.07",
    "deno task edit_action --action-id 63340ac79708eb30e6403cb9 --set actionComplete=true --json",
  ],
};

/**
 * Runs the script with command-line `args`; returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await main(["--action-id", actionId, "--set", "measurement=12.07"]);
 * ```
 */
export async function main(args: string[], io: ScriptIO = denoIO): Promise<number> {
  return await runScript(SPEC, args, io, async (values) => {
    const actionId = checkObjectIdArg(required(values["action-id"], "action-id"), "action-id");
    const { fields, values: newValues } = parseSets(values.set ?? []);
    if (fields.length === 0) throw new UsageError("give at least one --set FIELD=VALUE");
    await withConnection(
      values,
      io,
      (connection, headers) => EditAction(actionId, fields, newValues, connection, headers),
    );
    if (values.json) {
      io.out(JSON.stringify({ actionId, fields, values: newValues }, null, 2));
    } else {
      io.out(`edited action ${actionId}: ${editedFieldsText(fields, newValues)}`);
    }
  });
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
