/**
 * From table rows to bulk rows: which column names the component, the type
 * form and the key, which columns become `data` (renamed, typed, plus
 * constant fields), and what makes a row invalid. Mistakes in the mapping
 * itself (a column that is not in the header) are a {@linkcode UsageError}
 * before anything is sent; mistakes in a row make that row fail.
 *
 * @module
 */

import { isObjectId, isUuid, type JsonObject } from "../mod.ts";
import { UsageError } from "./_cli.ts";
import type { Table, TableRecord } from "./_table.ts";
import {
  COLUMN_TYPES,
  type ColumnType,
  InexactNumberError,
  parseJsonExactly,
  typeCell,
  typeJsonValue,
} from "./_typing.ts";

/** What the options say about the mapping. */
export interface MappingSpec {
  /** `actions`: a component column is needed; `components`: none. */
  kind: "actions" | "components";
  componentColumn?: string;
  typeFormId?: string;
  typeFormColumn?: string;
  keyColumn?: string;
  /** The data columns; default every column not used otherwise. */
  dataColumns?: string[];
  ignoreColumns: string[];
  types: Record<string, ColumnType>;
  rename: Record<string, string>;
  constants: JsonObject;
  decimalComma: boolean;
}

/** A row ready for the library, with the table row it came from. */
export interface MappedRow {
  row: number;
  key?: string;
  id?: string;
  invalid?: string;
  typeFormId: string;
  component: string;
  data: JsonObject;
  record: TableRecord;
}

/** The column holding an ID chosen earlier (written to `.failed.csv`); used as the row's ID. */
export function idColumnOf(kind: "actions" | "components"): string {
  return kind === "actions" ? "m2m_action_id" : "m2m_component_uuid";
}

const SHORT_UUID_SHAPE = /^[1-9a-zA-Z]{20,22}$/;

/** Reads a `--map` file: `{ rename, constants, types, ignore }`, each optional. */
export function parseMapFile(text: string, name: string): Partial<MappingSpec> {
  let value: Record<string, unknown>;
  try {
    value = parseJsonExactly(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof InexactNumberError) {
      throw new UsageError(`--map ${name}: ${error.message}`);
    }
    throw new UsageError(`--map ${name} is not JSON: ${(error as Error).message}`);
  }
  const isObject = (item: unknown): item is Record<string, unknown> =>
    typeof item === "object" && item !== null && !Array.isArray(item);
  if (!isObject(value)) throw new UsageError(`--map ${name} must hold a JSON object`);
  const known = ["rename", "constants", "types", "ignore"];
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length) {
    throw new UsageError(`--map ${name}: unknown key ${unknown[0]} (known: ${known.join(", ")})`);
  }
  const { rename = {}, constants = {}, types = {}, ignore = [] } = value;
  if (!isObject(rename) || Object.values(rename).some((to) => typeof to !== "string" || !to)) {
    throw new UsageError(`--map ${name}: "rename" must map column names to field names`);
  }
  if (!isObject(constants)) throw new UsageError(`--map ${name}: "constants" must be an object`);
  if (!isObject(types)) throw new UsageError(`--map ${name}: "types" must be an object`);
  if (!Array.isArray(ignore) || ignore.some((column) => typeof column !== "string")) {
    throw new UsageError(`--map ${name}: "ignore" must be a list of column names`);
  }
  return {
    rename: rename as Record<string, string>,
    constants: constants as JsonObject,
    types: checkTypes(types as Record<string, unknown>, `--map ${name}`),
    ignoreColumns: ignore as string[],
  };
}

/** Checks `column: type` declarations. */
export function checkTypes(types: Record<string, unknown>, where: string) {
  for (const [column, type] of Object.entries(types)) {
    if (!(COLUMN_TYPES as readonly unknown[]).includes(type)) {
      throw new UsageError(
        `${where}: type ${JSON.stringify(type)} of ${column} is not one of ${
          COLUMN_TYPES.join(", ")
        }`,
      );
    }
  }
  return types as Record<string, ColumnType>;
}

/** Turns table rows into bulk rows; built once per table. */
export class Mapper {
  #spec: MappingSpec;
  #names: string[];
  #idColumn: string;
  #dataColumns: Set<string>;
  /** CSV: column name to position. */
  #index = new Map<string, number>();
  /** CSV: positions whose header name is empty. */
  #unnamed: number[] = [];
  /** CSV: each data column's position, field name and type, worked out once. */
  #plan: { index: number; column: string; field: string; type: ColumnType }[] = [];

  /** Checks the mapping against the table's header (CSV; JSON Lines has none to check). */
  constructor(spec: MappingSpec, table: Table) {
    this.#spec = spec;
    this.#idColumn = idColumnOf(spec.kind);
    this.#names = table.header.map((name) => name.trim());
    const csv = table.format === "csv";
    const present = new Set(this.#names.filter((name) => name !== ""));
    if (csv) {
      const seen = new Set<string>();
      for (const name of this.#names) {
        if (name !== "" && seen.has(name)) {
          throw new UsageError(`the header names column ${JSON.stringify(name)} twice`);
        }
        seen.add(name);
      }
    }
    const need = (column: string | undefined, option: string) => {
      if (csv && column !== undefined && !present.has(column)) {
        throw new UsageError(
          `${option} ${JSON.stringify(column)} is not a column of the header ` +
            `(${this.#names.filter(Boolean).map((name) => JSON.stringify(name)).join(", ")})`,
        );
      }
    };
    if (spec.kind === "actions" && spec.componentColumn === undefined) {
      throw new UsageError("--component-column is required: the column with the component UUIDs");
    }
    if ((spec.typeFormId === undefined) === (spec.typeFormColumn === undefined)) {
      throw new UsageError("give the type form with --type-form-id ID or --type-form-column NAME");
    }
    need(spec.componentColumn, "--component-column");
    need(spec.typeFormColumn, "--type-form-column");
    need(spec.keyColumn, "--key-column");
    for (const column of spec.dataColumns ?? []) need(column, "--data-columns");
    for (const column of Object.keys(spec.types)) need(column, "a typed column");
    for (const column of Object.keys(spec.rename)) need(column, "a renamed column");
    const used = new Set(
      // The key column is data too (a serial number, a measurement ID): it only also keys.
      [spec.componentColumn, spec.typeFormColumn, this.#idColumn, ""]
        .concat(spec.ignoreColumns),
    );
    this.#dataColumns = new Set(spec.dataColumns ?? this.#names.filter((name) => !used.has(name)));
    this.#names.forEach((name, index) => {
      if (name === "") this.#unnamed.push(index);
      else this.#index.set(name, index);
    });
    for (const column of this.#dataColumns) {
      const index = this.#index.get(column);
      if (index === undefined) continue;
      const field = spec.rename[column] ?? column;
      this.#plan.push({ index, column, field, type: spec.types[column] ?? "auto" });
    }
    if (csv) {
      const fields = new Map<string, string>();
      for (const column of this.#dataColumns) {
        const field = spec.rename[column] ?? column;
        const other = fields.get(field);
        if (other !== undefined) {
          throw new UsageError(`columns ${other} and ${column} would both fill data.${field}`);
        }
        if (Object.hasOwn(spec.constants, field)) {
          throw new UsageError(`data.${field} is both a column and a constant in --map`);
        }
        fields.set(field, column);
      }
    }
  }

  /** The bulk row for one table row; an invalid one names its columns' problems. */
  map(record: TableRecord): MappedRow {
    const base = { row: record.row, record, typeFormId: "", component: "", data: {} };
    if (record.problem) return { ...base, invalid: record.problem };
    const problems: string[] = [];
    const value = this.#reader(record);
    if (record.cells) {
      for (const index of this.#unnamed) {
        if (record.cells[index].trim() !== "") {
          problems.push(`column ${index + 1} has a value but no name in the header`);
        }
      }
    }
    const spec = this.#spec;
    const typeFormId = spec.typeFormId ?? required(value, spec.typeFormColumn!, problems);
    let component = "";
    if (spec.kind === "actions") {
      const column = spec.componentColumn!;
      component = required(value, column, problems);
      if (component && !isUuid(component) && !SHORT_UUID_SHAPE.test(component)) {
        problems.push(
          `column ${JSON.stringify(column)}: ${JSON.stringify(component)} is neither a full ` +
            `UUID nor a short UUID`,
        );
      }
    }
    const key = spec.keyColumn === undefined
      ? undefined
      : `key:${required(value, spec.keyColumn, problems)}`;
    const id = text(value(this.#idColumn));
    if (id !== undefined && !(spec.kind === "actions" ? isObjectId(id) : isUuid(id))) {
      problems.push(`column ${this.#idColumn}: ${JSON.stringify(id)} is not an ID`);
    }
    const data: JsonObject = { ...spec.constants };
    if (record.cells) {
      for (const { index, column, field, type } of this.#plan) {
        const typed = typeCell(record.cells[index], type, spec.decimalComma);
        if ("error" in typed) problems.push(`column ${JSON.stringify(column)}: ${typed.error}`);
        else if ("value" in typed) data[field] = typed.value;
      }
    } else {
      for (const [rawKey, raw] of Object.entries(record.object ?? {})) {
        const column = rawKey.trim();
        if (!this.#isJsonDataKey(column)) continue;
        const typed = typeJsonValue(raw, spec.types[column] ?? "auto", spec.decimalComma);
        if ("error" in typed) problems.push(`column ${JSON.stringify(column)}: ${typed.error}`);
        else if ("value" in typed) data[spec.rename[column] ?? column] = typed.value;
      }
    }
    const invalid = problems.length ? problems.join("; ") : undefined;
    return { ...base, key, id, typeFormId, component, data, ...(invalid ? { invalid } : {}) };
  }

  #isJsonDataKey(key: string): boolean {
    const spec = this.#spec;
    if (spec.dataColumns) return this.#dataColumns.has(key);
    return key !== spec.componentColumn && key !== spec.typeFormColumn &&
      key !== this.#idColumn && !spec.ignoreColumns.includes(key);
  }

  // Reads one column of a row by name: CSV by header position, JSON Lines by key.
  #reader(record: TableRecord): (column: string) => unknown {
    if (record.cells) {
      const cells = record.cells;
      return (column) => {
        const index = this.#index.get(column);
        return index === undefined ? undefined : cells[index];
      };
    }
    const object = record.object ?? {};
    return (column) => {
      if (Object.hasOwn(object, column)) return object[column];
      const found = Object.keys(object).find((key) => key.trim() === column);
      return found === undefined ? undefined : object[found];
    };
  }
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return (typeof value === "string" ? value : JSON.stringify(value)).trim() || undefined;
}

function required(value: (column: string) => unknown, column: string, problems: string[]): string {
  const found = text(value(column));
  if (found === undefined) problems.push(`column ${JSON.stringify(column)} is empty`);
  return found ?? "";
}
