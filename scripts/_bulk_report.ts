/**
 * What the bulk scripts print at the end: a summary a person can act on
 * (counts, the first failures with row and line, where the failed rows and
 * the journal are, what to run next), or with `--json` one JSON document on
 * stdout, streamed so that even 200,000 results take no memory.
 *
 * @module
 */

import type { BulkSummary, RowResult } from "../mod.ts";
import type { ScriptIO } from "./_cli.ts";
import type { MappedRow } from "./_mapping.ts";

/** How many failures and first rows the text summary lists. */
export const SHOWN_FAILURES = 20;
const SHOWN_ROWS = 5;

/** A result as the script sees it. */
export type ScriptResult = RowResult<MappedRow> & { componentUuid?: string };

/** Where a row is, for a person: `row 12 (line 14)`. */
export function where(result: { input: MappedRow }): string {
  return `row ${result.input.row} (line ${result.input.record.line})`;
}

/** Collects what the summary shows while results stream past. */
export class Report {
  /** The first failures, as printed. */
  readonly failures: string[] = [];
  /** The first components created, with their UUIDs. */
  readonly created: string[] = [];
  /** How many components were created. */
  createdCount = 0;
  /** The first rows (by row number) a dry run would send. */
  get firstRows(): string[] {
    return this.#firstRows.map(({ text }) => text);
  }
  #firstRows: { row: number; text: string }[] = [];
  #io: ScriptIO;
  #json: boolean;
  #results = 0;

  /** With `json`, results are written to stdout as they come. */
  constructor(io: ScriptIO, json: boolean) {
    this.#io = io;
    this.#json = json;
    if (json) io.out('{"results":[');
  }

  /** Takes one result. */
  add(result: ScriptResult): void {
    if (result.status === "failed" && this.failures.length < SHOWN_FAILURES) {
      this.failures.push(`${where(result)}: ${result.error?.message ?? "failed"}`);
    }
    if (result.status === "wouldUpload") this.#noteFirstRow(result);
    if (result.status === "uploaded" && !("actionId" in result) && result.componentUuid) {
      if (this.createdCount++ < SHOWN_FAILURES) {
        this.created.push(`${where(result)}: ${result.componentUuid}`);
      }
    }
    if (this.#json) {
      const line = JSON.stringify({
        row: result.row,
        line: result.input.record.line,
        key: result.key,
        status: result.status,
        id: result.id,
        componentUuid: result.componentUuid,
        error: result.error?.message,
      });
      this.#io.out(`${this.#results++ ? "," : ""}${line}`);
    }
  }

  // Results come as rows finish: keep the lowest row numbers, in order.
  #noteFirstRow(result: ScriptResult): void {
    const last = this.#firstRows.at(-1);
    if (this.#firstRows.length === SHOWN_ROWS && last && last.row < result.row) return;
    const row = result.input;
    // An action names the component it is on; a new component, its UUID if known already.
    const uuid = result.componentUuid;
    const component = uuid ? ("actionId" in result ? ` on component ${uuid}` : ` as ${uuid}`) : "";
    const text = `${where(result)}: ${row.typeFormId}${component} ${JSON.stringify(row.data)}`;
    this.#firstRows.push({ row: result.row, text });
    this.#firstRows.sort((a, b) => a.row - b.row);
    this.#firstRows.length = Math.min(this.#firstRows.length, SHOWN_ROWS);
  }

  /** Ends the JSON document with the summary. */
  finishJson(summary: BulkSummary, extra: Record<string, unknown>): void {
    const { failures: _listed, error, ...counts } = summary;
    this.#io.out(
      `],"summary":${JSON.stringify({ ...counts, error: error?.message, ...extra })}}`,
    );
  }
}

/** Quotes one argument for a shell command line, when it needs it. */
export function shellQuote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", `'\\''`)}'`;
}

/** The text summary lines. */
export function summaryLines(
  name: string,
  submit: boolean,
  total: number,
  summary: BulkSummary,
  report: Report,
  files: {
    failed?: string;
    failedCount: number;
    journal?: string;
    rerun: string;
    /** Rows are keyed by a column, so an input fixed in place can be re-run. */
    keyed?: boolean;
    /** Where the failed-rows file of an earlier run was moved. */
    previousFailed?: string;
  },
): string[] {
  const seconds = (summary.elapsedMs / 1000).toFixed(1);
  const lines: string[] = [];
  if (submit) {
    lines.push(
      `${name}: ${summary.done} of ${total} rows in ${seconds} s: ${summary.uploaded} uploaded, ` +
        `${summary.alreadyDone} already done, ${summary.failed} failed` +
        (summary.interrupted ? `, ${summary.interrupted} interrupted in flight` : ""),
    );
  } else {
    lines.push(
      `${name}: dry run, nothing was sent: ${summary.done} rows: ${summary.wouldUpload} ` +
        `would be uploaded, ${summary.alreadyDone} already done, ${summary.failed} invalid`,
    );
    if (report.firstRows.length) {
      lines.push(
        "first rows:",
        ...report.firstRows.map((l) => `  ${l}`),
      );
    }
  }
  if (report.created.length) {
    lines.push("created:", ...report.created.map((l) => `  ${l}`));
    if (report.createdCount > report.created.length) {
      lines.push(
        `  ... and ${report.createdCount - report.created.length} more (every UUID is in the ` +
          `journal, and in the --json output)`,
      );
    }
  }
  if (report.failures.length) {
    lines.push(submit ? "failed rows:" : "invalid rows:", ...report.failures.map((l) => `  ${l}`));
    if (summary.failed > report.failures.length) {
      lines.push(`  ... and ${summary.failed - report.failures.length} more`);
    }
  }
  if (summary.stopped) {
    lines.push(
      `stopped before the end: ${total - summary.done} rows not started. Re-run the same ` +
        `command to finish: ${files.rerun}${submit ? " --submit" : ""}`,
    );
  }
  if (submit && files.failed && files.failedCount) {
    const rows = files.failedCount === 1 ? "failed row is" : `${files.failedCount} failed rows are`;
    lines.push(
      `the ${rows} in ${files.failed}: fix them there and upload that file with the same ` +
        `options, leaving out --encoding, --header-row, --skip-lines (it is UTF-8 and has no ` +
        `preamble), --expect-rows and --journal` +
        (files.keyed
          ? ", or fix the input and re-run the same command"
          : `; once they are uploaded, re-running the original command counts them as done`),
    );
    if (report.failures.some((line) => line.includes("already stored with other content"))) {
      lines.push(
        "a row refused as already stored with other content is not fixed by uploading it: " +
          "change the stored record with edit_action or edit_component",
      );
    }
  }
  if (files.previousFailed) {
    lines.push(
      `the failed-rows file of the previous run (with any corrections made in it) is now ` +
        files.previousFailed,
    );
  }
  if (submit && files.journal) {
    lines.push(`journal: ${files.journal} (re-running the same command skips rows already done)`);
  }
  if (!submit) lines.push(`to upload, add --submit: ${files.rerun} --submit`);
  return lines;
}
