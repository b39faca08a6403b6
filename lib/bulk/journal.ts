/**
 * The append-only JSON Lines journal that makes a bulk run resumable and
 * exactly-once: a row's key and the ID chosen for it are on disk before its
 * request leaves, and its outcome after. One line per event:
 *
 * ```
 * {"t":"start","v":1,"kind":"actions","source":"/data/run7.csv","at":"…","pid":4242}
 * {"t":"intent","k":"row:12","id":"6751…","fp":"1f3a…"}
 * {"t":"done","k":"row:12","id":"6751…"}
 * {"t":"failed","k":"row:13","id":"6751…","error":"…"}
 * {"t":"at","k":"row:14","fp":"2c1e…","id":"6751…"}
 * ```
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import { type JournalEntry, JournalState } from "./journal_state.ts";
import { lines } from "./lines.ts";

export type { JournalEntry };

/** Options of {@linkcode Journal.open}. */
export interface JournalOpenOptions {
  /** What the journal holds: a journal of another kind is refused. */
  kind: "actions" | "components";
  /** Identity of the input; a journal started for another source is refused. */
  source?: string;
  /** Read what is there and write nothing (dry run). */
  readOnly?: boolean;
  /** fdatasync after each intent line. */
  sync?: boolean;
}

interface Line {
  t?: unknown;
  k?: unknown;
  id?: unknown;
  fp?: unknown;
  kind?: unknown;
  source?: unknown;
}

const encoder = new TextEncoder();
// Outcomes held back at most: what a crash can make the next run look up.
const MAX_PENDING_OUTCOMES = 64;

// A journal that cannot be opened is a usage problem: say which file and what to do.
function unusable(path: string, error: unknown): unknown {
  const reason = error instanceof Deno.errors.NotCapable
    ? "no permission: run with --allow-read and --allow-write for it"
    : error instanceof Deno.errors.NotFound
    ? "its directory does not exist"
    : error instanceof Deno.errors.PermissionDenied
    ? "the file system refuses access"
    : error instanceof Deno.errors.IsADirectory
    ? "it is a directory"
    : undefined;
  if (reason === undefined) return error;
  return new ValidationError(`cannot use the journal ${path}: ${reason} (or choose another path)`, {
    cause: error,
  });
}

/** An open journal: the state read from disk, plus an appender. */
export class Journal {
  /** The journal file's path. */
  readonly path: string;
  /** Lines that could not be read (a write cut short by a crash). */
  readonly unreadableLines: number;
  #entries: JournalState;
  #file?: Deno.FsFile;
  #sync: boolean;
  // Outcome lines not yet written: they go out with the next intent line.
  #outcomes = "";
  #outcomeCount = 0;

  private constructor(
    path: string,
    entries: JournalState,
    unreadable: number,
    file: Deno.FsFile | undefined,
    sync: boolean,
  ) {
    this.path = path;
    this.#entries = entries;
    this.unreadableLines = unreadable;
    this.#file = file;
    this.#sync = sync;
  }

  /**
   * Reads the journal at `path` (none yet is fine) and, unless read-only,
   * locks it and opens it for appending. Throws a {@linkcode ValidationError}
   * when it belongs to another kind or source, or another run holds it.
   */
  static async open(path: string, options: JournalOpenOptions): Promise<Journal> {
    try {
      return await Journal.#open(path, options);
    } catch (error) {
      throw unusable(path, error);
    }
  }

  static async #open(path: string, options: JournalOpenOptions): Promise<Journal> {
    let file: Deno.FsFile | undefined;
    if (options.readOnly) {
      try {
        file = await Deno.open(path, { read: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        return new Journal(path, new JournalState(), 0, undefined, false);
      }
    } else {
      file = await Deno.open(path, { read: true, append: true, create: true });
      // flock: released by the kernel even after kill -9, so a crash never leaves it stuck.
      if (!await file.tryLock(true)) {
        file.close();
        throw new ValidationError(
          `journal ${path} is in use by another run: wait for it to finish (two runs on one ` +
            `journal could upload a row twice)`,
        );
      }
    }
    try {
      const { entries, unreadable, endsWithNewline } = await Journal.#read(file, path, options);
      if (options.readOnly) {
        file.close();
        return new Journal(path, entries, unreadable, undefined, false);
      }
      const journal = new Journal(path, entries, unreadable, file, options.sync ?? false);
      // A line cut short by a crash must not swallow the next one.
      if (!endsWithNewline) journal.#write("\n");
      journal.#append({
        t: "start",
        v: 1,
        kind: options.kind,
        source: options.source ?? null,
        at: new Date().toISOString(),
        pid: Deno.pid,
      });
      return journal;
    } catch (error) {
      file.close();
      throw error;
    }
  }

  static async #read(file: Deno.FsFile, path: string, options: JournalOpenOptions) {
    const entries = new JournalState();
    let unreadable = 0;
    let checkedStart = false;
    // A handle of its own, so reading never moves the appender's position.
    const reader = await Deno.open(path, { read: true });
    try {
      for await (const text of lines(reader)) {
        if (text === "") continue;
        let line: Line;
        try {
          line = JSON.parse(text);
        } catch {
          unreadable++;
          continue;
        }
        const key = typeof line.k === "string" ? line.k : undefined;
        const id = typeof line.id === "string" ? line.id : line.t === "at" ? "" : undefined;
        if (line.t === "start" && !checkedStart) {
          checkedStart = true;
          if (line.kind !== options.kind) {
            throw new ValidationError(
              `journal ${path} records ${
                String(line.kind)
              }, not ${options.kind}: use another --journal`,
            );
          }
          if (typeof line.source === "string" && options.source && line.source !== options.source) {
            throw new ValidationError(
              `journal ${path} was written for ${line.source}, not ${options.source}: its row ` +
                `numbers would name other rows. Use another --journal (or --key-column)`,
            );
          }
        } else if (key !== undefined && id !== undefined) {
          const previous = entries.get(key);
          if (line.t === "intent") {
            const fp = typeof line.fp === "string" ? line.fp : undefined;
            entries.set(key, { id, fp, state: "pending" });
          } else if (line.t === "done") {
            const fp = typeof line.fp === "string" ? line.fp : previous?.fp;
            entries.set(key, { id, fp, state: "done" });
          } else if (line.t === "at") {
            // A mark never hides what was sent under this row number.
            const fp = typeof line.fp === "string" ? line.fp : undefined;
            if (previous === undefined || previous.state === "seen") {
              entries.set(key, { id, fp, state: "seen" });
            }
          } else if (line.t === "failed") {
            const fp = typeof line.fp === "string" ? line.fp : previous?.fp;
            entries.set(key, { id, fp, state: "failed" });
          }
        }
      }
    } finally {
      reader.close();
    }
    let endsWithNewline = true;
    if (!options.readOnly && file.statSync().size > 0) {
      const last = new Uint8Array(1);
      await file.seek(-1, Deno.SeekMode.End);
      await file.read(last);
      endsWithNewline = last[0] === 0x0a;
    }
    return { entries, unreadable, endsWithNewline };
  }

  /** Rows the journal knows, by key. */
  get size(): number {
    return this.#entries.size;
  }

  /** What the journal knew about `key` when it was opened. */
  get(key: string): JournalEntry | undefined {
    return this.#entries.get(key);
  }

  /** Like {@linkcode Journal.get}, then forgets it: a run asks about each key once. */
  take(key: string): JournalEntry | undefined {
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    return entry;
  }

  // The writers only append: what this run writes is read by the next run, and
  // keeping it in memory too would grow with the input.

  /**
   * Records that `key` is about to be sent as `id`; on disk (with the
   * outcomes recorded before it) when this returns.
   */
  intent(key: string, id: string, fp: string): void {
    this.#write(this.#takeOutcomes() + JSON.stringify({ t: "intent", k: key, id, fp }) + "\n");
    if (this.#sync) this.#file?.syncDataSync();
  }

  // "done" lines (and marks) are written with the next intent (or at close),
  // one write instead of two per row. A crash can lose the last few: their
  // rows then read as pending, and the next run looks them up instead of
  // sending them again.

  /** Records that `key` is stored as `id` (holding the row whose fingerprint is `fp`, if given). */
  done(key: string, id: string, fp?: string): void {
    this.#outcome({ t: "done", k: key, id, ...(fp ? { fp } : {}) });
  }

  /** Records that `key` failed (it may still be sent again, under the same `id`). */
  failed(key: string, id: string, error: string, fp?: string): void {
    // At once, with what is pending before it: the failed-rows file gets this
    // ID now, and a crash must not leave the file an ID the journal lost.
    const line = JSON.stringify({ t: "failed", k: key, id, ...(fp ? { fp } : {}), error });
    this.#write(this.#takeOutcomes() + line + "\n");
    if (this.#sync) this.#file?.syncDataSync();
  }

  /**
   * Records which row stood at row number `key` when that row is journaled
   * under another key (the ID it carries, as `id`) or not at all (refused
   * early): a row later found at that number with other content is a shift.
   */
  mark(key: string, fp: string, id?: string): void {
    this.#outcome({ t: "at", k: key, fp, ...(id ? { id } : {}) });
  }

  /** Writes what is pending, unlocks and closes the file; later writes are ignored. */
  close(): void {
    if (this.#outcomeCount > 0) this.#write(this.#takeOutcomes());
    const file = this.#file;
    this.#file = undefined;
    file?.close();
  }

  #outcome(value: Record<string, unknown>): void {
    this.#outcomes += JSON.stringify(value) + "\n";
    if (++this.#outcomeCount >= MAX_PENDING_OUTCOMES) this.#write(this.#takeOutcomes());
  }

  #takeOutcomes(): string {
    const text = this.#outcomes;
    this.#outcomes = "";
    this.#outcomeCount = 0;
    return text;
  }

  #append(value: Record<string, unknown>): void {
    this.#write(JSON.stringify(value) + "\n");
  }

  // Synchronous on purpose: when `intent` returns, the line is in the kernel,
  // which keeps it through a kill -9 of this process. One small write is cheaper
  // than an async op round trip.
  #write(text: string): void {
    const file = this.#file;
    if (file === undefined) return;
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
  }
}
