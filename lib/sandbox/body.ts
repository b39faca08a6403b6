/**
 * Request bodies as the live server's body-parser 1.20 reads them (API.md
 * §1): JSON only for a JSON Content-Type, strict (object or array at the
 * top), 10,240,000 bytes at most; urlencoded forms flat; anything else `{}`.
 *
 * @module
 */

/** `limit: "10000kb"` in bytes. */
export const BODY_LIMIT_BYTES = 10_240_000;

/** The raw body, or null when it was longer than the limit (and was drained unread). */
export type RawBody = Uint8Array | null;

/** A parsed body, or the status of the error page Express would send. */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; status: 400 | 413 };

const decoder = new TextDecoder(); // strips a UTF-8 BOM, as iconv-lite does
const JSON_WHITESPACE = /^[ \t\n\r]*/;

/** The media type of a Content-Type header, lowercased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

function parseJson(raw: Uint8Array): ParsedBody {
  const text = decoder.decode(raw);
  if (text.length === 0) return { ok: true, value: {} };
  const first = text.slice(text.match(JSON_WHITESPACE)?.[0].length ?? 0)[0];
  if (first !== "{" && first !== "[") return { ok: false, status: 400 };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400 };
  }
}

/** A urlencoded form as a flat object; a repeated name becomes an array. */
export function parseForm(raw: Uint8Array): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(decoder.decode(raw))) {
    const seen = form[name];
    form[name] = seen === undefined
      ? value
      : Array.isArray(seen)
      ? [...seen, value]
      : [seen, value];
  }
  return form;
}

/** What `req.body` is on the live server for this Content-Type and body. */
export function parseExpressBody(contentType: string | undefined, raw: RawBody): ParsedBody {
  const type = mediaType(contentType);
  const parsed = type === "application/json" || type === "application/x-www-form-urlencoded";
  if (!parsed) return { ok: true, value: {} };
  if (raw === null) return { ok: false, status: 413 };
  return type === "application/json" ? parseJson(raw) : { ok: true, value: parseForm(raw) };
}
