/**
 * The template scripts and the demo, run as separate processes with their
 * real permission flags against an in-process sandbox: results, effects in
 * the sandbox's store, `--json`, `--help`, and dotenv loading.
 */

import assert from "node:assert/strict";
import { startSandbox } from "../sandbox.ts";
import { SCRIPT_PERMISSIONS } from "../scripts/_cli.ts";
import {
  assertOneLineFailure,
  assertSuccess,
  runScript,
  sandboxEnv,
  taskCommand,
  taskFlags,
  tempDir,
  TEMPLATE_SCRIPTS,
} from "./scripts_harness.ts";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const OBJECT_ID = /\b[0-9a-f]{24}\b/;

/** The fields of `data` that `expected` names (the server adds fields of its own). */
function pick(data: unknown, expected: Record<string, unknown>): Record<string, unknown> {
  const record = data as Record<string, unknown>;
  return Object.fromEntries(Object.keys(expected).map((field) => [field, record[field]]));
}

/** Asserts that `data` holds the `expected` fields with these values. */
function assertDataHas(data: unknown, expected: Record<string, unknown>): void {
  assert.deepEqual(pick(data, expected), expected);
}

Deno.test("every template script has a task with the documented least-privilege flags", () => {
  for (const name of TEMPLATE_SCRIPTS) {
    assert.deepEqual(taskFlags(name), [...SCRIPT_PERMISSIONS], name);
  }
  assert.deepEqual(taskFlags("demo"), ["--no-prompt", "--allow-net=127.0.0.1"]);
  assert.match(taskCommand("compile"), /^deno compile --no-prompt .* --output dist\/\S+ scripts\//);
  assert.ok(taskCommand("compile").includes(SCRIPT_PERMISSIONS.join(" ")));
});

Deno.test("--help of every script exits 0 with usage, options, an example and exit codes", async () => {
  await using cwd = await tempDir();
  const runs = await Promise.all(
    TEMPLATE_SCRIPTS.map((name) => runScript(name, ["--help"], { cwd: cwd.path })),
  );
  runs.forEach((run, index) => {
    const name = TEMPLATE_SCRIPTS[index];
    const help = assertSuccess(run, `${name} --help`);
    for (const part of ["Usage:", `scripts/${name}.ts`, "--instance", "--json", "Examples:"]) {
      assert.ok(help.includes(part), `${name} --help lacks ${part}`);
    }
    assert.match(help, /Exit codes:\n {2}0 .*\n {2}1 .*\n.*\n {2}2 /);
    assert.equal(run.stderr, "");
  });
});

Deno.test("the template scripts do their job against the sandbox, as text and --json", async () => {
  await using sandbox = await startSandbox();
  await using cwd = await tempDir();
  const options = { cwd: cwd.path, env: sandboxEnv(sandbox) };

  // create_component: plain output, and the record in the store.
  const created = assertSuccess(
    await runScript("create_component", [
      "--type-form-id",
      "basic_component",
      "--set",
      "name=Frame 7",
      "--data",
      '{"textField":"from the test"}',
    ], options),
    "create_component",
  );
  const componentUuid = UUID.exec(created)?.[0];
  assert.ok(componentUuid, created);
  const shortUuid = /short UUID (\w+)/.exec(created)?.[1];
  assert.ok(shortUuid, created);
  const [stored] = sandbox.documents("components");
  assert.equal(stored.componentUuid, componentUuid);
  assertDataHas(stored.data, { textField: "from the test", name: "Frame 7", submit: true });

  // Then three independent scripts at once, one of them reading its data from a file.
  const dataFile = `${cwd.path}/reading.json`;
  await Deno.writeTextFile(dataFile, '{"name":"reading 1","measurement":12.04}');
  const [converted, edited, performed] = await Promise.all([
    runScript("convert_short_uuid", ["--short-uuid", shortUuid, "--json"], options),
    runScript("edit_component", ["--uuid", componentUuid, "--set", 'textField="007"'], options),
    runScript("perform_action", [
      "--type-form-id",
      "my_action",
      "--short-uuid",
      shortUuid,
      "--data-file",
      dataFile,
      "--json",
    ], { ...options, extraFlags: [`--allow-read=${dataFile}`] }),
  ]);
  assert.deepEqual(JSON.parse(assertSuccess(converted, "convert_short_uuid")), {
    results: [{ shortUuid, componentUuid }],
  });
  assert.match(assertSuccess(edited, "edit_component"), /edited component .*textField = "007"/);
  const latest = sandbox.documents("components").at(-1)!;
  assertDataHas(latest.data, { textField: "007", name: "Frame 7", submit: true });
  assert.equal((latest.validity as { version: number }).version, 2);
  const action = JSON.parse(assertSuccess(performed, "perform_action"));
  assert.match(action.actionId, OBJECT_ID);
  assert.equal(action.componentUuid, componentUuid);
  const [storedAction] = sandbox.documents("actions");
  assert.equal(storedAction.actionId, action.actionId);
  assertDataHas(storedAction.data, { name: "reading 1", measurement: 12.04, submit: true });

  // edit_action: JSON values stay typed, other text stays text.
  const editedAction = assertSuccess(
    await runScript("edit_action", [
      "--action-id",
      action.actionId,
      "--set",
      "measurement=12.07",
      "--set",
      "actionComplete=true",
      "--set",
      "name=reading 1, corrected",
    ], options),
    "edit_action",
  );
  assert.match(editedAction, /edited action [0-9a-f]{24}: measurement = 12\.07/);
  assertDataHas(sandbox.documents("actions").at(-1)!.data, {
    name: "reading 1, corrected",
    measurement: 12.07,
    submit: true,
    actionComplete: true,
  });

  // get_records: reads, versions, lists, type forms.
  const reads = await Promise.all([
    runScript("get_records", ["--component", componentUuid, "--versions"], options),
    runScript("get_records", ["--action", action.actionId, "--version", "1", "--json"], options),
    runScript("get_records", ["--list-components", "basic_component", "--json"], options),
    runScript("get_records", ["--list-actions", "my_action", "--uuid", componentUuid], options),
    runScript("get_records", ["--list-forms", "componentForms"], options),
  ]);
  const [history, actionV1, components, actions, forms] = reads.map((run, index) =>
    assertSuccess(run, `get_records #${index}`)
  );
  assert.match(history, /version +1,[^]*"from the test"[^]*version +2,[^]*"007"/);
  const actionRecord = JSON.parse(actionV1);
  assert.equal(actionRecord.actionId, action.actionId);
  assert.equal(actionRecord.validity.version, 1);
  assert.equal(actionRecord.data.measurement, 12.04);
  assert.deepEqual(JSON.parse(components), { ids: [componentUuid], truncated: false });
  assert.ok(actions.startsWith(`1 my_action actions on component ${componentUuid}`), actions);
  assert.ok(actions.includes(action.actionId), actions);
  assert.match(forms, /basic_component +Basic Component/);
});

Deno.test("a script reads .env.<instance> from the working directory under its narrow --allow-read", async () => {
  await using sandbox = await startSandbox();
  await using cwd = await tempDir();
  const lines = Object.entries(sandboxEnv(sandbox)).map(([name, value]) => `${name}=${value}`);
  await Deno.writeTextFile(`${cwd.path}/.env.sandbox`, `${lines.join("\n")}\n`);
  const run = await runScript("get_records", [
    "--instance",
    "sandbox",
    "--list-forms",
    "actionForms",
  ], {
    cwd: cwd.path,
  });
  assert.match(assertSuccess(run, "get_records --instance sandbox"), /my_action +My Action/);
  assert.equal(run.stderr, "");
});

Deno.test("perform_action reads its data from stdin with --data-file -", async () => {
  await using sandbox = await startSandbox();
  await using cwd = await tempDir();
  const [componentUuid] = sandbox.seed("components", [
    { componentUuid: crypto.randomUUID(), formId: "basic_component", data: { name: "seeded" } },
  ]);
  const run = await runScript(
    "perform_action",
    ["--type-form-id", "my_action", "--uuid", componentUuid, "--data-file", "-"],
    { cwd: cwd.path, env: sandboxEnv(sandbox), stdin: '{"measurement": 1.5}' },
  );
  assert.match(assertSuccess(run, "perform_action stdin"), /performed my_action action /);
  assert.equal(sandbox.documents("actions")[0].componentUuid, componentUuid);
});

Deno.test("deno task demo's script runs the whole chain and exits 0", async () => {
  await using cwd = await tempDir();
  const run = await runScript("demo", [], { cwd: cwd.path });
  const output = assertSuccess(run, "demo");
  for (const step of ["CreateComponent", "ConvertShortUUID", "EditComponent", "PerformAction"]) {
    assert.ok(output.includes(step), `demo output lacks ${step}`);
  }
  assert.match(output, /version 2 .*"edited by the demo"/);
  assert.match(output, /version 2 .*"measurement":12\.07/);
  assert.ok(output.includes("Done"), output);
  assert.ok(!output.includes("sandbox-secret"), "the demo printed the client secret");
});

Deno.test("get_records says when the server's list cap was reached", async () => {
  await using sandbox = await startSandbox();
  await using cwd = await tempDir();
  sandbox.seed(
    "components",
    Array.from({ length: 500 }, (_, index) => ({
      componentUuid: crypto.randomUUID(),
      formId: "basic_component",
      data: { name: `frame ${index}` },
    })),
  );
  const options = { cwd: cwd.path, env: sandboxEnv(sandbox) };
  const [text, json] = await Promise.all([
    runScript("get_records", ["--list-components", "basic_component"], options),
    runScript("get_records", ["--list-components", "basic_component", "--json"], options),
  ]);
  assert.match(
    assertSuccess(text, "list as text"),
    /^500 basic_component components: the server's maximum, there may be more/,
  );
  assert.match(text.stderr, /warning: .*500/);
  const document = JSON.parse(assertSuccess(json, "list as JSON"));
  assert.equal(document.ids.length, 500);
  assert.equal(document.truncated, true);
});

Deno.test("get_records shows a workflow and reports the server's broken workflow list", async () => {
  await using sandbox = await startSandbox();
  await using cwd = await tempDir();
  const [componentUuid] = sandbox.seed("components", [
    { componentUuid: crypto.randomUUID(), formId: "basic_component", data: { name: "APA 1" } },
  ]);
  const [workflowId] = sandbox.seed("workflows", [{
    typeFormId: "APA_Assembly",
    data: { name: "assembly 1" },
    path: [
      { type: "component", formName: "basic_component", result: componentUuid },
      { type: "action", formName: "my_action", result: "" },
    ],
  }]);
  const options = { cwd: cwd.path, env: sandboxEnv(sandbox) };
  const [shown, listed] = await Promise.all([
    runScript("get_records", ["--workflow", workflowId], options),
    runScript("get_records", ["--list-workflows", "APA_Assembly"], options),
  ]);
  const text = assertSuccess(shown, "get_records --workflow");
  assert.ok(text.startsWith(`workflow ${workflowId}`), text);
  assert.match(
    text,
    /1\. component basic_component: [0-9a-f-]{36}\n +2\. action my_action: \(not done\)/,
  );
  assert.match(assertOneLineFailure(listed, 1, "--list-workflows"), /list route is broken/);
});
