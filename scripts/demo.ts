/**
 * `deno task demo`: the whole chain of the template scripts, against a local
 * sandbox started in this process, so it needs no credentials and no network
 * beyond 127.0.0.1. Every step prints what was sent and what came back.
 *
 * ```sh
 * deno run --no-prompt --allow-net=127.0.0.1 scripts/demo.ts
 * ```
 *
 * @module
 */

import {
  type BaseRecord,
  ConnectToAPI,
  ConvertShortUUID,
  CreateComponent,
  EditAction,
  EditComponent,
  GetActionVersions,
  GetComponentVersions,
  type JsonObject,
  PerformAction,
  toShortUuid,
} from "../mod.ts";
import { startSandbox } from "../sandbox.ts";
import { denoIO, EXIT, oneLine, type ScriptIO } from "./_cli.ts";

const COMPONENT_TYPE = "basic_component";
const ACTION_TYPE = "my_action";

function versionLines(records: BaseRecord[]): string[] {
  return records.map((record) =>
    `  version ${record.validity.version} (${record.insertion.insertDate}): ` +
    JSON.stringify(record.data)
  );
}

/**
 * Runs the demo, writing to `io`; returns the exit code (0 when every step
 * worked). The sandbox and the connection are closed whatever happens.
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = await main();
 * ```
 */
export async function main(io: ScriptIO = denoIO): Promise<number> {
  let stepNumber = 0;
  const step = (title: string, ...lines: string[]) => {
    io.out(`\n${++stepNumber}. ${title}`);
    for (const line of lines) io.out(`   ${line}`);
  };
  const sandbox = await startSandbox();
  try {
    io.out(`dune-m2m demo: a local sandbox DB is running at ${sandbox.url}`);
    io.out("(in memory: nothing here reaches the real DB, and it is gone when the demo ends)");

    const { connection, headers } = await ConnectToAPI({
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      auth0Domain: sandbox.host,
      dbDomain: sandbox.host,
    });
    try {
      step(
        "ConnectToAPI: get a token with the client credentials",
        `client ${sandbox.clientId} at ${sandbox.host} -> token received (never printed)`,
      );

      const componentData: JsonObject = { name: "Demo frame 1", textField: "made by the demo" };
      const componentUuid = await CreateComponent(
        COMPONENT_TYPE,
        componentData,
        connection,
        headers,
      );
      step(
        `CreateComponent: a new "${COMPONENT_TYPE}" component`,
        `sent data: ${JSON.stringify(componentData)}`,
        `got UUID:  ${componentUuid}`,
        `script:    deno task create_component --instance sandbox --type-form-id ${COMPONENT_TYPE} --data '...'`,
      );

      const shortUuid = toShortUuid(componentUuid);
      const converted = await ConvertShortUUID(shortUuid, connection, headers);
      step(
        "ConvertShortUUID: from the short UUID a QR label would show back to the UUID",
        `sent short UUID: ${shortUuid}`,
        `got UUID:        ${converted} (${converted === componentUuid ? "the same" : "DIFFERENT"})`,
        `script:          deno task convert_short_uuid --instance sandbox --short-uuid ${shortUuid}`,
      );

      const editedUuid = await EditComponent(
        componentUuid,
        ["textField"],
        ["edited by the demo"],
        connection,
        headers,
      );
      step(
        "EditComponent: change one data field (the server stores a new version)",
        `sent:   textField = "edited by the demo"`,
        `got:    ${editedUuid}`,
        `script: deno task edit_component --instance sandbox --uuid ${componentUuid} --set textField="..."`,
      );

      const actionData: JsonObject = { name: "Demo measurement", measurement: 12.04 };
      const actionId = await PerformAction(
        ACTION_TYPE,
        componentUuid,
        actionData,
        connection,
        headers,
      );
      step(
        `PerformAction: a "${ACTION_TYPE}" action (e.g. a measurement) on the component`,
        `sent data: ${JSON.stringify(actionData)}`,
        `got ID:    ${actionId}`,
        `script:    deno task perform_action --instance sandbox --type-form-id ${ACTION_TYPE} --uuid ... ` +
          `--set measurement=12.04`,
      );

      const editedActionId = await EditAction(
        actionId,
        ["measurement", "actionComplete"],
        [12.07, true],
        connection,
        headers,
      );
      step(
        "EditAction: correct the measurement and mark the action complete",
        "sent:   measurement = 12.07, actionComplete = true",
        `got:    ${editedActionId}`,
        `script: deno task edit_action --instance sandbox --action-id ${actionId} --set measurement=12.07 --set actionComplete=true`,
      );

      const componentVersions = await GetComponentVersions(componentUuid, connection, headers);
      const actionVersions = await GetActionVersions(actionId, connection, headers);
      step(
        "GetComponentVersions and GetActionVersions: read both back, every version",
        `component ${componentUuid}:`,
        ...versionLines(componentVersions),
        `action ${actionId}:`,
        ...versionLines(actionVersions),
        `script: deno task get_records --instance sandbox --component ${componentUuid} --versions`,
      );
    } finally {
      connection.close();
    }
    io.out(
      "\nDone: every step worked. Next: `deno task test`, or start `deno task sandbox` and run " +
        "the scripts above against it (the IDs above lived in the demo's own sandbox, which is " +
        "gone now: use the IDs your commands print; each script has --help).",
    );
    return EXIT.ok;
  } catch (error) {
    io.err(`demo: step ${stepNumber + 1} failed: ${oneLine(error)}`);
    return EXIT.failed;
  } finally {
    await sandbox.close();
  }
}

if (import.meta.main) Deno.exitCode = await main();
