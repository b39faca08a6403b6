/**
 * Reading a reply body with a size cap, so a runaway reply cannot exhaust
 * an instrument PC's memory. The body is always read to the end or cancelled.
 *
 * @module
 */

/**
 * The body of `response` as text, or `onTooLarge()` thrown (after cancelling
 * the body) once it passes `limit` bytes, declared or streamed.
 *
 * @example
 * ```ts
 * import { readCappedText } from "./body.ts";
 * const text = await readCappedText(new Response("hello"), 10, () => new Error("too large"));
 * console.assert(text === "hello");
 * ```
 */
export async function readCappedText(
  response: Response,
  limit: number,
  onTooLarge: () => Error,
): Promise<string> {
  if (!response.body) return "";
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > limit) {
    await response.body.cancel();
    throw onTooLarge();
  }
  // HTTP/1.1 delivers exactly the declared length: the native read is safe, and fast.
  if (declared <= limit) return await response.text();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw onTooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
