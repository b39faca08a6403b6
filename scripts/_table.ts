/**
 * Reading the tables of the bulk scripts: CSV/TSV (through `csv-parse`) or
 * JSON Lines, from a file, streamed and never read whole. Handles a
 * preamble before the header, any text encoding TextDecoder knows, a BOM,
 * CRLF, quoted fields with delimiters and newlines, blank lines, and a
 * delimiter guessed from the header (`,` `;` tab `|`) when not given.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { parse } from "csv-parse/stream";
import { UsageError } from "./_cli.ts";

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

function decoderFor(spec: TableSpec): TextDecoderStream {
  const label = spec.encoding ?? "utf-8";
  try {
    return new TextDecoderStream(label, { fatal: true });
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
  } catch (error) {
    throw new UsageError(`cannot read ${spec.name}: ${(error as Error).message}`);
  }
  const decoder = decoderFor(spec);
  try {
    yield* file.readable.pipeThrough(decoder);
  } catch (error) {
    if (error instanceof TypeError && /encod|decod|invalid/i.test(error.message)) {
      throw new UsageError(
        `${spec.name} is not valid ${spec.encoding ?? "utf-8"} text: give its encoding, ` +
          `e.g. --encoding windows-1252 (or latin1)`,
      );
    }
    throw error;
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
  return { format: "csv", delimiter, header, records: dataRows(records, header.length), close };
}

async function* csvRecords(
  chunks: AsyncIterable<string>,
  delimiter: string,
  skipLines: number,
  name: string,
): AsyncGenerator<TableRecord> {
  const bytes = ReadableStream.from(chunks).pipeThrough(
    new TransformStream<string, Buffer>({
      transform: (chunk, controller) => controller.enqueue(Buffer.from(chunk, "utf8")),
    }),
  );
  const parsed = bytes.pipeThrough(parse({
    delimiter,
    info: true,
    bom: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    relax_column_count: true,
  }));
  let row = 0;
  try {
    for await (const { record, info } of parsed as AsyncIterable<CsvRecord>) {
      const newlines = record.reduce((sum, cell) => sum + cell.split("\n").length - 1, 0);
      yield { row: row++, line: info.lines - newlines + skipLines, cells: record };
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = (error as Error).message.replace(/^[A-Z_]+: /, "");
    throw new UsageError(`${name} cannot be read as CSV: ${message}`);
  }
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

async function* dataRows(
  records: AsyncGenerator<TableRecord>,
  width: number,
): AsyncGenerator<TableRecord> {
  for await (const record of records) {
    const cells = record.cells ?? [];
    // A trailing delimiter (as some exports write) makes empty extra cells: harmless.
    while (cells.length > width && cells[cells.length - 1].trim() === "") cells.pop();
    if (cells.length !== width) {
      yield { ...record, problem: `it has ${cells.length} cells, the header has ${width}` };
    } else {
      yield record;
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
      const value = JSON.parse(trimmed);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        return { row, line, object: value, text: trimmed };
      }
      return { row, line, text: trimmed, problem: "the line is not a JSON object" };
    } catch (error) {
      return {
        row,
        line,
        text: trimmed,
        problem: `the line is not JSON: ${(error as Error).message}`,
      };
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
