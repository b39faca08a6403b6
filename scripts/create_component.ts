/**
 * Template: create a component of a given type and print its new UUID and
 * the short UUID its label will show.
 *
 * ```sh
 * deno run --no-prompt '--allow-env=M2M_*' \
 *   --allow-read=.env,.env.development,.env.staging,.env.production,.env.sandbox \
 *   --allow-net scripts/create_component.ts --type-form-id basic_component --set name="Frame 7"
 * ```
 *
 * @module
 */

import { CreateComponent, toShortUuid } from "../mod.ts";
import { denoIO, runScript, type ScriptIO, type ScriptSpec, withConnection } from "./_cli.ts";
import { checkTypeFormIdArg, DATA_OPTIONS, readData, required } from "./_input.ts";

const OPTIONS = {
  "type-form-id": {
    type: "string",
    arg: "ID",
    help: "the component type form, e.g. basic_component",
  },
  ...DATA_OPTIONS,
} as const;

/** Name, options and help of this script. */
export const SPEC: ScriptSpec<typeof OPTIONS> = {
  name: "create_component",
  summary: "create a component and print its UUID (data gets submit: true, like the web form)",
  usage: ["--type-form-id ID (--data JSON | --data-file FILE | --set FIELD=VALUE ...) [options]"],
  options: OPTIONS,
  examples: [
    `deno task create_component --type-form-id basic_component --set name="Frame 7"`,
    `deno task create_component --type-form-id basic_component_2 --data '{"name":"F8","numberField":3}'`,
  ],
};

/**
 * Runs the script with command-line `args`; returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await main(["--type-form-id", "basic_component", "--set", "name=Frame 7"]);
 * ```
 */
export async function main(args: string[], io: ScriptIO = denoIO): Promise<number> {
  return await runScript(SPEC, args, io, async (values) => {
    const typeFormId = checkTypeFormIdArg(
      required(values["type-form-id"], "type-form-id"),
      "type-form-id",
    );
    const data = await readData(values, io);
    const componentUuid = await withConnection(
      values,
      io,
      (connection, headers) => CreateComponent(typeFormId, data, connection, headers),
    );
    const shortUuid = toShortUuid(componentUuid);
    if (values.json) {
      io.out(JSON.stringify({ componentUuid, shortUuid, typeFormId }, null, 2));
    } else {
      io.out(`created ${typeFormId} component ${componentUuid} (short UUID ${shortUuid})`);
    }
  });
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
