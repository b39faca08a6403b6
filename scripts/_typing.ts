/**
 * How a table cell becomes a JSON value of an action's or component's data.
 * Undeclared columns are typed by their look (numbers stay numbers, true and
 * false become booleans, the rest stays text as written); a column declared
 * with a type must parse as it, or the row fails naming the column.
 *
 * @module
 */

import type { JsonValue } from "../mod.ts";

/** The types a column can be declared as (`--types`, `--json-columns`, `--map`). */
export const COLUMN_TYPES = ["auto", "string", "number", "integer", "boolean", "json"] as const;
/** One of {@linkcode COLUMN_TYPES}. */
export type ColumnType = typeof COLUMN_TYPES[number];

/** A typed value, or why the cell is not of its declared type. */
export type Typed = { value: JsonValue } | { omit: true } | { error: string };

// Leading zeros ("007", serial numbers) and integers too large for a double
// stay text in auto mode: turning them into numbers would change them.
const AUTO_NUMBER = /^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const ANY_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * Whether `literal`, a number as written, is stored unchanged as the double
 * `value`: a double holds every integer up to 2^53 and about 17 significant
 * digits, and underflows tiny numbers to 0. (-0 is stored as 0: equal as a
 * number.)
 */
export function isExactNumber(literal: string, value = Number(literal)): boolean {
  if (!Number.isFinite(value)) return false;
  if (/^[+-]?\d+$/.test(literal)) return Number.isSafeInteger(value);
  const digits = literal.replace(/[eE].*$/, "").replace(/[+\-.]/g, "").replace(/^0+|0+$/g, "");
  return digits.length <= 17 && !(value === 0 && digits !== "");
}

/** Thrown by {@linkcode parseJsonExactly} for a number a double cannot hold as written. */
export class InexactNumberError extends RangeError {}

/**
 * `JSON.parse`, except that a number a double cannot hold as written (a
 * 20-digit serial, say) is an {@linkcode InexactNumberError} instead of
 * being rounded without a word.
 */
export function parseJsonExactly(text: string): unknown {
  return JSON.parse(text, (_key, value, context?: { source?: string }) => {
    const source = context?.source;
    if (typeof value === "number" && source !== undefined && !isExactNumber(source, value)) {
      throw new InexactNumberError(
        `the number ${source} cannot be stored as written (a JSON number keeps about 17 ` +
          `significant digits): write it as a string, "${source}"`,
      );
    }
    return value;
  });
}

function asNumber(text: string, pattern: RegExp, decimalComma: boolean): number | undefined {
  const normalized = decimalComma ? text.replace(",", ".") : text;
  if (decimalComma && text.includes(".")) return undefined;
  if (!pattern.test(normalized)) return undefined;
  const value = Number(normalized);
  // The number stored would not be the one written: keep the text.
  return isExactNumber(normalized, value) ? value : undefined;
}

function asBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

/**
 * Types one CSV cell. Empty (or blank) cells are omitted. `auto` never
 * fails; the declared types fail with a reason such as `"abc" is not a number`.
 */
export function typeCell(text: string, type: ColumnType, decimalComma = false): Typed {
  const trimmed = text.trim();
  if (trimmed === "") return { omit: true };
  const shown = JSON.stringify(trimmed.length > 40 ? `${trimmed.slice(0, 37)}...` : trimmed);
  switch (type) {
    case "string":
      return { value: text };
    case "number": {
      const value = asNumber(trimmed, ANY_NUMBER, decimalComma);
      return value === undefined ? { error: `${shown} is not a number` } : { value };
    }
    case "integer": {
      const value = asNumber(trimmed, INTEGER, false);
      return value === undefined ? { error: `${shown} is not a whole number` } : { value };
    }
    case "boolean": {
      const value = asBoolean(trimmed);
      return value === undefined ? { error: `${shown} is not true or false` } : { value };
    }
    case "json":
      try {
        return { value: parseJsonExactly(trimmed) as JsonValue };
      } catch (error) {
        if (error instanceof InexactNumberError) return { error: `${shown}: ${error.message}` };
        return { error: `${shown} is not JSON (${(error as Error).message})` };
      }
    case "auto": {
      const number = asNumber(trimmed, AUTO_NUMBER, decimalComma);
      if (number !== undefined) return { value: number };
      const boolean = asBoolean(trimmed);
      return boolean === undefined ? { value: text } : { value: boolean };
    }
  }
}

/**
 * Types one JSON Lines value: already typed, so `auto` keeps it as it is; a
 * declared type accepts a value of that type, or text that parses as it.
 */
export function typeJsonValue(value: unknown, type: ColumnType, decimalComma = false): Typed {
  if (value === undefined) return { omit: true };
  const ok = { value: value as JsonValue };
  switch (type) {
    case "auto":
    case "json":
      return typeof value === "string" && type === "json" ? typeCell(value, type) : ok;
    case "string":
      return typeof value === "string" ? ok : { error: `${JSON.stringify(value)} is not text` };
    case "number":
      if (typeof value === "number") return ok;
      break;
    case "integer":
      if (typeof value === "number" && Number.isSafeInteger(value)) return ok;
      break;
    case "boolean":
      if (typeof value === "boolean") return ok;
      break;
  }
  if (typeof value === "string") return typeCell(value, type, decimalComma);
  const names = { number: "a number", integer: "a whole number", boolean: "true or false" };
  return { error: `${JSON.stringify(value)} is not ${names[type]}` };
}
