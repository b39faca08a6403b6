/**
 * The input checks of the scripts, done before anything is sent: IDs given
 * as options, `--set field=value` pairs, and record data from `--data`,
 * `--data-file` or stdin. Each failure is a {@linkcode UsageError} (exit 2).
 *
 * @module
 */

import {
  checkObjectId,
  checkShortUuid,
  checkTypeFormId,
  checkUuid,
  type JsonObject,
  type JsonValue,
} from "../mod.ts";
import { type OptionSpecs, type ScriptIO, UsageError } from "./_cli.ts";
import { InexactNumberError, parseJsonExactly } from "./_typing.ts";

/** Options giving a record's data; {@linkcode readData} reads them. */
export const DATA_OPTIONS = {
  data: { type: "string", arg: "JSON", help: "the record's data, a JSON object" },
  "data-file": {
    type: "string",
    arg: "FILE",
    help: "read the data object from FILE (- for stdin; grant it: --allow-read=FILE)",
  },
  set: {
    type: "string",
    multiple: true,
    arg: "FIELD=VALUE",
    help: "set one data field; VALUE is JSON if it parses (12.5, true, [1,2]), else text",
  },
} as const satisfies OptionSpecs;

/** The option of the edit scripts: the fields to change. */
export const EDIT_OPTIONS = {
  set: {
    type: "string",
    multiple: true,
    arg: "FIELD=VALUE",
    help: "new value of one data field; JSON if it parses (12.5, true, [1,2]), else text",
  },
} as const satisfies OptionSpecs;

/** The value of a required single option, or a {@linkcode UsageError}. */
export function required(value: string | undefined, option: string): string {
  if (value === undefined || value === "") throw new UsageError(`--${option} is required`);
  return value;
}

/** Checks a full component UUID argument; returns it lowercased. */
export function checkUuidArg(value: string, option: string): string {
  return checkUuid(value, `--${option}`);
}

/** Checks a 24-hex-digit action or workflow ID argument; returns it lowercased. */
export function checkObjectIdArg(value: string, option: string): string {
  return checkObjectId(value, `--${option}`);
}

/** Checks a short UUID argument: 20–22 characters of the alphabets labels use. */
export function checkShortUuidArg(value: string, option = "short-uuid"): string {
  return checkShortUuid(value, `--${option}`);
}

/** Checks a type form ID argument (non-empty, no surrounding spaces). */
export function checkTypeFormIdArg(value: string, option: string): string {
  return checkTypeFormId(value, `--${option}`);
}

/** Checks a version number argument: a positive integer. */
export function checkVersionArg(value: string, option = "version"): number {
  if (/^[1-9]\d{0,8}$/.test(value)) return Number(value);
  throw new UsageError(`--${option} ${JSON.stringify(value)} is not a version number (1, 2, ...)`);
}

/**
 * Parses `--set field=value` pairs. The value is JSON when it parses
 * (`12.5`, `true`, `null`, `[1,2]`, `"007"`), else the text as given
 * (`Frame 7`), so quoting is only needed to keep `007` or `true` a string.
 */
export function parseSets(pairs: string[]): { fields: string[]; values: JsonValue[] } {
  const fields: string[] = [];
  const values: JsonValue[] = [];
  for (const pair of pairs) {
    const split = pair.indexOf("=");
    const field = split < 0 ? "" : pair.slice(0, split).trim();
    if (field === "") {
      throw new UsageError(
        `--set ${JSON.stringify(pair)} is not field=value, e.g. --set mass=12.5`,
      );
    }
    if (fields.includes(field)) throw new UsageError(`--set names ${field} more than once`);
    const text = pair.slice(split + 1);
    let value: JsonValue;
    try {
      value = parseJsonExactly(text) as JsonValue;
    } catch (error) {
      if (error instanceof InexactNumberError) {
        throw new UsageError(
          `--set ${field}=${text}: ${error.message}; to keep it as text, quote it: ` +
            `--set ${field}='"${text}"'`,
        );
      }
      value = text;
    }
    fields.push(field);
    values.push(value);
  }
  return { fields, values };
}

/** `a = 1, b = "x"`: what an edit changed, for a result line. */
export function editedFieldsText(fields: string[], values: JsonValue[]): string {
  return fields.map((field, index) => `${field} = ${JSON.stringify(values[index])}`).join(", ");
}

async function readDataFile(path: string, io: ScriptIO): Promise<string> {
  if (path === "-") return await io.readStdin();
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
    throw new UsageError(
      `no permission to read ${path}: add --allow-read=${path} to the deno run line, ` +
        `or pipe it in with --data-file - < ${path}`,
    );
  }
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`cannot read --data-file ${path}: ${(error as Error).message}`);
  }
}

/**
 * The record data from `--data JSON` or `--data-file FILE` (`-` = stdin),
 * then `--set` pairs on top; at least one must be given. A plain object, or
 * a {@linkcode UsageError}.
 */
export async function readData(
  values: { data?: string; "data-file"?: string; set?: string[] },
  io: ScriptIO,
): Promise<JsonObject> {
  if (values.data !== undefined && values["data-file"] !== undefined) {
    throw new UsageError("give --data or --data-file, not both");
  }
  const sets = parseSets(values.set ?? []);
  const source = values.data !== undefined
    ? "--data"
    : values["data-file"] !== undefined
    ? `--data-file ${values["data-file"]}`
    : undefined;
  if (source === undefined && sets.fields.length === 0) {
    throw new UsageError("no data: give --data '{...}', --data-file FILE or --set field=value");
  }
  let data: unknown = {};
  if (source !== undefined) {
    const text = values.data ?? await readDataFile(values["data-file"]!, io);
    try {
      data = parseJsonExactly(text);
    } catch (error) {
      if (error instanceof InexactNumberError) throw new UsageError(`${source}: ${error.message}`);
      throw new UsageError(`${source} is not JSON: ${(error as Error).message}`);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new UsageError(`${source} must be a JSON object of field: value pairs`);
    }
  }
  const merged = { ...data as JsonObject };
  sets.fields.forEach((field, index) => merged[field] = sets.values[index]);
  return merged;
}
