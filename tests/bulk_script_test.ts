/**
 * The bulk scripts as a user runs them (separate processes, the task's
 * permission flags) against an in-process sandbox: dry run, exit codes,
 * stdin, `--json`, the `.failed.csv` round trip, and a `kill -9` halfway.
 */

import assert from "node:assert/strict";
import { startSandbox } from "../sandbox.ts";
import {
  bulkCommand,
  COMPONENT,
  csvRows,
  runBulkScript,
  seedComponent,
  storedActionsByRow,
} from "./bulk_helpers.ts";

const MAPPING = ["--component-column", "component", "--type-form-id", "my_action"];

async function workDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "m2m-bulk-script-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

Deno.test("bulk script: a dry run checks every row, sends no write, says how to submit", async () => {
  await using sandbox = await startSandbox();
  seedComponent(sandbox);
  await using dir = await workDir();
  await Deno.writeTextFile(`${dir.path}/in.csv`, csvRows(12));
  const run = await runBulkScript("upload_actions", ["in.csv", ...MAPPING], {
    sandbox,
    cwd: dir.path,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /dry run, nothing was sent: 12 rows: 12 would be uploaded/);
  assert.match(run.stdout, /row 1 \(line 2\): my_action on component 5f9ea420/);
  // The first five rows by number, whatever order they finished in.
  const shown = [...run.stdout.matchAll(/^ {2}row (\d+) \(line/gm)].map((match) => match[1]);
  assert.deepEqual(shown, ["1", "2", "3", "4", "5"]);
  assert.match(run.stdout, /to upload, add --submit: deno task upload_actions in.csv .* --submit/);
  assert.equal(sandbox.stats.stored.actions, 0);
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((entry) => entry.name), ["in.csv"]);
});

Deno.test("bulk script: exit 2 for bad usage or an input refused whole, before any request", async () => {
  await using sandbox = await startSandbox();
  await using dir = await workDir();
  await Deno.writeTextFile(`${dir.path}/in.csv`, csvRows(5));
  await Deno.writeTextFile(`${dir.path}/bad.csv`, `component,x\n${COMPONENT},"open\n`);
  const cases: [string[], RegExp][] = [
    [[...MAPPING], /give the input file/],
    [["in.csv", "--type-form-id", "my_action"], /--component-column is required/],
    [["in.csv", ...MAPPING, "--concurrency", "0"], /--concurrency "0" is not a whole number/],
    [["in.csv", "--component-column", "uuid", "--type-form-id", "my_action"], /not a column/],
    [["in.csv", ...MAPPING, "--submit", "--expect-rows", "6"], /has 5 data rows, not the 6/],
    [["bad.csv", ...MAPPING, "--submit"], /cannot be read as CSV/],
    [["missing.csv", ...MAPPING], /cannot read missing.csv/],
    [["in.csv", ...MAPPING, "--bogus"], /bogus/],
  ];
  for (const [args, message] of cases) {
    const run = await runBulkScript("upload_actions", args, { sandbox, cwd: dir.path });
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
  assert.equal(sandbox.stats.requests, 0, "not even a token was requested");
});

Deno.test("bulk script: stdin JSON Lines with --json uploads and exits 0", async () => {
  await using sandbox = await startSandbox();
  seedComponent(sandbox);
  await using dir = await workDir();
  const lines = [1, 2, 3].map((row) =>
    JSON.stringify({ component: COMPONENT, row, readings: [row, row + 0.5] })
  );
  const run = await runBulkScript(
    "upload_actions",
    ["-", ...MAPPING, "--submit", "--json", "--journal", "stdin.journal.jsonl"],
    { sandbox, cwd: dir.path, stdin: `${lines.join("\n")}\n` },
  );
  assert.equal(run.code, 0, run.stderr);
  const document = JSON.parse(run.stdout);
  assert.equal(document.results.length, 3);
  assert.deepEqual([document.summary.uploaded, document.summary.total], [3, 3]);
  assert.deepEqual(
    sandbox.documents("actions").map((doc) => doc.data).sort((a, b) =>
      JSON.stringify(a) < JSON.stringify(b) ? -1 : 1
    ),
    [1, 2, 3].map((row) => ({ row, readings: [row, row + 0.5], submit: true })),
  );
  const withoutJournal = await runBulkScript("upload_actions", ["-", ...MAPPING, "--submit"], {
    sandbox,
    cwd: dir.path,
    stdin: lines[0],
  });
  assert.equal(withoutJournal.code, 2);
  assert.match(withoutJournal.stderr, /give --journal FILE/);
});

Deno.test("bulk script: failed rows go to .failed.csv; fixing and uploading it stores each row once", async () => {
  await using sandbox = await startSandbox();
  seedComponent(sandbox);
  await using dir = await workDir();
  const input = `${dir.path}/in.csv`;
  const text = csvRows(6).replace(`${COMPONENT},3,0.75`, `${COMPONENT},3,oops`);
  await Deno.writeTextFile(input, text);
  const args = ["in.csv", ...MAPPING, "--types", "measurement:number", "--submit"];
  const first = await runBulkScript("upload_actions", args, { sandbox, cwd: dir.path });
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stdout, /6 of 6 rows .*: 5 uploaded, 0 already done, 1 failed/);
  assert.match(first.stdout, /row 3 \(line 4\): column "measurement": "oops" is not a number/);
  assert.match(
    first.stdout,
    /the failed row is in .*in\.csv\.failed\.csv: fix them there .* leaving out --encoding.*once they are uploaded, re-running the original command counts them as done/,
  );
  const failed = await Deno.readTextFile(`${input}.failed.csv`);
  const [header, row, ...rest] = failed.trim().split("\r\n");
  assert.equal(header, "component,row,measurement,m2m_action_id");
  assert.match(row, new RegExp(`^${COMPONENT},3,oops,[0-9a-f]{24}$`));
  assert.equal(rest.length, 0);
  await Deno.writeTextFile(`${input}.failed.csv`, failed.replace(",oops,", ",0.75,"));
  // Re-running the original before uploading the fix: the edited file is kept, not lost.
  const early = await runBulkScript("upload_actions", args, { sandbox, cwd: dir.path });
  assert.equal(early.code, 1, early.stderr);
  assert.match(
    early.stdout,
    /previous run \(with any corrections made in it\) is now .*\.previous/,
  );
  assert.match(await Deno.readTextFile(`${input}.failed.csv.previous`), /,0\.75,/);
  await Deno.rename(`${input}.failed.csv.previous`, `${input}.failed.csv`);
  const fixed = await runBulkScript("upload_actions", ["in.csv.failed.csv", ...args.slice(1)], {
    sandbox,
    cwd: dir.path,
  });
  assert.equal(fixed.code, 0, fixed.stderr + fixed.stdout);
  // Re-running the original as it was: row 3, still invalid there, is done under its ID.
  const unfixed = await runBulkScript("upload_actions", args, { sandbox, cwd: dir.path });
  assert.equal(unfixed.code, 0, unfixed.stderr + unfixed.stdout);
  assert.match(unfixed.stdout, /0 uploaded, 6 already done, 0 failed/);
  // No failed row now: the old failed-rows file is moved aside, not deleted.
  assert.match(unfixed.stdout, /is now .*in\.csv\.failed\.csv\.previous/);
  await assert.rejects(Deno.stat(`${input}.failed.csv`), Deno.errors.NotFound);
  assert.match(await Deno.readTextFile(`${input}.failed.csv.previous`), /,0\.75,/);
  // Re-running the original, fixed too: row 3 is found under its ID, not sent again.
  await Deno.writeTextFile(input, csvRows(6));
  const again = await runBulkScript("upload_actions", args, { sandbox, cwd: dir.path });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /0 uploaded, 6 already done, 0 failed/);
  assert.deepEqual(
    [...storedActionsByRow(sandbox).entries()].sort(),
    [1, 2, 3, 4, 5, 6].map((
      row,
    ) => [row, 1]),
  );
});

Deno.test("bulk script: kill -9 halfway, re-run: every row stored exactly once", async () => {
  await using sandbox = await startSandbox({ latencyMs: 15 });
  seedComponent(sandbox);
  await using dir = await workDir();
  const rows = 300;
  await Deno.writeTextFile(`${dir.path}/in.csv`, csvRows(rows));
  const args = ["in.csv", ...MAPPING, "--submit", "--concurrency", "4"];
  const child = bulkCommand("upload_actions", args, { sandbox, cwd: dir.path }).spawn();
  const journal = `${dir.path}/in.csv.journal.jsonl`;
  const doneLines = () => {
    try {
      return Deno.readTextFileSync(journal).split('"t":"done"').length - 1;
    } catch {
      return 0;
    }
  };
  const deadline = Date.now() + 20_000;
  while (doneLines() < rows / 3) {
    assert.ok(Date.now() < deadline, "the journal never showed progress");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill("SIGKILL");
  const killed = await child.output();
  assert.equal(killed.signal, "SIGKILL");
  const storedAtKill = sandbox.stats.stored.actions;
  assert.ok(storedAtKill > 0 && storedAtKill < rows, `${storedAtKill} stored at the kill`);
  const rerun = await runBulkScript("upload_actions", args, { sandbox, cwd: dir.path });
  assert.equal(rerun.code, 0, rerun.stderr + rerun.stdout);
  assert.match(rerun.stdout, new RegExp(`${rows} of ${rows} rows`));
  const counts = storedActionsByRow(sandbox);
  assert.equal(counts.size, rows);
  assert.deepEqual([...counts.values()].filter((count) => count !== 1), [], "no duplicates");
});

Deno.test("bulk script: Ctrl-C stops gracefully: in-flight rows finish, summary printed, re-run completes", async () => {
  // Replies slow enough that requests are still in flight at the second signal.
  await using sandbox = await startSandbox({ latencyMs: 60 });
  seedComponent(sandbox);
  await using dir = await workDir();
  const rows = 300;
  await Deno.writeTextFile(`${dir.path}/in.csv`, csvRows(rows));
  const args = ["in.csv", ...MAPPING, "--submit", "--concurrency", "4"];
  const child = bulkCommand("upload_actions", args, { sandbox, cwd: dir.path }).spawn();
  const journal = `${dir.path}/in.csv.journal.jsonl`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const text = await Deno.readTextFile(journal).catch(() => "");
    if (text.split('"t":"done"').length > 120) break;
    assert.ok(Date.now() < deadline, "the journal never showed progress");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // A terminal and npx both deliver one Ctrl-C: a second signal right after the
  // first (once the script says it is stopping) is the same keypress.
  child.kill("SIGINT");
  const stdoutText = new Response(child.stdout).text();
  const errors = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  while (!/stopping: no new requests/.test(stderr)) {
    const { done, value } = await errors.read();
    assert.ok(!done, `ended before saying it was stopping: ${stderr}`);
    stderr += value;
  }
  child.kill("SIGINT");
  for (let part; !(part = await errors.read()).done;) stderr += part.value;
  const stopped = await child.status;
  const stdout = await stdoutText;
  assert.equal(stopped.code, 1, stderr);
  assert.match(stderr, /stopping: no new requests/);
  assert.match(stderr, /\d+\/300 rows \(\d+%\), \d+ rows\/s/, "a progress line");
  assert.match(stdout, /0 failed\nstopped before the end: \d+ rows not started/);
  const journalText = await Deno.readTextFile(journal);
  const intents = journalText.split('"t":"intent"').length - 1;
  const dones = journalText.split('"t":"done"').length - 1;
  assert.equal(intents, dones, "every request sent before the stop has its outcome journaled");
  assert.equal(sandbox.stats.stored.actions, dones);
  const rerun = await runBulkScript("upload_actions", args, { sandbox, cwd: dir.path });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(
    rerun.stdout,
    new RegExp(`${rows - dones} uploaded, ${dones} already done, 0 failed`),
  );
  assert.deepEqual([...storedActionsByRow(sandbox).values()], Array(rows).fill(1));
});

Deno.test("bulk script: create_components with a type column and a key column, then a re-run", async () => {
  await using sandbox = await startSandbox();
  await using dir = await workDir();
  await Deno.writeTextFile(
    `${dir.path}/boards.tsv`,
    "serial\ttype\tname\nB-1\tbasic_component\tBoard 1\nB-2\tbasic_component_2\tBoard 2\n" +
      "B-3\tbasic_component\tBoard 3\n",
  );
  const args = ["boards.tsv", "--type-form-column", "type", "--key-column", "serial", "--submit"];
  // A dry run shows what would be created, not UUIDs a real run would not use.
  const dry = await runBulkScript("create_components", args.slice(0, -1), {
    sandbox,
    cwd: dir.path,
  });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /row 1 \(line 2\): basic_component \{"serial":"B-1","name":"Board 1"\}/);
  assert.doesNotMatch(dry.stdout, /[0-9a-f]{8}-[0-9a-f]{4}-/);
  const first = await runBulkScript("create_components", args, { sandbox, cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /3 uploaded, 0 already done, 0 failed/);
  const documents = sandbox.documents("components");
  for (const document of documents) {
    const serial = (document.data as { serial: string }).serial;
    assert.match(
      first.stdout,
      new RegExp(`row ${serial.slice(2)} \\(line \\d\\): ${document.componentUuid}`),
    );
  }
  assert.deepEqual(
    documents.map((doc) => [doc.formId, (doc.data as { serial: string }).serial]).sort(),
    [["basic_component", "B-1"], ["basic_component", "B-3"], ["basic_component_2", "B-2"]],
  );
  // The key column matches rows by value: reordered, the file is still done.
  await Deno.writeTextFile(
    `${dir.path}/boards.tsv`,
    "serial\ttype\tname\nB-3\tbasic_component\tBoard 3\nB-1\tbasic_component\tBoard 1\n" +
      "B-2\tbasic_component_2\tBoard 2\n",
  );
  const again = await runBulkScript("create_components", args, { sandbox, cwd: dir.path });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /0 uploaded, 3 already done, 0 failed/);
  assert.equal(sandbox.documents("components").length, 3);
});

Deno.test("bulk script: output paths that clash with the input, or a journal keyed another way, are refused", async () => {
  await using sandbox = await startSandbox();
  seedComponent(sandbox);
  await using dir = await workDir();
  await Deno.writeTextFile(`${dir.path}/in.csv`, csvRows(3));
  const base = ["in.csv", ...MAPPING, "--submit"];
  for (const extra of [["--failed-file", "in.csv"], ["--journal", "./in.csv"]]) {
    const run = await runBulkScript("upload_actions", [...base, ...extra], {
      sandbox,
      cwd: dir.path,
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /is the same file as the input/);
  }
  const first = await runBulkScript("upload_actions", base, { sandbox, cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);
  const keyed = await runBulkScript("upload_actions", [...base, "--key-column", "row"], {
    sandbox,
    cwd: dir.path,
  });
  assert.equal(keyed.code, 2, keyed.stderr + keyed.stdout);
  assert.equal(sandbox.documents("actions").length, 3);
});

Deno.test("bulk script: a first run with a wrong option is put right through its failed-rows file", async () => {
  await using sandbox = await startSandbox();
  seedComponent(sandbox);
  await using dir = await workDir();
  await Deno.writeTextFile(`${dir.path}/in.csv`, csvRows(5));
  const typo = ["in.csv", "--component-column", "component", "--type-form-id", "my_actoin"];
  const first = await runBulkScript("upload_actions", [...typo, "--submit"], {
    sandbox,
    cwd: dir.path,
  });
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stdout, /0 uploaded, 0 already done, 5 failed/);
  assert.equal(sandbox.documents("actions").length, 0);
  // The original with the option corrected: stopped, pointing at the failed-rows file.
  const args = ["in.csv", ...MAPPING, "--submit"];
  const corrected = await runBulkScript("upload_actions", args, { sandbox, cwd: dir.path });
  assert.notEqual(corrected.code, 0);
  assert.match(
    corrected.stdout + corrected.stderr,
    /if those were wrong, upload its failed-rows file \(\.failed\.csv\) with the right ones/,
  );
  assert.equal(sandbox.documents("actions").length, 0);
  const fixed = await runBulkScript("upload_actions", ["in.csv.failed.csv", ...args.slice(1)], {
    sandbox,
    cwd: dir.path,
  });
  assert.equal(fixed.code, 0, fixed.stderr + fixed.stdout);
  const again = await runBulkScript("upload_actions", args, { sandbox, cwd: dir.path });
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /0 uploaded, 5 already done, 0 failed/);
  assert.deepEqual([...storedActionsByRow(sandbox).values()], [1, 1, 1, 1, 1]);
});
