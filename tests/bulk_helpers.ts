/**
 * Helpers of the bulk tests: rows, a fetch that records what the client
 * sends (and how much of it at once), and the sandbox's view of the result.
 *
 * @module
 */

import type { ActionRow } from "../lib/bulk/mod.ts";
import type { Sandbox } from "../sandbox.ts";

/** The component every generated row targets. */
export const COMPONENT = "5f9ea420-3e88-11ed-9114-03f8483882ff";

/** `count` valid action rows; `data.row` says which row a stored action came from. */
export function actionRows(count: number, offset = 0): ActionRow[] {
  return Array.from({ length: count }, (_, index) => ({
    row: offset + index + 1,
    typeFormId: "my_action",
    component: COMPONENT,
    data: { row: offset + index + 1, measurement: (offset + index) / 4 },
  }));
}

/** How many stored action documents each `data.row` has (every version counted). */
export function storedActionsByRow(sandbox: Sandbox): Map<number, number> {
  const counts = new Map<number, number>();
  for (const document of sandbox.documents("actions")) {
    const row = (document.data as { row: number }).row;
    counts.set(row, (counts.get(row) ?? 0) + 1);
  }
  return counts;
}

/** One request the client sent. */
export interface Recorded {
  method: string;
  path: string;
  body: string;
}

/** A fetch that records requests and the most in flight at once per path and body match. */
export function recordingFetch() {
  const requests: Recorded[] = [];
  const inFlight: Recorded[] = [];
  const peaks: Recorded[][] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const request = {
      method: init?.method ?? "GET",
      path: url.pathname,
      body: typeof init?.body === "string" ? init.body : "",
    };
    requests.push(request);
    inFlight.push(request);
    peaks.push([...inFlight]);
    try {
      return await fetch(input, init);
    } finally {
      inFlight.splice(inFlight.indexOf(request), 1);
    }
  };
  return {
    fetch: wrapped,
    requests,
    /** The most requests to `path` (with `bodyPart` in the body) that were in flight together. */
    maxInFlight(path: string, bodyPart = ""): number {
      return Math.max(
        0,
        ...peaks.map((moment) =>
          moment.filter((r) => r.path === path && r.body.includes(bodyPart)).length
        ),
      );
    },
  };
}
