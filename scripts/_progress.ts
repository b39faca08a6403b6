/**
 * The progress report of the bulk scripts, on stderr: on a terminal one line
 * redrawn in place (done/total, rate, ETA, failures); elsewhere (a log file,
 * CI) a plain line every so many rows or seconds.
 *
 * @module
 */

import type { BulkProgress } from "../mod.ts";

/** Where and how often to report. */
export interface ProgressOptions {
  /** Data rows in the input, for the percentage and the ETA. */
  total: number;
  /** Prefix of each line, e.g. `upload_actions`. */
  label: string;
  /** Redraw one line (a terminal) or print lines. Default: whether stderr is a terminal. */
  tty?: boolean;
  /** Non-terminal: a line every this many rows; default a tenth of the total (at least 100). */
  everyRows?: number;
  /** Non-terminal: and at least every this many ms; default 10 000. */
  everyMs?: number;
  /** Writes raw text to stderr. */
  write?: (text: string) => void;
  /** Milliseconds on a monotonic clock; default `performance.now()`. */
  now?: () => number;
}

const encoder = new TextEncoder();

function seconds(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  return minutes < 60
    ? `${minutes} min ${total % 60} s`
    : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Formats and throttles progress lines; `stop()` it when the run ends. */
export class ProgressReporter {
  #options: Required<ProgressOptions>;
  #last?: BulkProgress;
  // -Infinity: the first update always draws, however young the process is.
  #lastDrawn = -Infinity;
  #lastRows = 0;
  #timer?: ReturnType<typeof setInterval>;
  #startedAt: number;
  #lineShown = false;

  /** Starts reporting (the periodic line of a non-terminal starts now). */
  constructor(options: ProgressOptions) {
    const tty = options.tty ?? Deno.stderr.isTerminal();
    this.#options = {
      tty,
      everyRows: Math.max(100, Math.round(options.total / 10)),
      everyMs: 10_000,
      write: (text) => Deno.stderr.writeSync(encoder.encode(text)),
      now: () => performance.now(),
      ...options,
    };
    this.#startedAt = this.#options.now();
    if (!tty) {
      const timer = setInterval(() => this.#print(), this.#options.everyMs);
      // A report must never keep the process alive by itself.
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** The text of one progress line. */
  line(progress: BulkProgress): string {
    const { total, label } = this.#options;
    const elapsed = this.#options.now() - this.#startedAt;
    // Every row finished counts, skipped ones too: the rest will be a like mix.
    const rate = elapsed > 0 ? progress.done / (elapsed / 1000) : 0;
    const left = Math.max(0, total - progress.done);
    const percent = total > 0 ? Math.floor((progress.done / total) * 100) : 100;
    const eta = rate > 0 && left > 0 ? `, ETA ${seconds((left / rate) * 1000)}` : "";
    return `${label}: ${progress.done}/${total} rows (${percent}%), ${rate.toFixed(0)} rows/s` +
      `${eta}, ${progress.failed} failed` +
      (progress.alreadyDone ? `, ${progress.alreadyDone} already done` : "");
  }

  /** Called after each row; draws or prints when due. */
  update(progress: BulkProgress): void {
    this.#last = progress;
    const now = this.#options.now();
    if (this.#options.tty) {
      if (now - this.#lastDrawn < 100) return;
      this.#lastDrawn = now;
      this.#options.write(`\r\x1b[2K${this.line(progress)}`);
      this.#lineShown = true;
    } else if (progress.done - this.#lastRows >= this.#options.everyRows) {
      this.#print();
    }
  }

  /** Prints a message on its own line, keeping the progress line below it on a terminal. */
  message(text: string): void {
    if (this.#options.tty && this.#lineShown) this.#options.write("\r\x1b[2K");
    this.#options.write(`${text}\n`);
    if (this.#options.tty && this.#last) this.#options.write(this.line(this.#last));
  }

  /** Ends reporting: the final state on its own line, timers cleared. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#options.tty && this.#lineShown && this.#last) {
      this.#options.write(`\r\x1b[2K${this.line(this.#last)}\n`);
    }
  }

  #print(): void {
    if (!this.#last || this.#last.done === this.#lastRows) return;
    this.#lastRows = this.#last.done;
    this.#options.write(`${this.line(this.#last)}\n`);
  }
}
