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

// Where the value being checked sits: the argument's name, then the keys
// down to it. A stack, rendered only for a message: most data has no error.
interface Where {
  name: string;
  keys: (string | number)[];
  ancestors: object[];
}

function render(where: Where): string {
  let path = where.name;
  for (const key of where.keys) {
    if (typeof key === "number") path += `[${key}]`;
    else path += IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return path;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
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

// Deep enough for any real record; deeper is a mistake, not a measurement.
const MAX_DEPTH = 200;

// Returns a copy holding exactly the values checked: a getter or a proxy is
// read once, so what is sent is what was checked.
function snapshot(value: unknown, where: Where): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      break;
    case "object": {
      if (value === null) return null;
      const { keys, ancestors } = where;
      if (ancestors.includes(value)) {
        throw new ValidationError(
          `${render(where)} refers back to one of its own parents: data must be a tree`,
        );
      }
      if (ancestors.length >= MAX_DEPTH) {
        throw new ValidationError(`${render(where)} is nested more than ${MAX_DEPTH} levels deep`);
      }
      if (Array.isArray(value)) {
        // Only an array with holes or named properties has another key count.
        const names = Object.keys(value);
        const extra = names.length === value.length
          ? undefined
          : names.find((key) => !/^\d+$/.test(key));
        if (extra !== undefined) {
          throw new ValidationError(
            `${render(where)} is an array with a named property ${quote(extra)}, which JSON ` +
              `would drop: use an object`,
          );
        }
        ancestors.push(value);
        const copy: JsonValue[] = [];
        for (let index = 0; index < value.length; index++) {
          keys.push(index);
          if (!(index in value)) {
            throw new ValidationError(
              `${render(where)} is an empty array slot: fill it (e.g. null)`,
            );
          }
          copy.push(snapshot(value[index], where));
          keys.pop();
        }
        ancestors.pop();
        return copy;
      }
      if (!isPlainObject(value)) break;
      if (Object.getOwnPropertySymbols(value).length > 0) {
        throw new ValidationError(`${render(where)} has a symbol key, which JSON cannot hold`);
      }
      ancestors.push(value);
      const copy: JsonObject = {};
      for (const key of Object.keys(value)) {
        keys.push(key);
        const field = snapshot((value as Record<string, unknown>)[key], where);
        keys.pop();
        // defineProperty only for "__proto__", which a plain assignment would swallow.
        if (key === "__proto__") {
          Object.defineProperty(copy, key, {
            value: field,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else copy[key] = field;
      }
      ancestors.pop();
      return copy;
    }
  }
  throw new ValidationError(
    `${render(where)} is ${describe(value)}, which JSON cannot hold without changing it: ${
      hint(value)
    }`,
  );
}

/**
 * Checks that `value` is a plain object that JSON can carry unchanged and
 * returns a copy of it (exactly the values checked); throws a
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
  return snapshot(value, { name, keys: [], ancestors: [] }) as JsonObject;
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
    Object.defineProperty(edits, field, {
      value: values[index],
      enumerable: true,
      writable: true,
      configurable: true,
    });
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
  // "." and ".." would be resolved away by URL parsing and change the route.
  if (
    typeof value === "string" && value !== "" && value.trim() === value && value !== "." &&
    value !== ".."
  ) {
    return value;
  }
  throw new ValidationError(
    `${what} ${
      quote(value)
    } is not a type form ID: expected a non-empty name without surrounding ` +
      `spaces, e.g. "basic_component"`,
  );
}

/**
 * Whether two JSON values are equal, whatever the order of object keys:
 * used to recognise our own write when looking it up after a lost reply.
 *
 * @example
 * ```ts
 * import { jsonEqual } from "./data.ts";
 * console.assert(jsonEqual({ a: 1, b: [2] }, { b: [2], a: 1 }));
 * console.assert(!jsonEqual({ a: 1 }, { a: "1" }));
 * ```
 */
export function jsonEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || !left || !right) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  return leftKeys.length === rightKeys.length &&
    leftKeys.every((key) =>
      Object.hasOwn(right, key) &&
      jsonEqual((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key])
    );
}
