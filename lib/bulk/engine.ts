/**
 * The machinery shared by {@linkcode uploadActions} and
 * {@linkcode createComponents}: a fixed pool of workers pulling rows one at
 * a time (so at most `concurrency` requests are in flight and at most that
 * many rows are held), a bounded result queue, the journal, stop and abort,
 * progress and the summary. What a row means is left to a {@linkcode RowKind}.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import { Channel } from "./channel.ts";
import { Journal } from "./journal.ts";
import { processRow, type RowKind, type RowOutcome, type RowState } from "./row.ts";
import {
  type BulkCounts,
  type BulkOptions,
  type BulkSummary,
  MAX_SUMMARY_FAILURES,
  type RowBase,
  type RowFailure,
  type RowSource,
} from "./types.ts";

const MAX_CONCURRENCY = 256;
const EMPTY_SUMMARY: BulkSummary = {
  done: 0,
  uploaded: 0,
  alreadyDone: 0,
  wouldUpload: 0,
  failed: 0,
  interrupted: 0,
  failures: [],
  stopped: false,
  requests: 0,
  elapsedMs: 0,
};

/**
 * A bulk run: iterate it for per-row results (in completion order), then
 * read {@linkcode BulkRun.summary}. Nothing is sent until iteration starts.
 *
 * @example
 * ```ts ignore
 * const run = uploadActions(rows, { connection, journal: "run.journal.jsonl" });
 * for await (const result of run) {
 *   if (result.status === "failed") console.error(`row ${result.row}: ${result.error?.message}`);
 * }
 * const { uploaded, alreadyDone, failed } = await run.summary();
 * ```
 */
export class BulkRun<T> implements AsyncIterable<T> {
  #start: () => void;
  #channel: Channel<T>;
  #summary: Promise<BulkSummary>;
  #stop: () => void;
  #iterated = false;

  /** Made by the bulk functions. */
  constructor(
    channel: Channel<T>,
    start: () => void,
    summary: Promise<BulkSummary>,
    stop: () => void,
  ) {
    this.#channel = channel;
    this.#start = start;
    this.#summary = summary;
    this.#stop = stop;
  }

  /** The results, one per row, as rows finish. `break` stops the run gracefully. */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    if (this.#iterated) throw new ValidationError("a bulk run can be iterated only once");
    this.#iterated = true;
    this.#start();
    return {
      next: () => this.#channel.take(),
      return: async () => {
        this.#stop();
        this.#channel.discard();
        await this.#summary;
        return { done: true, value: undefined };
      },
    };
  }

  /**
   * The summary, once every row is finished (or the run stopped). Starts the
   * run if needed, and lets go of the results nobody has read yet (so call it
   * after the loop). Never rejects: a failure of the input or the journal is
   * in `summary.error`.
   */
  summary(): Promise<BulkSummary> {
    this.#iterated = true;
    this.#channel.discard();
    this.#start();
    return this.#summary;
  }

  /** Stops taking rows; rows in flight finish. Same as the `stopSignal` option. */
  stop(): void {
    this.#stop();
  }
}

function checkConcurrency(value: number | undefined): number {
  const concurrency = value ?? 4;
  if (Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_CONCURRENCY) {
    return concurrency;
  }
  throw new ValidationError(
    `concurrency ${value} is not a whole number from 1 to ${MAX_CONCURRENCY}`,
  );
}

function iterate<R>(rows: RowSource<R>): AsyncIterator<R> | Iterator<R> {
  if (Symbol.asyncIterator in rows) return rows[Symbol.asyncIterator]();
  return rows[Symbol.iterator]();
}

/** Starts a run of `kind` over `rows` (lazily: on first iteration or `summary()`). */
export function startRun<R extends RowBase, P, T>(
  rows: RowSource<R>,
  kind: RowKind<R, P>,
  options: BulkOptions,
  toResult: (outcome: RowOutcome<R, P>) => T,
): BulkRun<T> {
  const concurrency = checkConcurrency(options.concurrency);
  const channel = new Channel<T>(concurrency * 2);
  const stopper = new AbortController();
  const stop = () => stopper.abort();
  let resolveSummary!: (summary: BulkSummary) => void;
  const summary = new Promise<BulkSummary>((resolve) => resolveSummary = resolve);
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    options.stopSignal?.addEventListener("abort", stop, { once: true });
    options.signal?.addEventListener("abort", stop, { once: true });
    if (options.stopSignal?.aborted || options.signal?.aborted) stop();
    execute(rows, kind, options, concurrency, stopper.signal, channel, toResult).catch(
      (error: Error): BulkSummary => ({ ...EMPTY_SUMMARY, stopped: true, error }),
    ).then((result) => {
      // A long-lived signal must not keep this run reachable.
      options.stopSignal?.removeEventListener("abort", stop);
      options.signal?.removeEventListener("abort", stop);
      resolveSummary(result);
      channel.close(result.error);
    });
  };
  return new BulkRun(channel, start, summary, stop);
}

async function execute<R extends RowBase, P, T>(
  rows: RowSource<R>,
  kind: RowKind<R, P>,
  options: BulkOptions,
  concurrency: number,
  stopping: AbortSignal,
  channel: Channel<T>,
  toResult: (outcome: RowOutcome<R, P>) => T,
): Promise<BulkSummary> {
  const startedAt = performance.now();
  const requestsBefore = options.connection.stats.requests;
  const counts: BulkCounts = {
    done: 0,
    uploaded: 0,
    alreadyDone: 0,
    wouldUpload: 0,
    failed: 0,
    interrupted: 0,
  };
  const failures: RowFailure[] = [];
  let error: Error | undefined;
  let inFlight = 0;
  let journal: Journal | undefined;
  let source: AsyncIterator<R> | Iterator<R> | undefined;
  let exhausted = false;
  const finish = (): BulkSummary => ({
    ...counts,
    failures,
    stopped: stopping.aborted && error === undefined && !exhausted,
    error,
    requests: options.connection.stats.requests - requestsBefore,
    elapsedMs: performance.now() - startedAt,
  });
  try {
    if (options.journal !== undefined) {
      journal = await Journal.open(options.journal, {
        kind: kind.name,
        source: options.source,
        readOnly: options.dryRun,
        sync: options.syncJournal,
      });
    }
    source = iterate(rows);
  } catch (caught) {
    error = caught as Error;
    return finish();
  }
  const state: RowState = {
    journal,
    dryRun: options.dryRun ?? false,
    signal: options.signal,
    keys: new Map(),
    ids: new Map(),
  };
  const nextRow = async (): Promise<R | undefined> => {
    if (stopping.aborted || error !== undefined || exhausted || source === undefined) {
      return undefined;
    }
    try {
      const next = await source.next();
      if (next.done) exhausted = true;
      return next.done ? undefined : next.value;
    } catch (caught) {
      error ??= caught as Error;
      return undefined;
    }
  };
  const worker = async () => {
    for (;;) {
      const row = await nextRow();
      // A row that arrived after the run was stopped is not processed.
      if (row === undefined || error !== undefined) return;
      inFlight++;
      let outcome: RowOutcome<R, P> | undefined;
      try {
        outcome = await processRow(row, kind, state);
      } catch (caught) {
        error ??= caught as Error;
        // The row that showed the input no longer matches the journal was not sent: the
        // summary's error reports it, not a row result. Else only the journal can throw
        // here (e.g. disk full): no row may be sent unjournaled.
        if (caught !== state.stopped) {
          outcome = { row, key: row.key ?? `row:${row.row}`, status: "interrupted", error };
        }
      } finally {
        inFlight--;
      }
      if (outcome === undefined) return;
      counts.done++;
      counts[outcome.status]++;
      if (outcome.status === "failed" && failures.length < MAX_SUMMARY_FAILURES) {
        failures.push({ row: row.row, key: outcome.key, reason: outcome.error?.message ?? "" });
      }
      options.onProgress?.({ ...counts, inFlight, elapsedMs: performance.now() - startedAt });
      await channel.put(toResult(outcome));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  journal?.close();
  if (!exhausted && source?.return) {
    // Let the row source close its file; its own failure is not ours to report.
    await Promise.resolve(source.return()).catch(() => {});
  }
  return finish();
}
