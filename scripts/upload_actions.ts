/**
 * Upload measurements in bulk: one action per row of a CSV, TSV or JSON
 * Lines file, concurrently, resumably and exactly once. Without `--submit`
 * it is a dry run that checks every row and sends no write.
 *
 * ```sh
 * deno task upload_actions readings.csv --component-column uuid --type-form-id my_action
 * deno task upload_actions readings.csv --component-column uuid --type-form-id my_action --submit
 * ```
 *
 * @module
 */

import { denoIO, type ScriptIO, type ScriptSpec } from "./_cli.ts";
import { runBulk } from "./_bulk.ts";
import { BULK_FLAGS, BULK_OPTIONS, EXIT_NOTES, NOTES } from "./_bulk_options.ts";

const OPTIONS = {
  "component-column": {
    type: "string",
    arg: "NAME",
    help: "the column with each row's component: full UUID or the short UUID of its label",
  },
  ...BULK_OPTIONS,
} as const;

/** Name, options and help of this script. */
export const SPEC: ScriptSpec<typeof OPTIONS> = {
  name: "upload_actions",
  summary: "perform one action per row of a CSV/TSV/JSON Lines file (dry run without --submit)",
  usage: [
    "INPUT --component-column NAME (--type-form-id ID | --type-form-column NAME) [options]",
    "INPUT --component-column NAME (--type-form-id ID | --type-form-column NAME) --submit " +
    "[options]",
  ],
  notes: NOTES,
  extraExitCodes: EXIT_NOTES,
  options: OPTIONS,
  examples: [
    "deno task upload_actions readings.csv --component-column uuid --type-form-id my_action",
    "deno task upload_actions readings.csv --component-column uuid --type-form-id my_action " +
    "--submit --concurrency 8",
    "deno task upload_actions export.csv --encoding windows-1252 --header-row 4 " +
    "--decimal-comma --component-column QR --type-form-id my_action --expect-rows 960 --submit",
    "instrument | deno task upload_actions - --format jsonl --component-column uuid " +
    "--type-form-id my_action --journal run7.journal.jsonl --submit",
  ],
  permissions: BULK_FLAGS,
};

/**
 * Runs the script with command-line `args`; returns the exit code: 0 every
 * row uploaded or already done, 1 some rows failed or were not reached, 2
 * bad usage or an unreadable input (nothing was sent).
 *
 * @example
 * ```ts ignore
 * const code = await main(["readings.csv", "--component-column", "uuid", "--type-form-id", "my_action"]);
 * ```
 */
export async function main(args: string[], io: ScriptIO = denoIO): Promise<number> {
  return await runBulk({ kind: "actions", spec: SPEC }, args, io);
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
