/**
 * Template: change some data fields of an existing component. The server
 * keeps every version; the edit is stored as a new one.
 *
 * ```sh
 * deno run --no-prompt '--allow-env=M2M_*' \
 *   --allow-read=.env,.env.development,.env.staging,.env.production,.env.sandbox \
 *   --allow-net scripts/edit_component.ts \
 *   --uuid 5f9ea420-3e88-11ed-9114-03f8483882ff --set name="Frame 7b"
 * ```
 *
 * @module
 */

import { EditComponent } from "../mod.ts";
import {
  denoIO,
  runScript,
  type ScriptIO,
  type ScriptSpec,
  UsageError,
  withConnection,
} from "./_cli.ts";
import { checkUuidArg, EDIT_OPTIONS, editedFieldsText, parseSets, required } from "./_input.ts";

const OPTIONS = {
  uuid: { type: "string", arg: "UUID", help: "the component's full UUID" },
  ...EDIT_OPTIONS,
} as const;

/** Name, options and help of this script. */
export const SPEC: ScriptSpec<typeof OPTIONS> = {
  name: "edit_component",
  summary: "change data fields of a component (stored as a new version); other fields stay",
  usage: ["--uuid UUID --set FIELD=VALUE [--set FIELD=VALUE ...] [options]"],
  options: OPTIONS,
  examples: [
    `deno task edit_component --uuid 5f9ea420-3e88-11ed-9114-03f8483882ff --set name="Frame 7b"`,
    `deno task edit_component --uuid 5f9ea420-3e88-11ed-9114-03f8483882ff --set textField='"007"'`,
  ],
};

/**
 * Runs the script with command-line `args`; returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await main(["--uuid", componentUuid, "--set", "name=Frame 7b"]);
 * ```
 */
export async function main(args: string[], io: ScriptIO = denoIO): Promise<number> {
  return await runScript(SPEC, args, io, async (values) => {
    const componentUuid = checkUuidArg(required(values.uuid, "uuid"), "uuid");
    const { fields, values: newValues } = parseSets(values.set ?? []);
    if (fields.length === 0) throw new UsageError("give at least one --set FIELD=VALUE");
    await withConnection(
      values,
      io,
      (connection, headers) => EditComponent(componentUuid, fields, newValues, connection, headers),
    );
    if (values.json) {
      io.out(JSON.stringify({ componentUuid, fields, values: newValues }, null, 2));
    } else {
      io.out(`edited component ${componentUuid}: ${editedFieldsText(fields, newValues)}`);
    }
  });
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
