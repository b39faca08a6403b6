/**
 * The life of one row in a bulk run, the part that makes it exactly-once:
 * look the key up in the journal; a row sent before with no outcome is
 * checked by its ID before anything is sent again; a new row gets its ID
 * chosen and journaled before its request; the outcome is journaled after.
 *
 * @module
 */

import { AbortError, ValidationError } from "../errors.ts";
import { mayHaveTakenEffect } from "../failure.ts";
import { fingerprint } from "./fingerprint.ts";
import type { BaseRecord } from "../records/record.ts";
import type { Journal } from "./journal.ts";
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
  /** Set when the input no longer matches the journal: no row is processed after it. */
  stopped?: Error;
  /** The last row number seen, to refuse repeats. */
  lastRow?: number;
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

function isInvalid(row: RowBase): row is InvalidRow {
  return typeof (row as Partial<InvalidRow>).invalid === "string";
}

function fileChangedError(row: number, id: string): ValidationError {
  return new ValidationError(
    `row ${row} is not the row the journal recorded under that number (as ${id}): the file ` +
      `changed since the journal was written, and rows are matched by number. To correct failed ` +
      `rows, fix them in the .failed.csv file and upload that file; if rows were inserted or ` +
      `deleted, use --key-column (a column that identifies each row) or a new --journal`,
  );
}

function storedDiffersError(key: string, id: string, kind: string): ValidationError {
  const record = kind === "actions" ? "action" : "component";
  return new ValidationError(
    `${id} (this row's ${record} ID, ${key}) is already stored with other content: the row was ` +
      `changed after an earlier upload of it, which may have timed out but was stored. Change ` +
      `the stored ${record} with edit_${record} instead, or clear the row's ID column to upload ` +
      `it as a new ${record}`,
  );
}

function changedError(key: string, id: string): ValidationError {
  return new ValidationError(
    `this row (${key}) was already uploaded as ${id}, but its content has changed since: ` +
      `edit the stored record instead, or remove its lines from the journal to upload it anew`,
  );
}

/** Takes one row through check, prepare, journal and send; never throws but for the journal. */
export async function processRow<R extends RowBase, P>(
  row: R,
  kind: RowKind<R, P>,
  state: RowState,
): Promise<RowOutcome<R, P>> {
  const key = row.key ?? `row:${row.row}`;
  const failed = (error: Error, id?: string, prepared?: P): RowOutcome<R, P> => ({
    row,
    key,
    status: "failed",
    id,
    prepared,
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
  // Row-number keys cannot repeat now; only keys taken from the data are remembered.
  if (row.key !== undefined) {
    const firstUse = state.keys.get(key);
    if (firstUse !== undefined) {
      return failed(new ValidationError(`key "${key}" is also the key of row ${firstUse}`));
    }
    state.keys.set(key, row.row);
  }
  const journal = state.dryRun ? undefined : state.journal;
  // Each key comes once per run, so what the journal knew can be let go of now.
  const entry = state.journal?.take(key);
  let id = entry?.id;
  if (id === undefined && row.id !== undefined) {
    try {
      id = kind.checkId(row.id);
    } catch (error) {
      return failed(error as Error);
    }
  }
  let fp: string;
  try {
    fp = isInvalid(row)
      ? fingerprint(["invalid", row.invalid])
      : kind.fingerprint(row as Exclude<R, InvalidRow>);
  } catch (error) {
    return failed(
      new ValidationError(`this row's data cannot be read: ${(error as Error).message}`),
    );
  }
  if (state.stopped) throw state.stopped;
  // Matched by number, a different row here may mean rows were inserted or
  // deleted: sending it under this entry's ID could store one row twice and
  // lose another. Only a corrected failed row whose ID is stored already (it
  // was uploaded from the .failed.csv file) is safe; anything else stops the run.
  let stored: BaseRecord | null | undefined;
  if (entry?.fp !== undefined && entry.fp !== fp && row.key === undefined) {
    const stop = () => {
      state.stopped = fileChangedError(row.row, entry.id);
      throw state.stopped;
    };
    if (entry.state === "done" || state.dryRun) stop();
    stored = await kind.find(entry.id, state.signal);
    if (stored === null) stop();
  }
  if (isInvalid(row)) {
    id ??= kind.newId();
    const error = new ValidationError(row.invalid);
    journal?.failed(key, id, error.message, fp);
    return failed(error, id);
  }
  const valid = row as Exclude<R, InvalidRow>;
  // A record is stored under the row's ID: done if it holds this row, refused if the row
  // was corrected since (uploading it would silently keep the old content).
  const settleStored = async (record: BaseRecord, id: string): Promise<RowOutcome<R, P>> => {
    let prepared: P;
    try {
      prepared = await kind.prepare(valid, state.signal);
    } catch (error) {
      if (state.signal?.aborted) return interrupted(row, key, id, error);
      journal?.failed(key, id, (error as Error).message, fp);
      return failed(error as Error, id);
    }
    if (kind.sameContent(prepared, record)) {
      journal?.done(key, id);
      return { row, key, status: "alreadyDone", id, prepared };
    }
    const error = storedDiffersError(key, id, kind.name);
    journal?.failed(key, id, error.message, fp);
    return failed(error, id, prepared);
  };
  if (stored) return await settleStored(stored, entry!.id);
  if (entry?.state === "done") {
    if (entry.fp !== undefined && entry.fp !== fp) return failed(changedError(key, entry.id), id);
    return { row, key, status: "alreadyDone", id };
  }
  // Sent before with no outcome (or an explicit ID that may be stored): look before sending.
  const mustCheck = entry !== undefined || row.id !== undefined;
  const chosenId = id ?? kind.newId();
  return await kind.inLane(kind.lane?.(valid), async () => {
    let prepared: P | undefined;
    try {
      const found = mustCheck ? await kind.find(chosenId, state.signal) : null;
      if (found !== null) {
        if (entry?.fp !== undefined && entry.fp !== fp) {
          journal?.done(key, chosenId);
          return failed(changedError(key, chosenId));
        }
        // The journal's fingerprint vouches for an entry; an ID the row carries
        // (a corrected line of a failed-rows file) is checked against the record.
        if (entry === undefined) return await settleStored(found, chosenId);
        journal?.done(key, chosenId);
        return { row, key, status: "alreadyDone", id: chosenId };
      }
      prepared = await kind.prepare(valid, state.signal);
    } catch (error) {
      if (state.signal?.aborted) return interrupted(row, key, chosenId, error);
      journal?.failed(key, chosenId, (error as Error).message, fp);
      return failed(error as Error, chosenId);
    }
    if (state.dryRun) return { row, key, status: "wouldUpload", id: chosenId, prepared };
    journal?.intent(key, chosenId, fp);
    try {
      await kind.send(prepared, chosenId, state.signal);
    } catch (error) {
      if (state.signal?.aborted) return interrupted(row, key, chosenId, error, prepared);
      return await afterFailedSend(error as Error);
    }
    journal?.done(key, chosenId);
    return { row, key, status: "uploaded", id: chosenId, prepared };

    async function afterFailedSend(error: Error): Promise<RowOutcome<R, P>> {
      let message = error.message;
      if (mayHaveTakenEffect(error)) {
        // The HTTP layer gave up on an unclear failure: one last look before calling it failed.
        try {
          if (await kind.find(chosenId, state.signal) !== null) {
            journal?.done(key, chosenId);
            return { row, key, status: "uploaded", id: chosenId, prepared };
          }
        } catch {
          message += ` (it may have been stored as ${chosenId}: re-running the same command ` +
            `checks by that ID before sending again)`;
        }
      }
      journal?.failed(key, chosenId, message, fp);
      error.message = message;
      return failed(error, chosenId);
    }
  });
}

function interrupted<R, P>(
  row: R,
  key: string,
  id: string,
  cause: unknown,
  prepared?: P,
): RowOutcome<R, P> {
  const error = new AbortError(
    `interrupted while in flight: re-running the same command checks it by ID ${id}`,
    { cause },
  );
  return { row, key, status: "interrupted", id, prepared, error };
}
