/**
 * The sandbox's live counters, read by tests to check exactly-once delivery.
 *
 * @module
 */

import type { RecordStore } from "./store.ts";
import { FAULT_KINDS, type FaultKind, type SandboxStats } from "./types.ts";

/** Counters that change as requests arrive; `stored` always reads the store. */
export class LiveStats implements SandboxStats {
  /** HTTP requests received. */
  requests = 0;
  /** Tokens issued. */
  tokensIssued = 0;
  /** Faults injected, by kind. */
  readonly faultsInjected: Record<FaultKind, number> = Object.fromEntries(
    FAULT_KINDS.map((kind) => [kind, 0]),
  ) as Record<FaultKind, number>;
  #store: RecordStore;

  /** Counters over `store`. */
  constructor(store: RecordStore) {
    this.#store = store;
  }

  /** Documents per collection, every version counted. */
  get stored(): { components: number; actions: number; workflows: number } {
    return {
      components: this.#store.count("components"),
      actions: this.#store.count("actions"),
      workflows: this.#store.count("workflows"),
    };
  }
}
