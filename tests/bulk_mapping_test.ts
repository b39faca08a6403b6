/**
 * From table rows to bulk rows: value typing, declared types and the row
 * errors they give (naming row and column), `--map` renames and constants,
 * and mapping mistakes caught before anything is sent.
 */

import assert from "node:assert/strict";
import { UsageError } from "../scripts/_cli.ts";
import { type MappedRow, Mapper, type MappingSpec, parseMapFile } from "../scripts/_mapping.ts";
import { openTable, type Table } from "../scripts/_table.ts";
import { typeCell, typeJsonValue } from "../scripts/_typing.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const U = "5f9ea420-3e88-11ed-9114-03f8483882ff";

function spec(overrides: Partial<MappingSpec> = {}): MappingSpec {
  return {
    kind: "actions",
    componentColumn: "component",
    typeFormId: "my_action",
    ignoreColumns: [],
    types: {},
    rename: {},
    constants: {},
    decimalComma: false,
    ...overrides,
  };
}

async function mapFixture(
  name: string,
  mapping: Partial<MappingSpec>,
  options: { skipLines?: number } = {},
): Promise<MappedRow[]> {
  const table = await openTable({ path: new URL(name, FIXTURES).pathname, name, ...options });
  let mapper: Mapper;
  try {
    mapper = new Mapper(spec(mapping), table);
  } catch (error) {
    await table.close();
    throw error;
  }
  const rows: MappedRow[] = [];
  for await (const record of table.records) rows.push(mapper.map(record));
  return rows;
}

Deno.test("bulk typing: numbers stay numbers, true/false are booleans, empty cells are omitted", () => {
  assert.deepEqual(typeCell("12.04", "auto"), { value: 12.04 });
  assert.deepEqual(typeCell("-3e-4", "auto"), { value: -3e-4 });
  assert.deepEqual(typeCell(" 42 ", "auto"), { value: 42 });
  assert.deepEqual(typeCell("TRUE", "auto"), { value: true });
  assert.deepEqual(typeCell("false", "auto"), { value: false });
  assert.deepEqual(typeCell("", "auto"), { omit: true });
  assert.deepEqual(typeCell("   ", "number"), { omit: true });
  // What a number would change stays text: leading zeros, huge integers, NaN.
  assert.deepEqual(typeCell("007", "auto"), { value: "007" });
  assert.deepEqual(typeCell("12345678901234567890", "auto"), { value: "12345678901234567890" });
  assert.deepEqual(typeCell("NaN", "auto"), { value: "NaN" });
  assert.deepEqual(typeCell(" padded text ", "auto"), { value: " padded text " });
  assert.deepEqual(typeCell("12,04", "auto"), { value: "12,04" });
  assert.deepEqual(typeCell("12,04", "auto", true), { value: 12.04 });
});

Deno.test("bulk typing: declared types parse or give a reason", () => {
  assert.deepEqual(typeCell("007", "number"), { value: 7 });
  assert.deepEqual(typeCell("1e3", "string"), { value: "1e3" });
  assert.deepEqual(typeCell("[1, 2.5]", "json"), { value: [1, 2.5] });
  assert.deepEqual(typeCell("abc", "number"), { error: '"abc" is not a number' });
  assert.deepEqual(typeCell("3.5", "integer"), { error: '"3.5" is not a whole number' });
  assert.deepEqual(typeCell("maybe", "boolean"), { error: '"maybe" is not true or false' });
  assert.match(String((typeCell("[1,", "json") as { error: string }).error), /is not JSON/);
  assert.deepEqual(typeJsonValue("13.5", "number"), { value: 13.5 });
  assert.deepEqual(typeJsonValue("12", "auto"), { value: "12" });
  assert.deepEqual(typeJsonValue(true, "number"), { error: "true is not a number" });
});

Deno.test("bulk mapping: a basic CSV becomes typed action rows", async () => {
  const rows = await mapFixture("bulk_basic.csv", {});
  assert.deepEqual(rows.map((row) => [row.row, row.component, row.typeFormId, row.invalid]), [
    [1, U, "my_action", undefined],
    [2, "sYYtwWFURzCyHVYavMrQDd", "my_action", undefined],
    [3, U, "my_action", undefined],
  ]);
  assert.deepEqual(rows[0].data, {
    temperature: 12.04,
    passed: true,
    operator: "robot-3",
    serial: "007",
  });
  assert.deepEqual(rows[1].data, {
    temperature: -3e-4,
    passed: false,
    operator: "robot-3",
    serial: 0,
    note: "first of two",
  });
  assert.equal(rows[2].data.serial, "12345678901234567890");
});

Deno.test("bulk mapping: a cell that is not its declared type fails its row, naming row and column", async () => {
  const rows = await mapFixture("bulk_types.csv", {
    types: { count: "integer", ratio: "number", flag: "boolean", readings: "json" },
  });
  assert.equal(rows[0].invalid, undefined);
  assert.deepEqual(rows[0].data, {
    count: 3,
    ratio: 0.5,
    flag: true,
    readings: [1, 2],
    text: "ok",
  });
  assert.equal(rows[1].row, 2);
  assert.equal(rows[1].record.line, 3);
  const problems = rows[1].invalid?.split("; ") ?? [];
  assert.deepEqual(problems.slice(0, 3), [
    'column "count": "3.5" is not a whole number',
    'column "ratio": "x" is not a number',
    'column "flag": "maybe" is not true or false',
  ]);
  assert.match(problems[3], /^column "readings": "\[1," is not JSON/);
});

Deno.test("bulk mapping: --map renames, adds constants, declares types, ignores columns", async () => {
  const map = parseMapFile(
    await Deno.readTextFile(new URL("bulk_map.json", FIXTURES)),
    "bulk_map.json",
  );
  const rows = await mapFixture("bulk_basic.csv", { ...map, ignoreColumns: map.ignoreColumns });
  assert.deepEqual(rows[1].data, {
    site: "daresbury",
    calibrated: true,
    temperature_C: -3e-4,
    passed: false,
    operator: "robot-3",
    serial: "0",
  });
});

Deno.test("bulk mapping: trimmed header names, a preamble, European numbers", async () => {
  const rows = await mapFixture("bulk_preamble.csv", {
    types: { "tension (N)": "number" },
  }, { skipLines: 3 });
  assert.deepEqual(rows[0].data, { "tension (N)": 6.51, wire: 1 });
  const european = await mapFixture("bulk_semicolon.csv", { decimalComma: true });
  assert.deepEqual(european.map((row) => row.data), [
    { temperature: 12.04, comment: "ok, fine" },
    { temperature: -0.5 },
  ]);
});

Deno.test("bulk mapping: JSON Lines keeps types; json and number columns parse text", async () => {
  const rows = await mapFixture("bulk_lines.jsonl", {
    types: { temperature: "number", readings: "json" },
  });
  assert.deepEqual(rows.map((row) => row.data), [
    { temperature: 12.04, readings: [1.5, 1.6], label: "12" },
    { temperature: 13.5, readings: [2.5], label: "x" },
  ]);
});

Deno.test("bulk mapping: a JSON number a double would round fails its row instead", async () => {
  const rows = await mapFixture("bulk_big_numbers.jsonl", { types: { readings: "json" } });
  assert.match(
    String(rows[0].invalid),
    /12345678901234567890 cannot be stored as written.*"12345678901234567890"/,
  );
  assert.deepEqual(rows[1].data, { serial: "12345678901234567890", gain: 0.12345678901234567 });
  assert.match(String(rows[2].invalid), /readings.*1e-400 cannot be stored as written/);
  assert.throws(
    () => parseMapFile('{"constants": {"serial": 98765432109876543210}}', "m.json"),
    /--map m.json: the number 98765432109876543210 cannot be stored as written/,
  );
});

Deno.test("bulk mapping: bad components and ragged rows are row errors", async () => {
  const rows = await mapFixture("bulk_ragged.csv", {});
  assert.equal(rows[1].invalid, "it has 2 cells, the header has 3");
  const table: Table = {
    format: "csv",
    delimiter: ",",
    header: ["component", "x"],
    records: (async function* () {})(),
    close: () => Promise.resolve(),
  };
  const mapper = new Mapper(spec(), table);
  const bad = mapper.map({ row: 7, line: 9, cells: ["not-a-uuid", "1"] });
  assert.equal(
    bad.invalid,
    'column "component": "not-a-uuid" is neither a full UUID nor a short UUID',
  );
  assert.equal(
    mapper.map({ row: 8, line: 10, cells: ["", "1"] }).invalid,
    'column "component" is empty',
  );
});

Deno.test("bulk mapping: mistakes in the mapping are usage errors", async () => {
  const cases: [Partial<MappingSpec>, RegExp][] = [
    [{ componentColumn: "uuid" }, /--component-column "uuid" is not a column/],
    [{ componentColumn: undefined }, /--component-column is required/],
    [{ typeFormId: undefined }, /--type-form-id ID or --type-form-column/],
    [{ typeFormColumn: "type" }, /--type-form-id ID or --type-form-column/],
    [{ types: { temprature: "number" } }, /a typed column "temprature" is not a column/],
    [{ rename: { temperature: "passed" } }, /would both fill data.passed/],
    [{ constants: { operator: "x" } }, /data.operator is both a column and a constant/],
  ];
  for (const [overrides, message] of cases) {
    await assert.rejects(() => mapFixture("bulk_basic.csv", overrides), (error: Error) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.match(error.message, message);
      return true;
    });
  }
  assert.throws(() => parseMapFile('{"renames": {}}', "m.json"), /unknown key renames/);
  assert.throws(() => parseMapFile('{"types": {"a": "float"}}', "m.json"), /not one of/);
});

Deno.test("bulk typing: a number a double cannot hold exactly stays text (or fails when declared)", () => {
  for (const text of ["1234567890123456789.5", "1e-400", "9007199254740993"]) {
    assert.deepEqual(typeCell(text, "auto"), { value: text });
    assert.ok("error" in typeCell(text, "number"), text);
  }
  assert.ok((typeCell("-0.000", "number") as { value: number }).value === 0); // -0 is 0
  assert.deepEqual(typeCell("0.12345678901234567", "auto"), { value: 0.12345678901234567 });
});
