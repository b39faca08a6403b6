/**
 * The journal file and its in-memory state: entries round-trip in the
 * compact form and in the fallback, a line cut short by a crash is skipped,
 * and the appender starts on a fresh line after it.
 */

import assert from "node:assert/strict";
import { Journal } from "../lib/bulk/journal.ts";
import { JournalState } from "../lib/bulk/journal_state.ts";
import { fingerprint } from "../lib/bulk/fingerprint.ts";

Deno.test("bulk journal state: entries round-trip, compact or not", () => {
  const state = new JournalState();
  const fp = fingerprint({ a: 1 });
  const entries = [
    ["row:1", { id: "6751a2b3c4d5e6f708192a3b", fp, state: "pending" }],
    ["row:70000", { id: "1b4e28ba-2fa1-41d2-883f-0016d3cca427", fp, state: "done" }],
    ["row:3", { id: "6751a2b3c4d5e6f708192a3c", fp: undefined, state: "failed" }],
    ["row:4", { id: "not-an-id", fp, state: "done" }],
    ["key:serial 7", { id: "6751a2b3c4d5e6f708192a3d", fp, state: "done" }],
  ] as const;
  for (const [key, entry] of entries) state.set(key, { ...entry });
  assert.equal(state.size, 5);
  for (const [key, entry] of entries) assert.deepEqual(state.get(key), entry, key);
  state.set("row:1", { id: "6751a2b3c4d5e6f708192a3b", fp, state: "done" });
  assert.equal(state.get("row:1")?.state, "done");
  assert.equal(state.size, 5);
  state.delete("row:70000");
  state.delete("key:serial 7");
  state.delete("row:99");
  assert.equal(state.size, 3);
  assert.equal(state.get("row:70000"), undefined);
  assert.equal(state.get("row:2"), undefined);
});

Deno.test("bulk journal: a line cut short by a crash is skipped; the next run starts a new line", async () => {
  const directory = await Deno.makeTempDir({ prefix: "m2m-journal-" });
  try {
    const path = `${directory}/j.jsonl`;
    await Deno.writeTextFile(
      path,
      '{"t":"start","v":1,"kind":"actions","source":null}\n' +
        '{"t":"intent","k":"row:1","id":"6751a2b3c4d5e6f708192a3b","fp":"00000000000001"}\n' +
        '{"t":"done","k":"row:1","id":"6751a2b3c4d5e6f708192a3b"}\n' +
        '{"t":"intent","k":"row:2","id":"6751a2b3c4d5e6f708192a3c"}\n' +
        '{"t":"done","k":"row:2","id":"6751a2b3c4d5e6f70',
    );
    const journal = await Journal.open(path, { kind: "actions" });
    try {
      assert.equal(journal.unreadableLines, 1);
      assert.deepEqual(journal.get("row:1"), {
        id: "6751a2b3c4d5e6f708192a3b",
        fp: "00000000000001",
        state: "done",
      });
      assert.equal(journal.get("row:2")?.state, "pending");
      journal.done("row:2", "6751a2b3c4d5e6f708192a3c");
    } finally {
      journal.close();
    }
    const lines = (await Deno.readTextFile(path)).split("\n");
    assert.equal(lines.at(-1), "");
    assert.equal(lines.at(-2), '{"t":"done","k":"row:2","id":"6751a2b3c4d5e6f708192a3c"}');
    assert.match(lines.at(-3)!, /^\{"t":"start"/);
    const again = await Journal.open(path, { kind: "actions", readOnly: true });
    assert.equal(again.get("row:2")?.state, "done");
    again.close();
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("bulk journal state: row numbers far apart cost memory by entry, not by number", () => {
  const state = new JournalState();
  const id = "6751aaaaaaaaaaaaaaaaaaaa";
  for (let row = 900_000_000; row < 900_000_010; row++) {
    state.set(`row:${row}`, { id, fp: "00003f3a328a81", state: "done" });
  }
  assert.equal(state.size, 10);
  assert.deepEqual(state.get("row:900000009"), { id, fp: "00003f3a328a81", state: "done" });
});
