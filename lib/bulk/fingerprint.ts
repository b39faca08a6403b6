/**
 * A short fingerprint of a row's content, kept in the journal so a re-run can
 * tell that a row it already uploaded has since been edited in the file.
 *
 * @module
 */

/**
 * A 53-bit hash (cyrb53) of the JSON text of `value`, as 14 hex digits. Not
 * cryptographic: it only has to notice an edited row, and must be cheap
 * enough to run on every row.
 *
 * @example
 * ```ts
 * import { fingerprint } from "./fingerprint.ts";
 * console.assert(fingerprint({ a: 1 }) === fingerprint({ a: 1 }));
 * console.assert(fingerprint({ a: 1 }) !== fingerprint({ a: 2 }));
 * ```
 */
export function fingerprint(value: unknown): string {
  const text = JSON.stringify(value) ?? "";
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}
