/**
 * Bulk uploads: {@linkcode uploadActions} and {@linkcode createComponents}
 * take rows from any (async) iterable and give per-row results and a
 * summary, with bounded concurrency and memory, and a journal that makes a
 * re-run after any crash finish the job without storing anything twice.
 *
 * @module
 */

export { uploadActions } from "./actions.ts";
export { createComponents } from "./components.ts";
export { BulkRun } from "./engine.ts";
export {
  type ActionResult,
  type ActionRow,
  type BulkCounts,
  type BulkOptions,
  type BulkProgress,
  type BulkSummary,
  type ComponentResult,
  type ComponentRow,
  type InvalidRow,
  MAX_SUMMARY_FAILURES,
  type RowBase,
  type RowFailure,
  type RowResult,
  type RowSource,
  type RowStatus,
} from "./types.ts";
