/**
 * `deno task soak`: the fault matrix at scale. 5,000 writes (4,000
 * PerformAction, 500 CreateComponent, 500 EditAction) through an in-process
 * sandbox that injects every fault kind at ~20%, then counts what it stored.
 * Not part of `deno task test`.
 *
 * Usage: deno task soak [--calls N] [--fault-rate 0.2] [--seed 7] [--concurrency 8]
 */

import { parseArgs } from "node:util";
import { runFaultMatrix } from "../tests/fault_matrix.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    calls: { type: "string", default: "5000" },
    "fault-rate": { type: "string", default: "0.2" },
    seed: { type: "string", default: "7" },
    concurrency: { type: "string", default: "8" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(
    "Usage: deno task soak [--calls N] [--fault-rate P] [--seed S] [--concurrency C]\n" +
      "Sends N writes through a fault-injecting sandbox and prints what was stored.",
  );
  Deno.exit(0);
}

const calls = Number(values.calls);
const plan = {
  performs: Math.round(calls * 0.8),
  creates: Math.round(calls * 0.1),
  edits: Math.round(calls * 0.1),
  faultRate: Number(values["fault-rate"]),
  seed: Number(values.seed),
  concurrency: Number(values.concurrency),
};
console.log(
  `soak: ${plan.performs} PerformAction + ${plan.creates} CreateComponent + ${plan.edits} ` +
    `EditAction, faults at ${
      plan.faultRate * 100
    }% (seed ${plan.seed}), concurrency ${plan.concurrency}`,
);
const report = await runFaultMatrix(plan);
const rows: [string, string | number][] = [
  ["requested", report.requested],
  ["succeeded", report.succeeded],
  ["failed with a clear error", report.failed.length],
  ["stored (distinct records)", report.stored],
  ["duplicates", report.duplicates],
  ["stored, call failed saying so", report.storedAfterWarning],
  ["lost", report.lost],
  ["edits at a wrong version", report.wrongVersion],
  ["writes confirmed by lookup", report.verifiedWrites],
  ...Object.entries(report.retries).map(([reason, count]) =>
    [`retries: ${reason}`, count ?? 0] as [string, number]
  ),
  ...Object.entries(report.faultsInjected).map(([kind, count]) =>
    [`faults injected: ${kind}`, count] as [string, number]
  ),
  ["wall time", `${(report.wallMs / 1000).toFixed(1)} s`],
];
const width = Math.max(...rows.map(([label]) => label.length));
for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
const reasons = new Map<string, number>();
for (const failure of report.failed) {
  const reason = /injected fault/.test(failure.error)
    ? "injected 500 (not retried by design)"
    : /401/.test(failure.error)
    ? "token refused twice in a row"
    : failure.error.slice(0, 120);
  reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
}
for (const [reason, count] of reasons) console.log(`  failed: ${count} × ${reason}`);
Deno.exitCode = report.duplicates === 0 && report.lost === 0 && report.wrongVersion === 0 ? 0 : 1;
