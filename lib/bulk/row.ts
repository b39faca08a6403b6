/**
 * The life of one row in a bulk run, the part that makes it exactly-once:
 * look the key up in the journal; a row sent before with no outcome is
 * checked by its ID before anything is sent again; a new row gets its ID
 * chosen and journaled before its request; the outcome is journaled after.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import type { BaseRecord } from "../records/record.ts";
import { fingerprint } from "./fingerprint.ts";
import type { Journal } from "./journal.ts";
import { isInvalid, type RowStep, settleChangedRow, settleRow } from "./settle.ts";
import type { InvalidRow, RowBase, RowStatus } from "./types.ts";

/** What a kind of record (actions, components) tells the engine. */
export interface RowKind<R extends RowBase, P> {
  /** The journal's kind. */
  name: "actions" | "components";
  /** A fresh ID to create a row's record under. */
  newId(): string;
  /** Checks an ID given with a row; throws a {@linkcode ValidationError}. */
  checkId(id: string): string;
  /** What the row would send, for noticing a row edited since it was sent. */
  fingerprint(row: Exclude<R, InvalidRow>): string;
  /** Rows with the same lane are processed one at a time (undefined: no lane). */
  lane?(row: Exclude<R, InvalidRow>): string | undefined;
  /** Validates the row and resolves what needs the server (short UUIDs); sends no write. */
  prepare(row: Exclude<R, InvalidRow>, signal?: AbortSignal): Promise<P>;
  /** Creates the record under `id`. */
  send(prepared: P, id: string, signal?: AbortSignal): Promise<void>;
  /** The record stored under `id`, or null. */
  find(id: string, signal?: AbortSignal): Promise<BaseRecord | null>;
  /** Whether `stored` holds what `prepared` would send (fields the server fills aside). */
  sameContent(prepared: P, stored: BaseRecord): boolean;
  /** Runs `work` in the row's lane. */
  inLane<T>(lane: string | undefined, work: () => Promise<T>): Promise<T>;
}

/** What the engine shares with every row of a run. */
export interface RowState {
  journal?: Journal;
  dryRun: boolean;
  signal?: AbortSignal;
  /** Explicit keys seen in this run, with the row that used them. */
  keys: Map<string, number>;
  /** IDs carried by rows in this run, with the row that carried them. */
  ids: Map<string, number>;
  /** Set when the input no longer matches the journal: no row is processed after it. */
  stopped?: Error;
  /** The last row number seen, to refuse repeats. */
  lastRow?: number;
  /** Set while a row that differs from its journal entry is checked: later rows wait for it. */
  verdict?: Promise<void>;
}

/** The outcome of one row, before the kind shapes it into a result. */
export interface RowOutcome<R, P> {
  row: R;
  key: string;
  status: RowStatus;
  id?: string;
  prepared?: P;
  error?: Error;
}

/** Whether a row's outcome counts as done (or, in a dry run, as ready to send). */
export function succeeded(status: RowStatus): boolean {
  return status === "uploaded" || status === "alreadyDone" || status === "wouldUpload";
}

function shiftedError(row: number): ValidationError {
  return new ValidationError(
    `row ${row} is not the row the journal recorded under that number: rows were inserted or ` +
      `deleted. Rows are matched by number, so the run stopped before sending it: put the file ` +
      `back as it was (new rows go at the end, or in a file of their own)`,
  );
}

/** Takes one row through check, prepare, journal and send; never throws but for the journal. */
export async function processRow<R extends RowBase, P>(
  row: R,
  kind: RowKind<R, P>,
  state: RowState,
): Promise<RowOutcome<R, P>> {
  const failed = (error: Error, id?: string): RowOutcome<R, P> => ({
    row,
    key: row.key ?? `row:${row.row}`,
    status: "failed",
    id,
    error,
  });
  // Row numbers identify rows in the journal: they must be whole, positive and
  // increasing (a repeat would let two rows share one journal entry).
  if (!Number.isSafeInteger(row.row) || row.row < 1 || row.row <= (state.lastRow ?? 0)) {
    return failed(
      new ValidationError(
        `row number ${JSON.stringify(row.row)} is not a whole number above the previous row's ` +
          `(${state.lastRow ?? 0}): number rows 1, 2, 3, ... in order`,
      ),
    );
  }
  state.lastRow = row.row;
  const position = `row:${row.row}`;
  // Matched by number (no key column), each row number's content is journaled:
  // under the row's own entry, or as a mark when the row is known by the ID it
  // carries or is refused before being journaled.
  const positional = row.key === undefined;
  const journal = state.dryRun ? undefined : state.journal;
  let fp: string;
  let unreadable: Error | undefined;
  try {
    fp = isInvalid(row)
      ? fingerprint(["invalid", row.invalid])
      : kind.fingerprint(row as Exclude<R, InvalidRow>);
  } catch (error) {
    unreadable = new ValidationError(`this row's data cannot be read: ${(error as Error).message}`);
    fp = fingerprint(["unreadable", unreadable.message]);
  }
  let carried: string | undefined;
  let refusal = unreadable;
  if (refusal === undefined && row.id !== undefined) {
    try {
      carried = kind.checkId(row.id);
    } catch (error) {
      refusal = error as Error;
    }
  }
  // A row is known to the journal by its key column, else by the ID it carries
  // (wherever the line sits in the file), else by its number.
  const key = row.key ?? (carried !== undefined ? `id:${carried}` : position);
  if (refusal === undefined && row.key !== undefined) {
    const firstUse = state.keys.get(key);
    if (firstUse !== undefined) {
      refusal = new ValidationError(`key "${key}" is also the key of row ${firstUse}`);
    } else state.keys.set(key, row.row);
  }
  // Each key comes once per run, so what the journal knew can be let go of now.
  const entry = refusal === undefined ? state.journal?.take(key) : undefined;
  // A mark: a row known by a carried ID, or refused early, stood at this number.
  const known = entry?.state === "seen" ? undefined : entry;
  const id = known?.id ?? carried;
  // Two rows under one ID would store one as a new version of the other. (A
  // done entry sends nothing again, so only the others need remembering: a
  // resumed run's memory does not grow with the rows already done.)
  if (
    refusal === undefined && id !== undefined && (carried !== undefined || known?.state !== "done")
  ) {
    const firstUse = state.ids.get(id);
    if (firstUse !== undefined) {
      refusal = new ValidationError(
        `ID ${id} is also the ID of row ${firstUse}: each row needs its own (clear the ID cell ` +
          `of a copied row to upload it as a new record)`,
      );
    } else state.ids.set(id, row.row);
  }
  if (positional && (refusal !== undefined || key !== position)) {
    journal?.mark(position, fp, refusal === undefined ? carried : undefined);
  }
  if (refusal !== undefined) return failed(refusal);
  // A row that differs from its journal entry holds back the rows after it
  // until its check decides whether the run goes on: they may be part of the
  // same shift of rows (an inserted or deleted row).
  while (state.verdict) await state.verdict;
  if (state.stopped) throw state.stopped;
  // Known by its number, with another row's mark there: rows were inserted or
  // deleted. (A row known by the ID it carries may sit anywhere.)
  if (entry?.state === "seen" && entry.fp !== fp) {
    state.stopped = shiftedError(row.row);
    throw state.stopped;
  }
  const changed = known?.fp !== undefined && known.fp !== fp && key === position;
  const step: RowStep<R, P> = { row, kind, state, key, entry: known, id: known?.id ?? carried, fp };
  if (!changed) return await settleRow(step);
  let settle!: () => void;
  state.verdict = new Promise<void>((resolve) => settle = resolve);
  try {
    return await settleChangedRow(step, known!);
  } catch (error) {
    // Whatever went wrong, the rows waiting behind this one must not go on.
    state.stopped ??= error as Error;
    throw error;
  } finally {
    state.verdict = undefined;
    settle();
  }
}
