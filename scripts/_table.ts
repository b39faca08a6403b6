/**
 * Reading the tables of the bulk scripts: CSV/TSV (through `csv-parse`) or
 * JSON Lines, from a file, streamed and never read whole. Handles a
 * preamble before the header, any text encoding TextDecoder knows, a BOM,
 * CRLF, quoted fields with delimiters and newlines, blank lines, and a
 * delimiter guessed from the header (`,` `;` tab `|`) when not given.
 *
 * @module
 */

import { parse } from "csv-parse/sync";
import { UsageError } from "./_cli.ts";
import { InexactNumberError, parseJsonExactly } from "./_typing.ts";

/** How to read a table. */
export interface TableSpec {
  /** A file path (stdin is spooled to a file first, so it can be read twice). */
  path: string;
  /** What the user calls it in messages, e.g. `data.csv` or `stdin`. */
  name: string;
  /** `csv`, `tsv` or `jsonl`; default from the extension (`.tsv`, `.jsonl`, `.ndjson`), else CSV. */
  format?: string;
  /** One character; default guessed from the header line. */
  delimiter?: string;
  /** A TextDecoder label; default `utf-8`. */
  encoding?: string;
  /** Lines before the header (CSV) or the first record (JSON Lines). */
  skipLines?: number;
}

/** One data row of a table. */
export interface TableRecord {
  /** 1-based, counting data rows only. */
  row: number;
  /** 1-based line of the file where the row starts. */
  line: number;
  /** CSV: the cells, in header order. */
  cells?: string[];
  /** JSON Lines: the object on the line. */
  object?: Record<string, unknown>;
  /** JSON Lines: the line as written. */
  text?: string;
  /** Why the row cannot be read (wrong number of cells, not a JSON object). */
  problem?: string;
}

/** An opened table: its header, and its rows once. */
export interface Table {
  format: "csv" | "jsonl";
  /** CSV: the delimiter used. */
  delimiter: string;
  /** CSV: the column names as written (JSON Lines: empty). */
  header: string[];
  /** The data rows, streamed. */
  records: AsyncIterable<TableRecord>;
  /** Closes the file when the rows will not be read to the end. */
  close(): Promise<void>;
}

const CANDIDATES = [",", ";", "\t", "|"];

function formatOf(spec: TableSpec): "csv" | "tsv" | "jsonl" {
  const format = spec.format?.toLowerCase();
  if (format === "csv" || format === "tsv" || format === "jsonl") return format;
  if (format !== undefined) {
    throw new UsageError(`--format ${spec.format} is not one of csv, tsv, jsonl`);
  }
  if (/\.(jsonl|ndjson|jsonlines)$/i.test(spec.name)) return "jsonl";
  if (/\.(tsv|tab)$/i.test(spec.name)) return "tsv";
  return "csv";
}

/** The delimiter that occurs most often outside quotes in `line` (comma if none). */
export function guessDelimiter(line: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const character of line) {
    if (character === '"') quoted = !quoted;
    else if (!quoted && CANDIDATES.includes(character)) {
      counts.set(character, (counts.get(character) ?? 0) + 1);
    }
  }
  let best = ",";
  for (const candidate of CANDIDATES) {
    if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  }
  return best;
}

function decoderFor(spec: TableSpec): TextDecoder {
  const label = spec.encoding ?? "utf-8";
  try {
    return new TextDecoder(label, { fatal: true });
  } catch {
    throw new UsageError(
      `--encoding ${label} is not an encoding this runtime knows (try utf-8, latin1 or windows-1252)`,
    );
  }
}

async function* decodedText(spec: TableSpec): AsyncGenerator<string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(spec.path, { read: true });
    if ((await file.stat()).isDirectory) {
      file.close();
      throw new Error("it is a directory, not a file");
    }
  } catch (error) {
    throw new UsageError(`cannot read ${spec.name}: ${(error as Error).message}`);
  }
  const decoder = decoderFor(spec);
  // One buffer, reused: a stream of fresh chunks grows the heap for nothing.
  const buffer = new Uint8Array(1 << 16);
  try {
    for (;;) {
      const read = await file.read(buffer);
      const text = read === null
        ? decoder.decode()
        : decoder.decode(buffer.subarray(0, read), { stream: true });
      if (text !== "") yield text;
      if (read === null) return;
    }
  } catch (error) {
    if (error instanceof TypeError) {
      throw new UsageError(
        `${spec.name} is not valid ${spec.encoding ?? "utf-8"} text: give its encoding, ` +
          `e.g. --encoding windows-1252 (or latin1)`,
      );
    }
    throw error;
  } finally {
    file.close();
  }
}

// Drops the first `count` lines at the text level, so a preamble's stray quotes
// or odd cell counts never reach the CSV parser.
async function* afterLines(chunks: AsyncIterable<string>, count: number): AsyncGenerator<string> {
  let toSkip = count;
  for await (let chunk of chunks) {
    while (toSkip > 0) {
      const newline = chunk.indexOf("\n");
      if (newline < 0) break;
      chunk = chunk.slice(newline + 1);
      toSkip--;
    }
    if (toSkip > 0) continue;
    if (chunk !== "") yield chunk;
  }
}

/**
 * Opens a table: reads just enough to find the header and the delimiter;
 * the rows stream from `records`. A malformed file is a {@linkcode UsageError}
 * naming its line, thrown while iterating.
 */
export async function openTable(spec: TableSpec): Promise<Table> {
  const format = formatOf(spec);
  const skipLines = spec.skipLines ?? 0;
  const text = afterLines(decodedText(spec), skipLines);
  // Read ahead until the first non-blank line is complete: it decides the delimiter.
  const head: string[] = [];
  let seen = "";
  while (!/\S[^\n]*\n/.test(seen)) {
    const next = await text.next();
    if (next.done) break;
    head.push(next.value);
    seen += next.value;
  }
  const firstLine = seen.split("\n").find((line) => line.trim() !== "") ?? "";
  const chunks = async function* () {
    yield* head;
    yield* text;
  };
  const close = async () => {
    await text.return(undefined).catch(() => {});
  };
  if (format === "jsonl") {
    return { format, delimiter: "", header: [], records: jsonLines(chunks(), skipLines), close };
  }
  let delimiter = spec.delimiter ?? (format === "tsv" ? "\t" : guessDelimiter(firstLine));
  if (delimiter === "\\t" || delimiter.toLowerCase() === "tab") delimiter = "\t";
  if ([...delimiter].length !== 1 || delimiter === '"' || /[\r\n]/.test(delimiter)) {
    throw new UsageError(`--delimiter ${JSON.stringify(delimiter)} must be one character`);
  }
  const records = csvRecords(chunks(), delimiter, skipLines, spec.name);
  const first = await records.next();
  if (first.done) throw new UsageError(`${spec.name} has no header line`);
  const header = first.value.cells ?? [];
  return { format: "csv", delimiter, header, records, close };
}

// The text up to the last line end outside quotes, and the rest: csv-parse's
// synchronous API then parses whole records, a chunk at a time. Streaming
// through its web TransformStream instead holds up to 1024 records in queues,
// and the peak memory of a 200,000-row upload grew by some 30 MB with it.
class RecordSplitter {
  #pending = "";
  #quoted = false;

  /** Adds text; returns the complete records' text so far (possibly ""). */
  add(text: string): string {
    const scanFrom = this.#pending.length;
    this.#pending += text;
    const pending = this.#pending;
    let cut = -1;
    for (let index = scanFrom; index < pending.length; index++) {
      const code = pending.charCodeAt(index);
      if (code === 34) this.#quoted = !this.#quoted;
      else if (code === 10 && !this.#quoted) cut = index;
    }
    if (cut < 0) return "";
    this.#pending = pending.slice(cut + 1);
    return pending.slice(0, cut + 1);
  }

  /** What is left at the end of the input. */
  rest(): string {
    return this.#pending;
  }
}

async function* csvRecords(
  chunks: AsyncIterable<string>,
  delimiter: string,
  skipLines: number,
  name: string,
): AsyncGenerator<TableRecord> {
  // No skipping inside the parser: an empty line is a record here, so lines count right.
  const options = { delimiter, bom: true, relax_column_count: true };
  const splitter = new RecordSplitter();
  // The first record is the header (row 0); its width is every row's.
  let width = -1;
  let row = 0;
  let line = skipLines + 1;
  const parseText = (text: string): string[][] => {
    try {
      return parse(text, options) as string[][];
    } catch (error) {
      // The parser counts lines from the start of this piece of text.
      const message = (error as Error).message.replace(/^[A-Z_]+: /, "")
        .replace(/\bline (\d+)/g, (_, number) => `line ${Number(number) + line - 1}`);
      throw new UsageError(`${name} cannot be read as CSV: ${message}`);
    }
  };
  const pieces = async function* () {
    for await (const chunk of chunks) yield splitter.add(chunk);
    yield splitter.rest();
  };
  for await (const text of pieces()) {
    if (text === "") continue;
    for (const record of parseText(text)) {
      const start = line;
      line += 1;
      let blank = true;
      for (const cell of record) {
        for (let at = cell.indexOf("\n"); at >= 0; at = cell.indexOf("\n", at + 1)) line++;
        if (blank && cell.trim() !== "") blank = false;
      }
      if (blank) continue;
      if (width < 0) {
        width = record.length;
      } else {
        // A trailing delimiter (as some exports write) makes empty extra cells: harmless.
        while (record.length > width && record[record.length - 1].trim() === "") record.pop();
        if (record.length !== width) {
          const problem = `it has ${record.length} cells, the header has ${width}`;
          yield { row: row++, line: start, cells: record, problem };
          continue;
        }
      }
      yield { row: row++, line: start, cells: record };
    }
  }
}

async function* jsonLines(
  chunks: AsyncIterable<string>,
  skipLines: number,
): AsyncGenerator<TableRecord> {
  let rest = "";
  let line = skipLines;
  let row = 0;
  const toRecord = (text: string): TableRecord | undefined => {
    line++;
    const trimmed = text.replace(/\r$/, "");
    if (trimmed.trim() === "") return undefined;
    row++;
    try {
      const value = parseJsonExactly(trimmed);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        return { row, line, object: value as Record<string, unknown>, text: trimmed };
      }
      return { row, line, text: trimmed, problem: "the line is not a JSON object" };
    } catch (error) {
      const problem = error instanceof InexactNumberError
        ? error.message
        : `the line is not JSON: ${(error as Error).message}`;
      return { row, line, text: trimmed, problem };
    }
  };
  for await (const chunk of chunks) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const part of parts) {
      const record = toRecord(part.replace(/^\uFEFF/, ""));
      if (record) yield record;
    }
  }
  const last = toRecord(rest);
  if (last) yield last;
}
