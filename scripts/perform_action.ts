/**
 * Template: perform an action (e.g. upload a measurement) on a component
 * and print the new action's ID. The component is named by its full UUID or
 * by the short UUID on its label; it must exist, and be of a type the action
 * type form applies to (when the form lists any), before anything is stored.
 *
 * ```sh
 * deno run --no-prompt '--allow-env=M2M_*' \
 *   --allow-read=.env,.env.development,.env.staging,.env.production,.env.sandbox \
 *   --allow-net scripts/perform_action.ts --type-form-id my_action \
 *   --uuid 5f9ea420-3e88-11ed-9114-03f8483882ff --set measurement=12.04
 * ```
 *
 * @module
 */

import { CheckComponentForAction, ConvertShortUUID, PerformAction } from "../mod.ts";
import {
  denoIO,
  runScript,
  type ScriptIO,
  type ScriptSpec,
  UsageError,
  withConnection,
} from "./_cli.ts";
import {
  checkObjectIdArg,
  checkShortUuidArg,
  checkTypeFormIdArg,
  checkUuidArg,
  DATA_OPTIONS,
  readData,
  required,
} from "./_input.ts";

const OPTIONS = {
  "type-form-id": { type: "string", arg: "ID", help: "the action type form, e.g. my_action" },
  uuid: { type: "string", arg: "UUID", help: "the component's full UUID" },
  "short-uuid": {
    type: "string",
    arg: "SHORT",
    help: "or the short UUID on the component's label (converted first)",
  },
  ...DATA_OPTIONS,
  "action-id": {
    type: "string",
    arg: "ID",
    help: "ID for the new action (24 hex); default a fresh one. Reuse it to re-run safely",
  },
} as const;

/** Name, options and help of this script. */
export const SPEC: ScriptSpec<typeof OPTIONS> = {
  name: "perform_action",
  summary: "perform an action on a component and print the action's ID",
  usage: [
    "--type-form-id ID (--uuid UUID | --short-uuid SHORT) " +
    "(--data JSON | --data-file FILE | --set FIELD=VALUE ...) [--action-id ID] [options]",
  ],
  options: OPTIONS,
  examples: [
    "deno task perform_action --type-form-id my_action " +
    "--uuid 5f9ea420-3e88-11ed-9114-03f8483882ff --set measurement=12.04",
    "deno task perform_action --type-form-id my_action " +
    "--short-uuid sYYtwWFURzCyHVYavMrQDd --data-file - < reading.json",
  ],
};

/**
 * Runs the script with command-line `args`; returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await main(["--type-form-id", "my_action", "--uuid", uuid, "--set", "measurement=1"]);
 * ```
 */
export async function main(args: string[], io: ScriptIO = denoIO): Promise<number> {
  return await runScript(SPEC, args, io, async (values) => {
    const typeFormId = checkTypeFormIdArg(
      required(values["type-form-id"], "type-form-id"),
      "type-form-id",
    );
    if ((values.uuid === undefined) === (values["short-uuid"] === undefined)) {
      throw new UsageError("name the component with --uuid or --short-uuid (one of them)");
    }
    const givenUuid = values.uuid === undefined ? undefined : checkUuidArg(values.uuid, "uuid");
    const shortUuid = values["short-uuid"] === undefined
      ? undefined
      : checkShortUuidArg(values["short-uuid"]);
    const chosenId = values["action-id"] === undefined
      ? undefined
      : checkObjectIdArg(values["action-id"], "action-id");
    const data = await readData(values, io);
    const result = await withConnection(values, io, async (connection, headers) => {
      const componentUuid = givenUuid ?? await ConvertShortUUID(shortUuid!, connection, headers);
      // The server stores an action on any UUID (API.md §5): confirm the component exists and
      // that this action type applies to its type, so a typo fails here instead of being stored.
      await CheckComponentForAction(typeFormId, componentUuid, connection, headers);
      const actionId = await PerformAction(typeFormId, componentUuid, data, connection, headers, {
        actionId: chosenId,
      });
      return { actionId, componentUuid, typeFormId };
    });
    if (values.json) {
      io.out(JSON.stringify(result, null, 2));
    } else {
      io.out(
        `performed ${typeFormId} action ${result.actionId} on component ${result.componentUuid}`,
      );
    }
  });
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
