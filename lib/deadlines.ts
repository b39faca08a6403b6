/**
 * Request timeouts on one timer. Every request of a client gets the same
 * timeout, so deadlines come due in the order they were set: a queue, and
 * one timer armed for the oldest live deadline, replace a timer per request.
 * Setting and clearing a timer per request cost a sequential bulk upload
 * about 7% of its throughput (Deno 2.9, loopback).
 *
 * @module
 */

/** A running deadline; `clear()` it when the work finishes in time. */
export interface Deadline {
  /** Cancels the deadline; `onExpire` will not be called. Safe to call twice. */
  clear(): void;
}

interface Entry extends Deadline {
  at: number;
  onExpire: () => void;
  live: boolean;
}

// Fired entries are dropped from the front in batches, not one by one.
const COMPACT_AFTER = 1024;

/**
 * Deadlines of a fixed length, on the real monotonic clock (the one timers
 * follow). While nothing is live the timer is unref'd, so an idle client
 * never keeps the process alive, and it is not re-armed when it fires.
 *
 * @example
 * ```ts
 * import { Deadlines } from "./deadlines.ts";
 * const deadlines = new Deadlines(30_000);
 * const controller = new AbortController();
 * const deadline = deadlines.start(() => controller.abort());
 * deadline.clear();
 * console.assert(deadlines.live === 0 && !controller.signal.aborted);
 * deadlines.close();
 * ```
 */
export class Deadlines {
  /** The length of every deadline, in milliseconds. */
  readonly timeoutMs: number;
  #queue: Entry[] = [];
  #head = 0;
  #live = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Deadlines `timeoutMs` after each {@linkcode Deadlines.start}. */
  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Deadlines started and not yet cleared or expired. */
  get live(): number {
    return this.#live;
  }

  /** Calls `onExpire` in `timeoutMs` unless the returned deadline is cleared first. */
  start(onExpire: () => void): Deadline {
    const entry: Entry = {
      at: performance.now() + this.timeoutMs,
      onExpire,
      live: true,
      clear: () => this.#clear(entry),
    };
    this.#queue.push(entry);
    if (this.#live++ === 0) this.#timer?.ref();
    if (this.#timer === undefined) this.#arm(entry.at);
    return entry;
  }

  #clear(entry: Entry): void {
    if (!entry.live) return;
    entry.live = false;
    if (--this.#live > 0) {
      this.#dropCleared();
      return;
    }
    // Nothing left to time. The timer stays armed (re-arming it for the next
    // request would cost what this class saves) and finds nothing when it fires.
    this.#timer?.unref();
    this.#queue = [];
    this.#head = 0;
  }

  /** Stops the timer; deadlines still live will not expire. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Entries held: the live ones, and cleared ones not dropped yet (bounded by the live ones). */
  get held(): number {
    return this.#queue.length - this.#head;
  }

  // Requests mostly finish in the order they started: dropping cleared
  // entries from the front keeps the queue as short as the work in flight.
  // Behind one stuck request they pile up instead: then they are swept out.
  #dropCleared(): void {
    while (this.#head < this.#queue.length && !this.#queue[this.#head].live) this.#head++;
    const held = this.#queue.length - this.#head;
    if (held === 0) {
      this.#queue = [];
      this.#head = 0;
    } else if (held - this.#live > this.#live + COMPACT_AFTER) {
      this.#queue = this.#queue.slice(this.#head).filter((entry) => entry.live);
      this.#head = 0;
    } else if (this.#head >= COMPACT_AFTER) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(at: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const expired: Entry[] = [];
    while (this.#head < this.#queue.length) {
      const entry = this.#queue[this.#head];
      if (entry.live && entry.at > now) break;
      this.#head++;
      if (entry.live) {
        entry.live = false;
        this.#live--;
        expired.push(entry);
      }
    }
    this.#dropCleared();
    if (this.#live > 0) this.#arm(this.#queue[this.#head].at);
    // Last, so a callback that starts a new deadline finds a consistent queue.
    for (const entry of expired) entry.onExpire();
  }
}
