/**
 * The command line of the bulk scripts: the options, the input file as the
 * one positional argument, and their checks (all before anything is sent).
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  CONNECTION_OPTIONS,
  type OptionSpec,
  type OptionSpecs,
  type OptionValues,
  UsageError,
} from "./_cli.ts";
import { checkTypes, type MappingSpec, parseMapFile } from "./_mapping.ts";
import type { ColumnType } from "./_typing.ts";

/** Options both bulk scripts take. */
export const BULK_OPTIONS = {
  submit: { type: "boolean", help: "really write; without it: a dry run that sends no write" },
  "type-form-id": { type: "string", arg: "ID", help: "the type form of every row" },
  "type-form-column": { type: "string", arg: "NAME", help: "or the column holding it" },
  "key-column": {
    type: "string",
    arg: "NAME",
    help: "match rows with the journal by this column's value (default: row number)",
  },
  "data-columns": {
    type: "string",
    arg: "A,B",
    help: "columns that go into data (default: all the others)",
  },
  "ignore-columns": { type: "string", arg: "A,B", help: "columns left out of data" },
  "json-columns": { type: "string", arg: "A,B", help: "columns holding JSON (e.g. [1.2,1.3])" },
  types: {
    type: "string",
    arg: "A:TYPE,...",
    help: "declare column types: string, number, integer, boolean, json (a cell that does " +
      "not parse fails its row)",
  },
  map: {
    type: "string",
    arg: "FILE",
    help: 'JSON {"rename":{col:field},"constants":{field:value},"types":{...},"ignore":[...]}',
  },
  "decimal-comma": { type: "boolean", help: "numbers are written 12,04 (European exports)" },
  format: { type: "string", arg: "F", help: "csv, tsv or jsonl (default: from the file name)" },
  delimiter: { type: "string", arg: "C", help: "CSV delimiter (default: guessed: , ; tab |)" },
  encoding: { type: "string", arg: "NAME", help: "utf-8 (default), latin1, windows-1252, ..." },
  "header-row": { type: "string", arg: "N", help: "the header is on line N (a preamble above)" },
  "skip-lines": { type: "string", arg: "N", help: "skip N lines before the header" },
  "expect-rows": {
    type: "string",
    arg: "N",
    help: "refuse the whole file, before any request, unless it has N data rows",
  },
  concurrency: { type: "string", arg: "N", help: "requests in flight (default 4, at most 64)" },
  journal: {
    type: "string",
    arg: "FILE",
    help: "resume journal (default INPUT.journal.jsonl; required for stdin with --submit)",
  },
  "sync-journal": { type: "boolean", help: "fsync the journal before each request (power loss)" },
  "failed-file": { type: "string", arg: "FILE", help: "failed rows (default INPUT.failed.csv)" },
} as const satisfies OptionSpecs;

/**
 * The `deno run` flags of the bulk scripts (as in their `deno.json` tasks).
 * Input, journal and failed-rows files can be anywhere, hence read and write.
 * The V8 flag caps the young generation: sized by the machine's memory, it
 * otherwise lets a run of thousands of rows a second reach ~190 MB of
 * resident memory that is mostly garbage (measured: 188 MB for 50,000 rows
 * by default, 117 MB with the cap, at the same speed).
 */
export const BULK_FLAGS: readonly string[] = [
  "--no-prompt",
  "--v8-flags=--max-semi-space-size=8",
  "--allow-env=M2M_*",
  "--allow-read",
  "--allow-write",
  "--allow-net",
];

/** The help paragraphs both bulk scripts share. */
export const NOTES: string[] = [
  "Input: INPUT is a CSV, TSV or JSON Lines file, or - for stdin. Header names are trimmed;",
  "  empty cells are left out of data; numbers stay numbers, true/false become booleans,",
  "  other text stays as written (declare --types to insist on a type).",
  "Resume: each row's ID is journaled before its request. Re-run the same command after a",
  "  crash, Ctrl-C or kill: rows already done are skipped, rows sent without a recorded",
  "  outcome are looked up by ID, the rest are sent. Nothing is stored twice.",
  "Failed rows go to INPUT.failed.csv with their columns and the ID chosen for them",
  "  (m2m_action_id / m2m_component_uuid); fix them and upload that file.",
  "Ctrl-C: no new requests, those in flight finish, summary printed; twice: abort now.",
  "Files: the input is read; the journal and the failed rows are written beside it (or",
  "  where --journal and --failed-file say), so the task grants read and write anywhere.",
  "",
];

/** The exit codes of the bulk scripts, as `--help` lists them. */
export const EXIT_NOTES: string[] = [
  "  (bulk) 1 also when some rows failed or were not reached; 2 also for an input that cannot",
  "     be read or has not --expect-rows rows: then nothing was sent",
];

/** What a bulk script was asked to do, checked. */
export interface BulkConfig {
  input: string;
  submit: boolean;
  mapping: MappingSpec;
  format?: string;
  delimiter?: string;
  encoding?: string;
  skipLines: number;
  expectRows?: number;
  concurrency: number;
  journal?: string;
  syncJournal: boolean;
  failedFile?: string;
}

/** Separates the positional INPUT from the options (which `runScript` then parses strictly). */
export function splitInput(
  specs: OptionSpecs,
  args: string[],
): { inputs: string[]; rest: string[] } {
  const options = Object.fromEntries(
    Object.entries<OptionSpec>({ ...specs, ...CONNECTION_OPTIONS }).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) },
    ]),
  );
  const { tokens = [] } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positional = new Set(
    tokens.filter((token) => token.kind === "positional").map((token) => token.index),
  );
  return {
    inputs: args.filter((_, index) => positional.has(index)),
    rest: args.filter((_, index) => !positional.has(index)),
  };
}

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}

function count(value: string | undefined, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value) && Number(value) >= min && Number.isSafeInteger(Number(value))) {
    return Number(value);
  }
  throw new UsageError(`--${option} ${JSON.stringify(value)} is not a whole number >= ${min}`);
}

function parseTypes(value: string | undefined): Record<string, ColumnType> {
  const types: Record<string, string> = {};
  for (const item of list(value)) {
    const split = item.lastIndexOf(":");
    if (split <= 0) throw new UsageError(`--types ${item} is not COLUMN:TYPE`);
    types[item.slice(0, split).trim()] = item.slice(split + 1).trim();
  }
  return checkTypes(types, "--types");
}

async function readMap(path: string | undefined): Promise<Partial<MappingSpec>> {
  if (path === undefined) return {};
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`cannot read --map ${path}: ${(error as Error).message}`);
  }
  return parseMapFile(text, path);
}

/** Checks the options and the input argument; a {@linkcode UsageError} for any mistake. */
export async function bulkConfig(
  kind: "actions" | "components",
  inputs: string[],
  values: OptionValues<typeof BULK_OPTIONS> & { "component-column"?: string },
): Promise<BulkConfig> {
  if (inputs.length !== 1) {
    throw new UsageError(
      inputs.length === 0
        ? "give the input file (CSV, TSV or JSON Lines), or - to read stdin"
        : `give one input file, not ${inputs.length} (${inputs.join(" ")})`,
    );
  }
  const headerRow = count(values["header-row"], "header-row", 1);
  const skip = count(values["skip-lines"], "skip-lines", 0);
  if (headerRow !== undefined && skip !== undefined) {
    throw new UsageError("give --header-row or --skip-lines, not both");
  }
  const concurrency = count(values.concurrency, "concurrency", 1) ?? 4;
  if (concurrency > 64) throw new UsageError(`--concurrency ${concurrency} is above 64`);
  const fromMap = await readMap(values.map);
  const types: Record<string, ColumnType> = { ...fromMap.types, ...parseTypes(values.types) };
  for (const column of list(values["json-columns"])) types[column] = "json";
  return {
    input: inputs[0],
    submit: values.submit ?? false,
    mapping: {
      kind,
      componentColumn: values["component-column"]?.trim(),
      typeFormId: values["type-form-id"],
      typeFormColumn: values["type-form-column"]?.trim(),
      keyColumn: values["key-column"]?.trim(),
      dataColumns: values["data-columns"] === undefined ? undefined : list(values["data-columns"]),
      ignoreColumns: [...(fromMap.ignoreColumns ?? []), ...list(values["ignore-columns"])],
      types,
      rename: fromMap.rename ?? {},
      constants: fromMap.constants ?? {},
      decimalComma: values["decimal-comma"] ?? false,
    },
    format: values.format,
    delimiter: values.delimiter,
    encoding: values.encoding,
    skipLines: skip ?? (headerRow ?? 1) - 1,
    expectRows: count(values["expect-rows"], "expect-rows", 0),
    concurrency,
    journal: values.journal,
    syncJournal: values["sync-journal"] ?? false,
    failedFile: values["failed-file"],
  };
}
