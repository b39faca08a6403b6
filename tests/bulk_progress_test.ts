/**
 * The progress report: one line redrawn in place on a terminal, plain lines
 * every so many rows elsewhere, and no timer left behind.
 */

import assert from "node:assert/strict";
import type { BulkProgress } from "../lib/bulk/mod.ts";
import { ProgressReporter } from "../scripts/_progress.ts";

function progress(done: number, failed = 0, alreadyDone = 0): BulkProgress {
  return {
    done,
    uploaded: done - failed - alreadyDone,
    alreadyDone,
    wouldUpload: 0,
    failed,
    interrupted: 0,
    inFlight: 4,
    elapsedMs: 0,
  };
}

Deno.test("bulk progress: a terminal gets one line redrawn, with rate, ETA and failures", () => {
  const written: string[] = [];
  const reporter = new ProgressReporter({
    total: 1000,
    label: "upload_actions",
    tty: true,
    write: (text) => written.push(text),
  });
  reporter.update(progress(250, 2));
  reporter.update(progress(260, 2)); // within 100 ms of the last draw: skipped
  reporter.message("a note");
  reporter.stop();
  assert.ok(written[0].startsWith("\r\x1b[2K"), "clears the line and redraws it");
  assert.match(
    written[0].slice(5),
    /^upload_actions: 250\/1000 rows \(25%\), \d+ rows\/s, ETA .+, 2 failed$/,
  );
  assert.equal(written.filter((text) => text.includes("260/1000")).length, 2, "message, stop");
  assert.equal(written.at(-1)?.endsWith("\n"), true);
});

Deno.test("bulk progress: elsewhere, a plain line every tenth of the rows", () => {
  const written: string[] = [];
  const reporter = new ProgressReporter({
    total: 2000,
    label: "create_components",
    tty: false,
    write: (text) => written.push(text),
  });
  for (let done = 1; done <= 2000; done++) reporter.update(progress(done, 0, 100));
  reporter.stop();
  assert.equal(written.length, 10);
  assert.ok(written.every((line) => !line.includes("\r") && line.endsWith("\n")));
  assert.match(
    written[9],
    /^create_components: 2000\/2000 rows \(100%\), .*0 failed, 100 already done\n$/,
  );
});

Deno.test("bulk progress: on a re-run, rows already done count toward the rate and the ETA", () => {
  let clock = 0;
  const reporter = new ProgressReporter({
    total: 2000,
    label: "upload_actions",
    tty: false,
    write: () => {},
    now: () => clock,
  });
  clock = 1000;
  assert.match(reporter.line(progress(200, 0, 198)), /200 rows\/s, ETA 9 s,/);
  reporter.stop();
});
