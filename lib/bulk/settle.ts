/**
 * How a row ends once {@linkcode processRow} has checked it: sent, found
 * stored already, failed, or (when the input no longer matches the journal)
 * the run stopped. Nothing here sends a row twice: a row with an ID that may
 * be stored is looked up first.
 *
 * @module
 */

import { AbortError, ValidationError } from "../errors.ts";
import { mayHaveTakenEffect } from "../failure.ts";
import type { BaseRecord } from "../records/record.ts";
import type { Journal, JournalEntry } from "./journal.ts";
import type { RowKind, RowOutcome, RowState } from "./row.ts";
import type { InvalidRow, RowBase } from "./types.ts";

function fileChangedError(row: number, id: string, why: string): ValidationError {
  return new ValidationError(
    `row ${row} is not the row the journal recorded under that number (as ${id}): ${why}. ` +
      `Rows are matched by number, so the run stopped before sending it. If rows were inserted ` +
      `or deleted, put the file back as it was (new rows go at the end, or in a file of their ` +
      `own). If the options that make rows from lines (--type-form-id, --map, --json-columns, ` +
      `the columns chosen) differ from the first run's, use the same ones again; if those were ` +
      `wrong, upload its failed-rows file (.failed.csv) with the right ones instead: it carries ` +
      `each row's ID, so nothing is stored twice. To correct a failed row, fix its line in the ` +
      `.failed.csv file and upload that file`,
  );
}

function storedDiffersError(key: string, id: string, kind: string): ValidationError {
  const record = kind === "actions" ? "action" : "component";
  return new ValidationError(
    `${id} (this row's ID, ${key}) is already stored with other content: the row was changed ` +
      `after an earlier upload of it (which may have timed out, or been corrected through the ` +
      `failed-rows file). Change the stored ${record} with edit_${record} instead`,
  );
}

function changedError(key: string, id: string): ValidationError {
  return new ValidationError(
    `this row (${key.startsWith("id:") ? "by its ID" : key}) was already uploaded as ${id}, ` +
      `but its content has changed since: ` +
      `change the stored record with edit_action or edit_component instead (uploading the row ` +
      `again would store a second record)`,
  );
}

export function isInvalid(row: RowBase): row is InvalidRow {
  return typeof (row as Partial<InvalidRow>).invalid === "string";
}

/** One row past the checks of {@linkcode processRow}, with what they found. */
export interface RowStep<R extends RowBase, P> {
  row: R;
  kind: RowKind<R, P>;
  state: RowState;
  key: string;
  /** What the journal knew about the row. */
  entry?: JournalEntry;
  /** The journal's ID for the row, or the one the row carries. */
  id?: string;
  fp: string;
}

function failedRow<R extends RowBase, P>(
  step: RowStep<R, P>,
  error: Error,
  id?: string,
  prepared?: P,
): RowOutcome<R, P> {
  return { row: step.row, key: step.key, status: "failed", id, prepared, error };
}

function journalOf(state: RowState): Journal | undefined {
  return state.dryRun ? undefined : state.journal;
}

// Matched by number, a different row here may mean rows were inserted or
// deleted: sending it under this entry's ID could store one row twice and
// lose another. Nothing is sent for it. Only a row whose content is exactly
// what is stored under the entry's ID (a correction uploaded through the
// failed-rows file) is done; anything else stops the run, a failed lookup too.
export async function settleChangedRow<R extends RowBase, P>(
  step: RowStep<R, P>,
  entry: JournalEntry,
): Promise<RowOutcome<R, P>> {
  const { row, kind, state, key } = step;
  const stop = (why: string): never => {
    state.stopped = fileChangedError(row.row, entry.id, why);
    throw state.stopped;
  };
  const check = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (state.signal?.aborted) throw error;
      return stop(`${what} failed (${(error as Error).message}), so it cannot be told apart`);
    }
  };
  try {
    const stored = await check("looking it up", () => kind.find(entry.id, state.signal));
    if (stored === null) return stop("its content changed, and nothing is stored under that ID");
    if (isInvalid(row)) return stop(`its content changed: ${row.invalid}`);
    const valid = row as Exclude<R, InvalidRow>;
    const prepared = await check("checking it", () => kind.prepare(valid, state.signal));
    if (!kind.sameContent(prepared, stored)) {
      return stop("its content differs from what is stored under that ID");
    }
    journalOf(state)?.done(key, entry.id, step.fp);
    return { row, key, status: "alreadyDone", id: entry.id, prepared };
  } catch (error) {
    if (error === state.stopped || !state.signal?.aborted) throw error;
    return interrupted(row, key, entry.id, error);
  }
}

// A record is stored under the row's ID that the journal does not vouch for:
// done if it holds this row, refused if not (sending would keep the old
// content). A refusal is journaled without the row's fingerprint, so that a
// later run does not take the record for this row either.
async function settleStored<R extends RowBase, P>(
  step: RowStep<R, P>,
  record: BaseRecord,
  id: string,
): Promise<RowOutcome<R, P>> {
  const { row, kind, state, key, fp } = step;
  const journal = journalOf(state);
  let prepared: P;
  try {
    prepared = await kind.prepare(row as Exclude<R, InvalidRow>, state.signal);
  } catch (error) {
    if (state.signal?.aborted) return interrupted(row, key, id, error);
    journal?.failed(key, id, (error as Error).message);
    return failedRow(step, error as Error, id);
  }
  if (kind.sameContent(prepared, record)) {
    journal?.done(key, id, fp);
    return { row, key, status: "alreadyDone", id, prepared };
  }
  const error = storedDiffersError(key, id, kind.name);
  journal?.failed(key, id, error.message);
  return failedRow(step, error, id, prepared);
}

export async function settleRow<R extends RowBase, P>(
  step: RowStep<R, P>,
): Promise<RowOutcome<R, P>> {
  const { row, kind, state, key, entry, fp } = step;
  const journal = journalOf(state);
  if (isInvalid(row)) {
    // Still invalid here, but corrected through the failed-rows file and
    // uploaded under the journal's ID: done (so recorded after one look).
    if (entry?.state === "done" && entry.fp === fp) {
      return { row, key, status: "alreadyDone", id: entry.id };
    }
    if (entry !== undefined && entry.state !== "done") {
      try {
        if (await kind.find(entry.id, state.signal) !== null) {
          journal?.done(key, entry.id, fp);
          return { row, key, status: "alreadyDone", id: entry.id };
        }
      } catch (error) {
        if (state.signal?.aborted) return interrupted(row, key, entry.id, error);
        // Could not look: report the row's own problem below; a re-run looks again.
      }
    }
    const id = step.id ?? kind.newId();
    const error = new ValidationError(row.invalid);
    journal?.failed(key, id, error.message, fp);
    return failedRow(step, error, id);
  }
  const valid = row as Exclude<R, InvalidRow>;
  if (entry?.state === "done") {
    if (entry.fp !== undefined && entry.fp !== fp) {
      return failedRow(step, changedError(key, entry.id), step.id);
    }
    return { row, key, status: "alreadyDone", id: step.id };
  }
  // Sent before with no outcome (or an explicit ID that may be stored): look before sending.
  const mustCheck = entry !== undefined || row.id !== undefined;
  const chosenId = step.id ?? kind.newId();
  return await kind.inLane(kind.lane?.(valid), async () => {
    let prepared: P | undefined;
    try {
      const found = mustCheck ? await kind.find(chosenId, state.signal) : null;
      if (found !== null) {
        // The journal vouches for what it sent (or what a corrected line of the
        // failed-rows file did) under this ID; anything else is compared.
        if (entry?.fp !== undefined && entry.fp === fp) {
          journal?.done(key, chosenId);
          return { row, key, status: "alreadyDone", id: chosenId };
        }
        return await settleStored(step, found, chosenId);
      }
      prepared = await kind.prepare(valid, state.signal);
    } catch (error) {
      if (state.signal?.aborted) return interrupted(row, key, chosenId, error);
      journal?.failed(key, chosenId, (error as Error).message, fp);
      return failedRow(step, error as Error, chosenId);
    }
    // A fresh ID would not be the one a real run chooses: only a known one is reported.
    if (state.dryRun) return { row, key, status: "wouldUpload", id: step.id, prepared };
    // Aborted meanwhile (perhaps while an earlier row's check was pending): no
    // new entry, which could bind a row to a number it may not keep.
    if (state.signal?.aborted) return interrupted(row, key, chosenId, state.signal.reason);
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
      return failedRow(step, error, chosenId);
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
