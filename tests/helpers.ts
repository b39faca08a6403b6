/**
 * Test helpers: an in-process sandbox and a connection to it, both closed
 * when the test ends.
 *
 * @module
 */

import { type Connection, type ConnectOptions, ConnectToAPI } from "../mod.ts";
import { type Sandbox, type SandboxOptions, startSandbox } from "../sandbox.ts";

/** Fast retries: tests inject short backoffs instead of waiting. */
export const FAST_RETRY = { attempts: 5, baseDelayMs: 1, maxDelayMs: 20, deadlineMs: 10_000 };

/** Messages a test logger received. */
export interface CapturedLog {
  debug: string[];
  warn: string[];
}

/** Connection options that point at `sandbox` with fast retries and a captured log. */
export function optionsFor(sandbox: Sandbox, log?: CapturedLog): ConnectOptions {
  return {
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    auth0Domain: sandbox.host,
    dbDomain: sandbox.host,
    envFile: "/dev/null",
    retry: FAST_RETRY,
    timeoutMs: 5_000,
    logger: log
      ? { debug: (line) => log.debug.push(line), warn: (line) => log.warn.push(line) }
      : { debug: () => {}, warn: () => {} },
  };
}

/** Runs `body` with a fresh sandbox and a connection to it; closes both. */
export async function withSandbox(
  body: (context: { sandbox: Sandbox; connection: Connection; log: CapturedLog }) => Promise<void>,
  sandboxOptions: SandboxOptions = {},
  connectOptions: Partial<ConnectOptions> = {},
): Promise<void> {
  const sandbox = await startSandbox(sandboxOptions);
  const log: CapturedLog = { debug: [], warn: [] };
  try {
    const { connection } = await ConnectToAPI({ ...optionsFor(sandbox, log), ...connectOptions });
    try {
      await body({ sandbox, connection, log });
    } finally {
      connection.close();
    }
  } finally {
    await sandbox.close();
  }
}
