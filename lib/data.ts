/**
 * The JSON-safety check of user data. `JSON.stringify` silently drops
 * `undefined` and functions and turns `NaN` into `null`; a measurement must
 * never be changed on its way to the database, so such data is refused, with
 * the path of the offending field in the message.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";
import { quote } from "./ids.ts";

/** A JSON value as the DB stores it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
/** A JSON object: the `data` of a component or an action. */
export interface JsonObject {
  /** A field of the object. */
  [field: string]: JsonValue;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number") return String(value);
  if (typeof value === "bigint") return `the BigInt ${value}n`;
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  const name = (value as object)?.constructor?.name;
  return name ? `a ${name}` : "an object without prototype";
}

function hint(value: unknown): string {
  if (typeof value === "number") return "use null for a missing reading, or a string";
  if (value instanceof Date) return "use date.toISOString()";
  if (typeof value === "bigint") return "convert it with Number() or String()";
  if (value instanceof Map) return "use Object.fromEntries(map)";
  if (value instanceof Set) return "use [...set]";
  return "use only strings, finite numbers, booleans, null, arrays and plain objects";
}

function check(value: unknown, path: string, ancestors: object[]): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (Number.isFinite(value)) return;
      break;
    case "object": {
      if (value === null) return;
      if (ancestors.includes(value)) {
        throw new ValidationError(
          `${path} refers back to one of its own parents: data must be a tree`,
        );
      }
      if (Array.isArray(value)) {
        ancestors.push(value);
        for (let index = 0; index < value.length; index++) {
          if (!(index in value)) {
            throw new ValidationError(
              `${path}[${index}] is an empty array slot: fill it (e.g. null)`,
            );
          }
          check(value[index], `${path}[${index}]`, ancestors);
        }
        ancestors.pop();
        return;
      }
      if (!isPlainObject(value)) break;
      ancestors.push(value);
      for (const key of Object.keys(value)) {
        check((value as Record<string, unknown>)[key], childPath(path, key), ancestors);
      }
      if (Object.getOwnPropertySymbols(value).length > 0) {
        throw new ValidationError(`${path} has a symbol key, which JSON cannot hold`);
      }
      ancestors.pop();
      return;
    }
  }
  throw new ValidationError(
    `${path} is ${describe(value)}, which JSON cannot hold without changing it: ${hint(value)}`,
  );
}

/**
 * Checks that `value` is a plain object that JSON can carry unchanged and
 * returns it typed as {@linkcode JsonObject}; throws a
 * {@linkcode ValidationError} naming the offending field, e.g.
 * `actionData.readings[3] is NaN`.
 *
 * @example
 * ```ts
 * import { checkData } from "./data.ts";
 * checkData({ readings: [1.5, 2.25], ok: true }, "actionData");
 * try {
 *   checkData({ readings: [1.5, NaN] }, "actionData");
 * } catch (error) {
 *   console.assert(String(error).includes("actionData.readings[1]"));
 * }
 * ```
 */
export function checkData(value: unknown, name = "data"): JsonObject {
  if (
    typeof value !== "object" || value === null || Array.isArray(value) || !isPlainObject(value)
  ) {
    throw new ValidationError(
      `${name} must be a plain object of field: value pairs, got ${
        Array.isArray(value) ? "an array" : describe(value)
      }`,
    );
  }
  check(value, name, []);
  return value as JsonObject;
}

/**
 * Checks the `fields`/`values` pair of the Edit functions: two arrays of the
 * same length, field names non-empty strings without repeats, values JSON-safe.
 *
 * @example
 * ```ts
 * import { checkFieldEdits } from "./data.ts";
 * const edits = checkFieldEdits(["name", "mass"], ["frame 7", 12.5]);
 * console.assert(edits.mass === 12.5);
 * ```
 */
export function checkFieldEdits(fields: unknown, values: unknown): JsonObject {
  if (!Array.isArray(fields) || !Array.isArray(values)) {
    throw new ValidationError(
      `fields and values must be two arrays, e.g. ["name"], ["new name"]; got ${
        Array.isArray(fields) ? "an array" : describe(fields)
      } and ${Array.isArray(values) ? "an array" : describe(values)}`,
    );
  }
  if (fields.length !== values.length) {
    throw new ValidationError(
      `fields has ${fields.length} names but values has ${values.length}: give one value per field`,
    );
  }
  if (fields.length === 0) {
    throw new ValidationError("fields is empty: name at least one data field to change");
  }
  const edits: Record<string, unknown> = {};
  fields.forEach((field, index) => {
    if (typeof field !== "string" || field === "") {
      throw new ValidationError(
        `fields[${index}] is ${quote(field)}: field names are non-empty strings`,
      );
    }
    if (Object.hasOwn(edits, field)) {
      throw new ValidationError(`fields names ${quote(field)} twice: give each field once`);
    }
    edits[field] = values[index];
  });
  return checkData(edits, "values");
}

/**
 * Checks a type form ID (non-empty, no surrounding spaces) and returns it.
 *
 * @example
 * ```ts
 * import { checkTypeFormId } from "./data.ts";
 * console.assert(checkTypeFormId("my_action") === "my_action");
 * ```
 */
export function checkTypeFormId(value: unknown, what = "typeFormID"): string {
  if (typeof value === "string" && value !== "" && value.trim() === value) return value;
  throw new ValidationError(
    `${what} ${
      quote(value)
    } is not a type form ID: expected a non-empty name without surrounding ` +
      `spaces, e.g. "basic_component"`,
  );
}
