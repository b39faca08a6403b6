/**
 * Create components in bulk: one per row of a CSV, TSV or JSON Lines file,
 * resumably and exactly once; components of one type are created one at a
 * time (the server numbers them by counting). Without `--submit` it is a
 * dry run that checks every row and sends no write.
 *
 * ```sh
 * deno task create_components boards.csv --type-form-id basic_component --submit
 * ```
 *
 * @module
 */

import { denoIO, type ScriptIO, type ScriptSpec } from "./_cli.ts";
import { runBulk } from "./_bulk.ts";
import { BULK_FLAGS, BULK_OPTIONS, EXIT_NOTES, NOTES } from "./_bulk_options.ts";

const OPTIONS = { ...BULK_OPTIONS } as const;

/** Name, options and help of this script. */
export const SPEC: ScriptSpec<typeof OPTIONS> = {
  name: "create_components",
  summary: "create one component per row of a CSV/TSV/JSON Lines file (dry run without --submit)",
  usage: [
    "INPUT (--type-form-id ID | --type-form-column NAME) [options]",
    "INPUT (--type-form-id ID | --type-form-column NAME) --submit [options]",
  ],
  notes: NOTES,
  extraExitCodes: EXIT_NOTES,
  options: OPTIONS,
  examples: [
    "deno task create_components boards.csv --type-form-id basic_component",
    "deno task create_components boards.csv --type-form-id basic_component --submit",
    "deno task create_components mixed.csv --type-form-column type --key-column serial --submit",
  ],
  permissions: BULK_FLAGS,
};

/**
 * Runs the script with command-line `args`; returns the exit code: 0 every
 * row created or already done, 1 some rows failed or were not reached, 2
 * bad usage or an unreadable input (nothing was sent).
 *
 * @example
 * ```ts ignore
 * const code = await main(["boards.csv", "--type-form-id", "basic_component", "--submit"]);
 * ```
 */
export async function main(args: string[], io: ScriptIO = denoIO): Promise<number> {
  return await runBulk({ kind: "components", spec: SPEC }, args, io);
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
