/**
 * One-at-a-time lanes: work with the same lane name runs strictly in turn,
 * work in different lanes runs side by side. Component creates use the type
 * form ID as the lane, because the server numbers a new component by
 * counting those of its type (API.md §5).
 *
 * @module
 */

/** Serializes async work per lane name. */
export class Lanes {
  #tails = new Map<string, Promise<void>>();

  /** Runs `work` after every earlier work of `lane` has settled. */
  async run<T>(lane: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(lane) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((resolve) => release = resolve);
    this.#tails.set(lane, tail);
    await before;
    try {
      return await work();
    } finally {
      release();
      // Forget an idle lane so a file with many types does not keep them all.
      if (this.#tails.get(lane) === tail) this.#tails.delete(lane);
    }
  }
}
