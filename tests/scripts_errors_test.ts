/**
 * How the template scripts fail, run as separate processes: bad input (exit
 * 2, nothing sent), a wrong secret and a stopped sandbox (exit 1), always one
 * stderr line and never a secret.
 */

import assert from "node:assert/strict";
import { startSandbox } from "../sandbox.ts";
import {
  assertOneLineFailure,
  runScript,
  sandboxEnv,
  tempDir,
  TEMPLATE_SCRIPTS,
  type TemplateScript,
} from "./scripts_harness.ts";

const UUID = "5f9ea420-3e88-11ed-9114-03f8483882ff";
const ACTION_ID = "63340ac79708eb30e6403cb9";

/** Arguments that would succeed if the records existed, per script. */
const VALID_ARGS: Record<TemplateScript, string[]> = {
  convert_short_uuid: ["--short-uuid", "sYYtwWFURzCyHVYavMrQDd"],
  create_component: ["--type-form-id", "basic_component", "--set", "name=x"],
  edit_component: ["--uuid", UUID, "--set", "name=x"],
  perform_action: ["--type-form-id", "my_action", "--uuid", UUID, "--set", "measurement=1"],
  edit_action: ["--action-id", ACTION_ID, "--set", "measurement=1"],
  get_records: ["--list-components", "basic_component"],
};

/** Bad command lines, each with a word its error line must contain. */
const BAD_INPUT: [TemplateScript, string[], RegExp][] = [
  [
    "convert_short_uuid",
    ["--short-uuid", "sYYtwWFURzCyHVYavMrQD0"],
    /contains "0", which never appears/,
  ],
  ["convert_short_uuid", ["--short-uuid", "short"], /5 characters/],
  ["convert_short_uuid", [], /at least one --short-uuid/],
  ["create_component", ["--type-form-id", "basic_component", "--data", "[1]"], /JSON object/],
  ["create_component", ["--type-form-id", "basic_component", "--data", "{x"], /not JSON/],
  ["create_component", ["--set", "name=x"], /--type-form-id is required/],
  ["edit_component", ["--uuid", "5f9ea420-3e88-11ed", "--set", "a=1"], /not a full UUID/],
  ["edit_component", ["--uuid", UUID], /at least one --set/],
  ["edit_component", ["--uuid", UUID, "--set", "novalue"], /not field=value/],
  ["perform_action", ["--type-form-id", "my_action", "--uuid", "nope", "--data", "{}"], /UUID/],
  [
    "perform_action",
    ["--type-form-id", "my_action", "--uuid", UUID, "--data-file", "x.json"],
    /--allow-read=x.json/,
  ],
  ["edit_action", ["--action-id", "63340ac79708eb30e6403cbZ", "--set", "a=1"], /24 hex digits/],
  [
    "edit_action",
    ["--action-id", ACTION_ID, "--action-id", ACTION_ID, "--set", "a=1"],
    /more than once/,
  ],
  ["get_records", ["--component", "not-a-uuid"], /not a full UUID/],
  ["get_records", ["--list-forms", "people"], /componentForms/],
  ["get_records", ["--component", UUID, "--list-forms", "actionForms"], /exactly one/],
  ["get_records", ["--bogus"], /Unknown option '--bogus'/],
  ["create_component", ["--instance", "moon", "--type-form-id", "t", "--set", "a=1"], /not one of/],
];

Deno.test("bad input: exit 2, one stderr line naming the problem, and no request sent", async () => {
  await using sandbox = await startSandbox();
  await using cwd = await tempDir();
  const runs = await Promise.all(
    BAD_INPUT.map(([name, args]) =>
      runScript(name, args, { cwd: cwd.path, env: sandboxEnv(sandbox) })
    ),
  );
  runs.forEach((run, index) => {
    const [name, args, expected] = BAD_INPUT[index];
    const context = `${name} ${args.join(" ")}`;
    const line = assertOneLineFailure(run, 2, context);
    assert.match(line, expected, context);
    assert.ok(line.startsWith(`${name}: `), context);
    assert.equal(run.stdout, "", context);
  });
  assert.equal(sandbox.stats.requests, 0, "a script sent a request despite bad input");
});

Deno.test("missing credentials: exit 2 naming the variables, nothing sent", async () => {
  await using cwd = await tempDir();
  const run = await runScript("get_records", VALID_ARGS.get_records, { cwd: cwd.path });
  const line = assertOneLineFailure(run, 2, "no credentials");
  assert.match(line, /M2M_CLIENT_ID/);
});

Deno.test("wrong secret: exit 1, one stderr line, and the secret is never printed", async () => {
  await using sandbox = await startSandbox();
  await using cwd = await tempDir();
  const secret = "wrong-secret-7b1d9e4f0a";
  const env = { ...sandboxEnv(sandbox), M2M_CLIENT_SECRET: secret };
  const runs = await Promise.all(
    TEMPLATE_SCRIPTS.map((name) => runScript(name, VALID_ARGS[name], { cwd: cwd.path, env })),
  );
  runs.forEach((run, index) => {
    const name = TEMPLATE_SCRIPTS[index];
    const line = assertOneLineFailure(run, 1, `${name} with a wrong secret`);
    assert.match(line, /M2M_CLIENT_SECRET|credentials|refused/i, name);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(secret), `${name} printed the secret`);
  });
  assert.equal(sandbox.documents("components").length, 0);
});

Deno.test("stopped sandbox: exit 1 with one stderr line saying the host cannot be reached", async () => {
  const sandbox = await startSandbox();
  const env = sandboxEnv(sandbox);
  await sandbox.close();
  await using cwd = await tempDir();
  const runs = await Promise.all(
    TEMPLATE_SCRIPTS.map((name) => runScript(name, VALID_ARGS[name], { cwd: cwd.path, env })),
  );
  runs.forEach((run, index) => {
    const name = TEMPLATE_SCRIPTS[index];
    const line = assertOneLineFailure(run, 1, `${name} against a stopped sandbox`);
    assert.match(line, new RegExp(`reach|refused|${env.M2M_DB_DOMAIN}`, "i"), name);
  });
});

Deno.test("--json failure still prints nothing on stdout and one line on stderr", async () => {
  await using sandbox = await startSandbox();
  await using cwd = await tempDir();
  const run = await runScript("get_records", ["--component", UUID, "--json"], {
    cwd: cwd.path,
    env: sandboxEnv(sandbox),
  });
  const line = assertOneLineFailure(run, 1, "get_records of a missing component");
  assert.match(line, /no component|not/i);
  assert.equal(run.stdout, "");
});

Deno.test("perform_action on a component that does not exist (exit 1) or of another type (exit 2): one line, nothing stored", async () => {
  await using sandbox = await startSandbox();
  await using cwd = await tempDir();
  const [other] = sandbox.seed("components", [
    { componentUuid: crypto.randomUUID(), formId: "basic_component_2", data: { name: "other" } },
  ]);
  const env = sandboxEnv(sandbox);
  const cases: [string[], RegExp, number][] = [
    [
      ["--type-form-id", "my_action", "--uuid", UUID, "--set", "measurement=1"],
      new RegExp(`no component ${UUID} in the DB at .*: check the component UUID`),
      1,
    ],
    [
      ["--type-form-id", "my_action", "--uuid", other, "--set", "measurement=1"],
      /is a "basic_component_2", but "my_action" actions apply to "basic_component" only/,
      2,
    ],
    [
      ["--type-form-id", "no_such_action", "--uuid", other, "--set", "measurement=1"],
      /no action type form "no_such_action"/,
      1,
    ],
  ];
  for (const [args, expected, code] of cases) {
    const run = await runScript("perform_action", args, { cwd: cwd.path, env });
    const line = assertOneLineFailure(run, code, args.join(" "));
    assert.match(line, expected);
    assert.equal(run.stdout, "");
  }
  assert.equal(sandbox.documents("actions").length, 0);
});
