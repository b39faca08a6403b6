/**
 * Reading a journal line by line: it can hold 400,000 lines, so through one
 * reused buffer, never whole.
 *
 * @module
 */

/**
 * The lines of `file` (without their newlines), read through one buffer.
 *
 * @example
 * ```ts ignore
 * import { lines } from "./lines.ts";
 * using file = await Deno.open("run.journal.jsonl");
 * for await (const line of lines(file)) console.log(line);
 * ```
 */
export async function* lines(file: Deno.FsFile): AsyncGenerator<string> {
  const buffer = new Uint8Array(1 << 16);
  const decoder = new TextDecoder();
  let rest = "";
  for (;;) {
    const read = await file.read(buffer);
    const text = read === null ? decoder.decode() : decoder.decode(buffer.subarray(0, read), {
      stream: true,
    });
    let start = 0;
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
      yield rest + text.slice(start, end);
      rest = "";
      start = end + 1;
    }
    rest += text.slice(start);
    if (read === null) break;
  }
  if (rest !== "") yield rest;
}
