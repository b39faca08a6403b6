/**
 * Exceptions of the emulated server code. A route catches them and answers
 * 500 `{"error": text}`, where `text` is what the JavaScript error's
 * `toString()` gives on the live server (API.md §1).
 *
 * @module
 */

/** An exception a route turns into 500 `{"error": text}`. */
export class ServerError extends Error {
  /** The error as the server prints it, e.g. `"Error: Invalid UUID."`. */
  readonly text: string;

  /** Wraps the server's `err.toString()` text. */
  constructor(text: string) {
    super(text);
    this.name = "ServerError";
    this.text = text;
  }
}

/** `new Error(message)` on the server. */
export function plainError(message: string): ServerError {
  return new ServerError(`Error: ${message}`);
}

/** A TypeError the server's JavaScript raises by itself. */
export function typeError(message: string): ServerError {
  return new ServerError(`TypeError: ${message}`);
}

/** How V8 words reading `property` of `null` or `undefined`. */
export function readPropertyError(value: null | undefined, property: string): ServerError {
  return typeError(`Cannot read properties of ${value} (reading '${property}')`);
}

/** The `${value}` of a JavaScript template literal, for echoing client values in messages. */
export function templateString(value: unknown): string {
  if (Array.isArray(value)) {
    return value.map((item) => item == null ? "" : templateString(item)).join();
  }
  if (value !== null && typeof value === "object") return "[object Object]";
  return String(value);
}
