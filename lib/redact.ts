/**
 * Secret redaction. The client secret and every token the connection has
 * held are registered here; every message that leaves the library (errors,
 * debug lines) passes through {@linkcode Redactor.redact}.
 *
 * @module
 */

/** Replaces registered secrets in text with `[REDACTED]`. */
export class Redactor {
  #secrets = new Set<string>();

  /**
   * Registers a secret; values shorter than 4 characters are ignored, since
   * masking them would garble ordinary text.
   */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return;
    // Also as it looks inside JSON text and inside a URL.
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
      this.#secrets.add(form);
    }
  }

  /**
   * Returns `text` with every registered secret replaced.
   *
   * @example
   * ```ts
   * import { Redactor } from "./redact.ts";
   * const redactor = new Redactor();
   * redactor.add("s3cret-value");
   * console.assert(redactor.redact("got s3cret-value") === "got [REDACTED]");
   * ```
   */
  redact(text: string): string {
    let result = text;
    for (const secret of this.#secrets) result = result.replaceAll(secret, "[REDACTED]");
    // A bearer token we never saw (e.g. echoed by a proxy) is still a token.
    return result.replace(/\b(Bearer\s+)[\w-]+\.[\w-]+\.[\w-]*/gi, "$1[REDACTED]");
  }

  /** A custom inspect that shows only how many secrets are held. */
  [Symbol.for("Deno.customInspect")](): string {
    return `Redactor { ${this.#secrets.size} secrets }`;
  }
}
