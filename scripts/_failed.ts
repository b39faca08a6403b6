/**
 * The failed rows of a bulk run, written as they fail to `<input>.failed.csv`
 * (or `.failed.jsonl`) with the input's own columns, so the user can fix
 * them and upload just that file. Each row also carries the ID chosen for
 * it (`m2m_action_id` / `m2m_component_uuid`): uploading the fixed file
 * reuses it, so a row that was stored after all is never stored twice.
 *
 * @module
 */

import type { Table, TableRecord } from "./_table.ts";

const encoder = new TextEncoder();

/** Quotes one CSV cell when it needs it (RFC 4180). */
export function csvCell(value: string, delimiter: string): string {
  const needsQuotes = value.includes(delimiter) || /["\r\n]/.test(value) ||
    value.trim() !== value;
  return needsQuotes ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes failed rows; the file is created at the first one. */
export class FailedRowsWriter {
  /** Where the rows go. */
  readonly path: string;
  /** Rows written. */
  count = 0;
  /** Where the file an earlier run left was moved (it may hold the user's edits). */
  previous?: string;
  #table: Table;
  #idColumn: string;
  #file?: Deno.FsFile;
  #idIndex: number;

  /** Prepares to write to `path`; nothing is touched until a row fails or the run ends. */
  constructor(path: string, table: Table, idColumn: string) {
    this.path = path;
    this.#table = table;
    this.#idColumn = idColumn;
    this.#idIndex = table.header.findIndex((name) => name.trim() === idColumn);
  }

  /**
   * Moves what an earlier run left at the path aside (to `.previous`) when
   * this run, having really run (it held the journal), had no failed row. A
   * run refused at the start must not touch the file of the run that holds
   * the journal.
   */
  clearIfUnused(ran: boolean): void {
    if (!ran || this.count > 0) return;
    this.#keepPrevious();
  }

  // The file an earlier run wrote may hold corrections not uploaded yet: keep it.
  #keepPrevious(): void {
    try {
      Deno.renameSync(this.path, `${this.path}.previous`);
      this.previous = `${this.path}.previous`;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  /** Appends one failed row, with the ID chosen for it (if any). */
  write(record: TableRecord, id: string | undefined): void {
    if (this.#file === undefined) {
      this.#keepPrevious();
      this.#file = Deno.openSync(this.path, { write: true, create: true, truncate: true });
      if (this.#table.format === "csv") {
        const header = this.#idIndex < 0
          ? [...this.#table.header, this.#idColumn]
          : this.#table.header;
        this.#line(header);
      }
    }
    this.count++;
    if (this.#table.format === "jsonl") {
      this.#write(`${withId(record, this.#idColumn, id)}\n`);
      return;
    }
    const cells = [...(record.cells ?? [])];
    if (this.#idIndex < 0) cells.push(id ?? "");
    else if (id !== undefined) cells[this.#idIndex] = id;
    this.#line(cells);
  }

  /** Closes the file. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  #line(cells: string[]): void {
    const delimiter = this.#table.delimiter;
    this.#write(`${cells.map((cell) => csvCell(cell, delimiter)).join(delimiter)}\r\n`);
  }

  #write(text: string): void {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += this.#file!.writeSync(bytes.subarray(written));
  }
}

// The line as the user wrote it (number formats, key order, escapes), with the
// ID added as the last key; re-serialising it would rewrite what was not ours.
function withId(record: TableRecord, idColumn: string, id: string | undefined): string {
  const text = record.text ?? "";
  if (id === undefined || record.object?.[idColumn] === id) return text;
  if (record.object === undefined) {
    // A line refused whole (a number a double would round, say) may still be an
    // object: it gets its ID too, so that its correction is uploaded under it.
    const isObject = /^\s*\{[\s\S]*\}\s*$/.test(text) && !text.includes(JSON.stringify(idColumn));
    return isObject
      ? text.replace(/\}\s*$/, `, ${JSON.stringify(idColumn)}: ${JSON.stringify(id)}}`)
      : text;
  }
  if (record.object[idColumn] !== undefined) {
    return JSON.stringify({ ...record.object, [idColumn]: id });
  }
  const field = `${JSON.stringify(idColumn)}: ${JSON.stringify(id)}`;
  return /^\s*\{\s*\}\s*$/.test(text) ? `{${field}}` : text.replace(/\}\s*$/, `, ${field}}`);
}
