/**
 * Reading bulk inputs: each parsing edge case is a fixture under
 * tests/fixtures/bulk_*, read through the scripts' table reader.
 */

import assert from "node:assert/strict";
import { UsageError } from "../scripts/_cli.ts";
import { guessDelimiter, openTable, type TableRecord, type TableSpec } from "../scripts/_table.ts";
import { FailedRowsWriter } from "../scripts/_failed.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const U = "5f9ea420-3e88-11ed-9114-03f8483882ff";

async function read(name: string, spec: Partial<TableSpec> = {}) {
  const path = new URL(name, FIXTURES).pathname;
  const table = await openTable({ path, name, ...spec });
  const records: TableRecord[] = [];
  for await (const record of table.records) records.push(record);
  return { table, records };
}

Deno.test("bulk table: a plain CSV gives header, cells, row and line numbers", async () => {
  const { table, records } = await read("bulk_basic.csv");
  assert.equal(table.format, "csv");
  assert.equal(table.delimiter, ",");
  assert.deepEqual(table.header, [
    "component",
    "temperature",
    "passed",
    "operator",
    "serial",
    "note",
  ]);
  assert.deepEqual(records.map((record) => [record.row, record.line]), [[1, 2], [2, 3], [3, 4]]);
  assert.deepEqual(records[0].cells, [U, "12.04", "true", "robot-3", "007", ""]);
});

Deno.test("bulk table: a UTF-8 BOM and CRLF line ends leave no trace", async () => {
  const { table, records } = await read("bulk_bom_crlf.csv");
  assert.deepEqual(table.header, ["component", "temperature"]);
  assert.deepEqual(records.map((record) => record.cells), [[U, "1.5"], [U, "2.5"]]);
});

Deno.test("bulk table: quoted fields keep commas, quotes and newlines; lines stay right", async () => {
  const { records } = await read("bulk_quoted.csv");
  assert.deepEqual(records.map((record) => record.cells?.[1]), [
    "a, b and c",
    'she said "hi"',
    "two\nlines",
    "plain",
  ]);
  assert.deepEqual(records.map((record) => record.line), [2, 3, 4, 6]);
});

Deno.test("bulk table: blank lines, empty records and blank trailing lines are skipped", async () => {
  const { records } = await read("bulk_blank_trailing.csv");
  assert.deepEqual(records.map((record) => [record.row, record.line, record.cells?.[1]]), [
    [1, 2, "1"],
    [2, 4, "2"],
  ]);
});

Deno.test("bulk table: a semicolon export is recognised", async () => {
  const { table, records } = await read("bulk_semicolon.csv");
  assert.equal(table.delimiter, ";");
  assert.deepEqual(records[0].cells, [U, "12,04", "ok, fine"]);
});

Deno.test("bulk table: .tsv means tab; --delimiter overrides a guess", async () => {
  const { table, records } = await read("bulk_tab.tsv");
  assert.equal(table.delimiter, "\t");
  assert.deepEqual(records[0].cells, [U, "7.25", "a, b"]);
  const forced = await read("bulk_semicolon.csv", { delimiter: "," });
  assert.equal(forced.table.delimiter, ",");
  assert.deepEqual(forced.table.header, ["component;temperature;comment"]);
});

Deno.test("bulk table: delimiter guessing ignores quoted delimiters", () => {
  assert.equal(guessDelimiter('"a;b;c",d,e'), ",");
  assert.equal(guessDelimiter("a\tb\tc"), "\t");
  assert.equal(guessDelimiter("single"), ",");
});

Deno.test("bulk table: windows-1252 and latin1 text decodes; as UTF-8 it is refused", async () => {
  const expected = [U, "René", "µm", "€5"];
  for (const encoding of ["windows-1252", "latin1"]) {
    const { records } = await read("bulk_latin1.csv", { encoding });
    assert.deepEqual(records[0].cells, expected, encoding);
  }
  await assert.rejects(() => read("bulk_invalid_utf8.csv"), (error: Error) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /not valid utf-8 text.*--encoding windows-1252/);
    return true;
  });
  await assert.rejects(() => read("bulk_basic.csv", { encoding: "klingon" }), UsageError);
});

Deno.test("bulk table: a preamble is skipped (header row 4); header names keep their spaces", async () => {
  const { table, records } = await read("bulk_preamble.csv", { skipLines: 3 });
  assert.deepEqual(table.header, [" component ", " tension (N) ", "  wire "]);
  assert.deepEqual(records.map((record) => [record.row, record.line, record.cells]), [
    [1, 5, [U, "6.51", "1"]],
    [2, 6, [U, "6.48", "2"]],
  ]);
});

Deno.test("bulk table: JSON Lines gives objects, skips blank lines, numbers lines", async () => {
  const { table, records } = await read("bulk_lines.jsonl");
  assert.equal(table.format, "jsonl");
  assert.deepEqual(records.map((record) => [record.row, record.line]), [[1, 1], [2, 3]]);
  assert.deepEqual(records[0].object?.readings, [1.5, 1.6]);
});

Deno.test("bulk table: a row with the wrong number of cells is a row problem", async () => {
  const { records } = await read("bulk_ragged.csv");
  assert.deepEqual(records.map((record) => record.problem), [
    undefined,
    "it has 2 cells, the header has 3",
    "it has 4 cells, the header has 3",
    undefined,
  ]);
});

Deno.test("bulk table: an unclosed quote fails the whole file, naming the line", async () => {
  await assert.rejects(() => read("bulk_bad_quote.csv"), (error: Error) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /cannot be read as CSV.*line/);
    return true;
  });
});

Deno.test("bulk failed rows: a JSON Lines row is written as the user wrote it, with its ID added", async () => {
  const directory = await Deno.makeTempDir({ prefix: "m2m-failed-" });
  try {
    const input = `${directory}/in.jsonl`;
    const lines = [
      `{"component": "x", "t": 12.040, "unit": "\\u00b0C"}`,
      `{}`,
      `{"component": "x", "m2m_action_id": "6751aaaaaaaaaaaaaaaaaaaa"}`,
      `not json`,
      `{"component": "x", "serial": 12345678901234567890123}`,
    ];
    await Deno.writeTextFile(input, lines.join("\n") + "\n");
    const table = await openTable({ path: input, name: "in.jsonl" });
    const writer = new FailedRowsWriter(
      `${directory}/in.jsonl.failed.jsonl`,
      table,
      "m2m_action_id",
    );
    const ids = [
      "6751bbbbbbbbbbbbbbbbbbbb",
      "6751cccccccccccccccccccc",
      "6751aaaaaaaaaaaaaaaaaaaa",
      undefined,
      "6751dddddddddddddddddddd",
    ];
    let index = 0;
    for await (const record of table.records) writer.write(record, ids[index++]);
    writer.close();
    await table.close();
    const written = (await Deno.readTextFile(writer.path)).trimEnd().split("\n");
    assert.deepEqual(written, [
      `{"component": "x", "t": 12.040, "unit": "\\u00b0C", "m2m_action_id": "6751bbbbbbbbbbbbbbbbbbbb"}`,
      `{"m2m_action_id": "6751cccccccccccccccccccc"}`,
      lines[2],
      lines[3],
      // Refused whole (a number a double would round), still given its ID.
      `{"component": "x", "serial": 12345678901234567890123, "m2m_action_id": "6751dddddddddddddddddddd"}`,
    ]);
    for (const line of written.slice(0, 3)) JSON.parse(line);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
