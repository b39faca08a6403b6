/**
 * The shared command-line helpers of the scripts, in-process: option
 * parsing, `--set` values, data reading, help text and exit codes.
 */

import assert from "node:assert/strict";
import { ApiError, NotFoundError, ValidationError } from "../mod.ts";
import {
  EXIT,
  exitCodeOf,
  helpText,
  oneLine,
  parseOptions,
  type ScriptIO,
  UsageError,
} from "../scripts/_cli.ts";
import { checkShortUuidArg, checkVersionArg, parseSets, readData } from "../scripts/_input.ts";
import { main as convertMain, SPEC as CONVERT_SPEC } from "../scripts/convert_short_uuid.ts";

/** An io that keeps what a script wrote; stdin holds `stdin`. */
function captureIO(stdin = ""): ScriptIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    readStdin: () => Promise.resolve(stdin),
  };
}

Deno.test("parseSets: JSON values stay typed, anything else stays text", () => {
  const { fields, values } = parseSets([
    "mass=12.5",
    "ok=true",
    "none=null",
    "readings=[1,2]",
    "serial=007",
    'quoted="true"',
    "name=Frame 7=b",
    "empty=",
  ]);
  assert.deepEqual(fields, ["mass", "ok", "none", "readings", "serial", "quoted", "name", "empty"]);
  assert.deepEqual(values, [12.5, true, null, [1, 2], "007", "true", "Frame 7=b", ""]);
  assert.throws(() => parseSets(["mass"]), UsageError);
  assert.throws(() => parseSets(["=1"]), UsageError);
  assert.throws(() => parseSets(["a=1", "a=2"]), /more than once/);
});

Deno.test("parseOptions: strict, repeatable options collect, single ones given twice fail", () => {
  const options = {
    "short-uuid": { type: "string", multiple: true, help: "" },
    uuid: { type: "string", help: "" },
    json: { type: "boolean", help: "" },
  } as const;
  assert.deepEqual(parseOptions(options, ["--short-uuid", "a", "--short-uuid", "b", "--json"]), {
    "short-uuid": ["a", "b"],
    json: true,
  });
  assert.throws(() => parseOptions(options, ["--uuid", "a", "--uuid", "b"]), /more than once/);
  assert.throws(() => parseOptions(options, ["--nope"]), UsageError);
  assert.throws(() => parseOptions(options, ["positional"]), UsageError);
  assert.throws(() => parseOptions(options, ["--uuid"]), UsageError);
});

Deno.test("readData: --data, --data-file - (stdin) and --set on top; bad data is a UsageError", async () => {
  assert.deepEqual(await readData({ data: '{"a":1}', set: ["b=x"] }, captureIO()), {
    a: 1,
    b: "x",
  });
  assert.deepEqual(await readData({ "data-file": "-", set: ["a=2"] }, captureIO('{"a":1}')), {
    a: 2,
  });
  for (const bad of ["[1]", "null", "3", "{oops"]) {
    await assert.rejects(readData({ data: bad }, captureIO()), UsageError, bad);
  }
  await assert.rejects(readData({}, captureIO()), /no data/);
  await assert.rejects(readData({ data: "{}", "data-file": "-" }, captureIO()), /not both/);
});

Deno.test("argument checks name the option and the problem", () => {
  assert.equal(checkShortUuidArg("sYYtwWFURzCyHVYavMrQDd"), "sYYtwWFURzCyHVYavMrQDd");
  assert.throws(
    () => checkShortUuidArg("sYYtwWFURzCyHVYavMrQDl"),
    /contains "l", which never appears on a label/,
  );
  assert.throws(() => checkShortUuidArg("sYYtw"), /5 characters/);
  assert.equal(checkVersionArg("3"), 3);
  for (const bad of ["0", "-1", "1.5", "x"]) assert.throws(() => checkVersionArg(bad), UsageError);
});

Deno.test("exit codes: 2 when nothing was sent, 1 for failures of the request", () => {
  assert.equal(exitCodeOf(new UsageError("x")), EXIT.usage);
  assert.equal(exitCodeOf(new ValidationError("x")), EXIT.usage);
  assert.equal(exitCodeOf(new NotFoundError("x")), EXIT.failed);
  assert.equal(exitCodeOf(new ApiError("x", { status: 500 })), EXIT.failed);
  assert.equal(exitCodeOf(new TypeError("x")), EXIT.failed);
  assert.equal(oneLine(new ApiError("a\n  <html>\n b")), "a <html> b");
});

Deno.test("helpText lists every option, the permissions (quoted for zsh) and the exit codes", () => {
  const help = helpText(CONVERT_SPEC);
  for (const part of ["--short-uuid SHORT", "(repeatable)", "--env-file FILE", "-h, --help"]) {
    assert.ok(help.includes(part), part);
  }
  assert.ok(help.includes("'--allow-env=M2M_*'"));
  assert.match(help, /Exit codes:\n {2}0 {2}success/);
});

Deno.test("main() can be called in-process: a bad short UUID returns 2 before connecting", async () => {
  const io = captureIO();
  assert.equal(await convertMain(["--short-uuid", "sYYtwWFURzCyHVYavMrQD0"], io), EXIT.usage);
  assert.deepEqual(io.stdout, []);
  assert.equal(io.stderr.length, 1);
  assert.match(
    io.stderr[0],
    /^convert_short_uuid: --short-uuid .* contains "0", which never appears/,
  );
  const help = captureIO();
  assert.equal(await convertMain(["-h"], help), EXIT.ok);
  assert.match(help.stdout[0], /^convert_short_uuid: /);
});
