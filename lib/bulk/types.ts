/**
 * The shapes of a bulk run: the rows going in, the per-row results coming
 * out, the progress counters and the final summary.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import type { JsonObject } from "../data.ts";

/** Rows as a bulk function takes them: any iterable, sync or async. */
export type RowSource<R> = Iterable<R> | AsyncIterable<R>;

/** What every row carries, whatever it creates. */
export interface RowBase {
  /** 1-based position in the input, used in messages and the default journal key. */
  row: number;
  /** The journal key; default `row:<row>`. Give one from a key column to match rows by value. */
  key?: string;
  /**
   * The ID to create the record under when the journal has none yet (an
   * action ID, or a component UUID), e.g. carried over in a `.failed.csv`.
   */
  id?: string;
}

/** A row the reader could not turn into a request; it is reported as failed and never sent. */
export interface InvalidRow extends RowBase {
  /** Why, naming the row and column, e.g. `column "temp": "abc" is not a number`. */
  invalid: string;
}

/** One action to perform. */
export interface ActionRow extends RowBase {
  /** The action type form ID, e.g. `"my_action"`. */
  typeFormId: string;
  /** The component's full UUID, or the short UUID from its label (resolved once and cached). */
  component: string;
  /** The action's `data`. */
  data: JsonObject;
}

/** One component to create. */
export interface ComponentRow extends RowBase {
  /** The component type form ID, e.g. `"basic_component"`. */
  typeFormId: string;
  /** The component's `data`. */
  data: JsonObject;
}

/**
 * What happened to a row:
 * - `uploaded`: stored by this run;
 * - `alreadyDone`: stored by an earlier run (per the journal, or found by its ID);
 * - `wouldUpload`: a dry run found it valid;
 * - `failed`: not stored; `error` says why;
 * - `interrupted`: aborted while in flight; a re-run checks it by ID.
 */
export type RowStatus = "uploaded" | "alreadyDone" | "wouldUpload" | "failed" | "interrupted";

/** The outcome of one row, in completion order (not input order). */
export interface RowResult<R> {
  /** The row as it was given (so a caller can find its own extra fields). */
  input: R;
  /** Same as `input.row`. */
  row: number;
  /** The journal key. */
  key: string;
  /** What happened to the row. */
  status: RowStatus;
  /** True for `uploaded`, `alreadyDone` and `wouldUpload`. */
  ok: boolean;
  /** The action ID or component UUID chosen for the row (absent only before one was chosen). */
  id?: string;
  /** Why the row failed or was interrupted. */
  error?: Error;
}

/** A result of {@linkcode uploadActions}. */
export interface ActionResult<R = ActionRow | InvalidRow> extends RowResult<R> {
  /** The action's ID (same as `id`). */
  actionId?: string;
  /** The component's full UUID, once resolved. */
  componentUuid?: string;
}

/** A result of {@linkcode createComponents}. */
export interface ComponentResult<R = ComponentRow | InvalidRow> extends RowResult<R> {
  /** The new component's UUID (same as `id`). */
  componentUuid?: string;
}

/** Counters, updated as rows finish. */
export interface BulkCounts {
  /** Rows finished, whatever their status. */
  done: number;
  /** Stored by this run. */
  uploaded: number;
  /** Stored by an earlier run. */
  alreadyDone: number;
  /** Valid in a dry run. */
  wouldUpload: number;
  /** Not stored (see the failures). */
  failed: number;
  /** Aborted in flight; a re-run checks them by ID. */
  interrupted: number;
}

/** What the progress callback receives after each row. */
export interface BulkProgress extends BulkCounts {
  /** Requests being sent right now (at most `concurrency`). */
  inFlight: number;
  /** Since the run started. */
  elapsedMs: number;
}

/** One failed row in the summary. */
export interface RowFailure {
  /** The row's position in the input. */
  row: number;
  /** Its journal key. */
  key: string;
  /** The error message. */
  reason: string;
}

/** The end of a run. */
export interface BulkSummary extends BulkCounts {
  /** Failed rows, the first {@linkcode MAX_SUMMARY_FAILURES}; `failed` has the full count. */
  failures: RowFailure[];
  /** The run stopped early: a stop or abort signal, or `break` out of the loop. */
  stopped: boolean;
  /** What ended the run early by itself (the input or the journal failed), if anything. */
  error?: Error;
  /** Requests sent by the connection during the run, retries included. */
  requests: number;
  /** Wall time of the run. */
  elapsedMs: number;
}

/** How many failures a summary lists. */
export const MAX_SUMMARY_FAILURES = 1000;

/** Options of {@linkcode uploadActions} and {@linkcode createComponents}. */
export interface BulkOptions {
  /** An open connection (from `ConnectToAPI`). */
  connection: Connection;
  /** Passed to every request, like the record functions' `headers`. */
  headers?: RequestHeaders;
  /** Most requests in flight at once; default 4. Creates of one component type are always one at a time. */
  concurrency?: number;
  /**
   * Path of the append-only JSON Lines journal that makes a run resumable:
   * each row's key and ID are written before its request, the outcome after.
   * Without it nothing is remembered across runs. Keep a journal to one way
   * of keying rows (by `row` number, or by `key`): rows keyed the other way
   * find no entries and would be sent again. Pass `source` to have a journal
   * of another input refused.
   */
  journal?: string;
  /**
   * What the input is (e.g. its absolute path), recorded in the journal; a
   * journal written for another source is refused, since row numbers would
   * then name other rows. Leave unset when rows have their own keys.
   */
  source?: string;
  /** Flush the journal to disk (fdatasync) before each request: survives power loss, slower. */
  syncJournal?: boolean;
  /** Validate and resolve every row, send no write, write no journal. */
  dryRun?: boolean;
  /** Stops taking rows; requests already sent finish and are journaled. */
  stopSignal?: AbortSignal;
  /** Stops at once: requests in flight are aborted (a re-run checks them by ID). */
  signal?: AbortSignal;
  /** Called after each row. Keep it cheap; throttle printing yourself. */
  onProgress?: (progress: BulkProgress) => void;
}
