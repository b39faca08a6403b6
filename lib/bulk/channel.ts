/**
 * A bounded queue between the workers of a bulk run and its consumer: a
 * worker that finds it full waits, so a slow consumer slows the run down
 * instead of letting results pile up in memory.
 *
 * @module
 */

/** A bounded, single-consumer async queue. */
export class Channel<T> {
  #items: T[] = [];
  #capacity: number;
  #closed = false;
  #discarding = false;
  #error?: Error;
  #takers: Array<() => void> = [];
  #putters: Array<() => void> = [];

  /** A queue holding at most `capacity` items. */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** Adds `item`, waiting while the queue is full. */
  async put(item: T): Promise<void> {
    while (this.#items.length >= this.#capacity && !this.#discarding) {
      await new Promise<void>((resolve) => this.#putters.push(resolve));
    }
    if (this.#discarding) return;
    this.#items.push(item);
    this.#takers.shift()?.();
  }

  /** The next item; `done` once closed and empty (then the close error, if any, is thrown). */
  async take(): Promise<IteratorResult<T, undefined>> {
    while (this.#items.length === 0 && !this.#closed) {
      await new Promise<void>((resolve) => this.#takers.push(resolve));
    }
    if (this.#items.length > 0) {
      const value = this.#items.shift() as T;
      this.#putters.shift()?.();
      return { done: false, value };
    }
    if (this.#error) {
      const error = this.#error;
      this.#error = undefined;
      throw error;
    }
    return { done: true, value: undefined };
  }

  /** No more items will come; a waiting or later `take` ends (throwing `error` once, if given). */
  close(error?: Error): void {
    this.#closed = true;
    this.#error = error;
    for (const wake of this.#takers.splice(0)) wake();
  }

  /** The consumer has gone: drop what is queued and let every `put` return at once. */
  discard(): void {
    this.#discarding = true;
    this.#items = [];
    for (const wake of this.#putters.splice(0)) wake();
  }
}
