/**
 * The fault matrix: many writes through a sandbox that misbehaves on
 * purpose, then a count of what it stored. Shared by the reliability test
 * (a few hundred calls) and `deno task soak` (thousands).
 *
 * @module
 */

import {
  ConnectToAPI,
  CreateComponent,
  EditAction,
  M2MError,
  PerformAction,
  type RetryReason,
} from "../mod.ts";
import { type FaultPlan, startSandbox } from "../sandbox.ts";

/** How many calls of each kind, and how hard the sandbox misbehaves. */
export interface MatrixPlan {
  performs: number;
  creates: number;
  edits: number;
  /** Probability of a fault per request (spread over every kind). */
  faultRate: number;
  seed: number;
  /** Calls in flight at once. */
  concurrency: number;
}

/** What happened: counts a person can read and a test can assert. */
export interface MatrixReport {
  requested: number;
  succeeded: number;
  failed: { call: string; error: string }[];
  stored: number;
  /** Records stored twice, or stored for a call that failed without saying it may have been. */
  duplicates: number;
  /** Stored for calls that failed with "may have been stored": told, not duplicated. */
  storedAfterWarning: number;
  lost: number;
  wrongVersion: number;
  retries: Partial<Record<RetryReason, number>>;
  verifiedWrites: number;
  faultsInjected: Record<string, number>;
  wallMs: number;
}

const KINDS = ["500", "503", "429", "drop-before", "drop-after", "slow", "expire-token"] as const;

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Runs the matrix against a fresh in-process sandbox. A 500 is not retried
 * by design (the server uses it for deterministic errors), so calls that
 * meet an injected 500 fail clearly; everything else must succeed.
 */
export async function runFaultMatrix(plan: MatrixPlan): Promise<MatrixReport> {
  const rate = plan.faultRate / KINDS.length;
  const faults: FaultPlan = {
    seed: plan.seed,
    rates: Object.fromEntries(KINDS.map((kind) => [kind, rate])),
    slowMs: 300,
    retryAfterSeconds: 0,
    earlyExpirySeconds: 0,
  };
  const sandbox = await startSandbox();
  const started = performance.now();
  const failed: { call: string; error: string }[] = [];
  const expectedActions = new Map<string, number>();
  const expectedComponents = new Set<string>();
  try {
    const { connection } = await ConnectToAPI({
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      auth0Domain: sandbox.host,
      dbDomain: sandbox.host,
      envFile: "/dev/null",
      timeoutMs: 150,
      retry: { attempts: 12, baseDelayMs: 1, maxDelayMs: 10, deadlineMs: 60_000 },
      logger: { debug: () => {}, warn: () => {} },
    });
    try {
      const componentUuid = await CreateComponent(
        "basic_component",
        { name: "target" },
        connection,
      );
      const seeded = sandbox.seed(
        "actions",
        Array.from(
          { length: plan.edits },
          (_, index) => ({ typeFormId: "my_action", componentUuid, data: { index } }),
        ),
      );
      sandbox.setFaults(faults);
      const calls: (() => Promise<void>)[] = [];
      const record = async (call: string, work: () => Promise<void>) => {
        try {
          await work();
        } catch (error) {
          failed.push({ call, error: error instanceof M2MError ? error.message : String(error) });
        }
      };
      for (let index = 0; index < plan.performs; index++) {
        calls.push(() =>
          record(`PerformAction #${index}`, async () => {
            const id = await PerformAction("my_action", componentUuid, { index }, connection);
            expectedActions.set(id, 1);
          })
        );
      }
      for (let index = 0; index < plan.creates; index++) {
        calls.push(() =>
          record(`CreateComponent #${index}`, async () => {
            expectedComponents.add(
              await CreateComponent("basic_component_2", { index }, connection),
            );
          })
        );
      }
      for (const [index, actionId] of seeded.entries()) {
        calls.push(() =>
          record(`EditAction #${index}`, async () => {
            await EditAction(actionId, ["edited"], [true], connection);
            expectedActions.set(actionId, 2);
          })
        );
      }
      await inParallel(calls, plan.concurrency, (call) => call());
      sandbox.setFaults(undefined);
      const stats = connection.stats;
      const versions = new Map<string, number>();
      for (const document of sandbox.documents("actions")) {
        const id = String(document.actionId);
        versions.set(id, (versions.get(id) ?? 0) + 1);
      }
      const componentCounts = new Map<string, number>();
      for (const document of sandbox.documents("components")) {
        if (document.formId !== "basic_component_2") continue;
        const id = String(document.componentUuid);
        componentCounts.set(id, (componentCounts.get(id) ?? 0) + 1);
      }
      let duplicates = 0, lost = 0, wrongVersion = 0;
      for (const [id, expected] of expectedActions) {
        const count = versions.get(id) ?? 0;
        if (count === 0) lost++;
        else if (count > expected) duplicates++;
        else if (count < expected) wrongVersion++;
      }
      for (const id of expectedComponents) {
        const count = componentCounts.get(id) ?? 0;
        if (count === 0) lost++;
        if (count > 1) duplicates++;
      }
      // Stored for calls that failed. Each such call must have said, naming the record, that
      // it may have been stored (so the caller looks it up instead of sending it again);
      // a record stored without that warning, or stored twice, is a duplicate.
      const warnings = failed.map(({ error }) => error).filter((error) =>
        /may have been stored/.test(error)
      );
      const unreported = [
        ...[...versions].filter(([id]) => !expectedActions.has(id) && !seeded.includes(id)),
        ...[...componentCounts].filter(([id]) => !expectedComponents.has(id)),
      ];
      let storedAfterWarning = 0;
      for (const [id, count] of unreported) {
        if (count === 1 && warnings.some((warning) => warning.includes(id))) storedAfterWarning++;
        else duplicates++;
      }
      return {
        requested: calls.length,
        succeeded: calls.length - failed.length,
        failed,
        stored: expectedActions.size + expectedComponents.size,
        duplicates,
        storedAfterWarning,
        lost,
        wrongVersion,
        retries: stats.retries,
        verifiedWrites: stats.verifiedWrites,
        faultsInjected: { ...sandbox.stats.faultsInjected },
        wallMs: performance.now() - started,
      };
    } finally {
      connection.close();
    }
  } finally {
    await sandbox.close();
  }
}
