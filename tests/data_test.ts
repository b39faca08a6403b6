import assert from "node:assert/strict";
import { checkData, checkFieldEdits, checkTypeFormId } from "../lib/data.ts";
import { ValidationError } from "../lib/errors.ts";

function rejects(value: unknown, pattern: RegExp): void {
  assert.throws(() => checkData(value, "data"), (error: Error) => {
    assert.ok(error instanceof ValidationError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("checkData returns a copy of exactly what it checked", () => {
  const data = { name: "x", readings: [1, -3e-4, 12.04], nested: { ok: true, none: null } };
  const copy = checkData(data);
  assert.deepEqual(copy, data);
  assert.notEqual(copy, data);
  const bare = Object.assign(Object.create(null), { a: 1 });
  assert.deepEqual({ ...checkData(bare) }, { a: 1 });
  // A getter is read once: the value sent is the value checked.
  let reads = 0;
  const tricky = {
    get a() {
      return reads++ === 0 ? 1 : NaN;
    },
  };
  assert.equal(JSON.stringify(checkData(tricky)), '{"a":1}');
  // "__proto__" stays a field, it does not become a prototype.
  const proto = JSON.parse('{"__proto__": {"x": 1}}');
  assert.equal(JSON.stringify(checkData(proto)), '{"__proto__":{"x":1}}');
});

Deno.test("checkData refuses what JSON would drop: array properties, deep nesting", () => {
  const readings = Object.assign([1, 2], { note: "calibrated" });
  rejects({ readings }, /data\.readings is an array with a named property "note"/);
  let deep: unknown = 1;
  for (let level = 0; level < 20_000; level++) deep = { deep };
  rejects(deep, /nested more than 200 levels deep/);
});

Deno.test("checkData names the path of each value JSON would change", () => {
  rejects({ readings: [1, 2, 3, NaN] }, /data\.readings\[3\] is NaN/);
  rejects({ a: { b: Infinity } }, /data\.a\.b is Infinity/);
  rejects({ a: -Infinity }, /data\.a is -Infinity/);
  rejects({ a: undefined }, /data\.a is undefined/);
  rejects({ f: () => 1 }, /data\.f is a function/);
  rejects({ s: Symbol("x") }, /data\.s is a symbol/);
  rejects({ big: 10n }, /data\.big is the BigInt 10n/);
  rejects({ when: new Date(0) }, /data\.when is a Date.*toISOString/);
  rejects({ m: new Map() }, /data\.m is a Map/);
  rejects({ "odd key": [1, , 3] }, /data\["odd key"\]\[1\] is an empty array slot/);
  const circular: Record<string, unknown> = { a: {} };
  (circular.a as Record<string, unknown>).back = circular;
  rejects(circular, /data\.a\.back refers back/);
  rejects({ [Symbol("k")]: 1 }, /symbol key/);
});

Deno.test("checkData refuses what is not a plain object", () => {
  for (const value of [null, 1, "x", [1], new Date()]) rejects(value, /plain object/);
  rejects(null, /got null/);
});

Deno.test("a shared (non-circular) sub-object is fine", () => {
  const shared = { unit: "V" };
  assert.doesNotThrow(() => checkData({ a: shared, b: shared }));
});

Deno.test("checkFieldEdits pairs fields with values and checks them", () => {
  assert.deepEqual(checkFieldEdits(["a", "b"], [1, [2]]), { a: 1, b: [2] });
  assert.throws(() => checkFieldEdits(["a"], [1, 2]), /1 names but values has 2/);
  assert.throws(() => checkFieldEdits("a", [1]), /two arrays/);
  assert.throws(() => checkFieldEdits([1], [1]), /fields\[0\]/);
  assert.throws(() => checkFieldEdits(["a", "a"], [1, 2]), /twice/);
  assert.throws(() => checkFieldEdits([], []), /empty/);
  assert.throws(() => checkFieldEdits(["a"], [NaN]), /values\.a is NaN/);
  assert.equal(JSON.stringify(checkFieldEdits(["__proto__"], [1])), '{"__proto__":1}');
});

Deno.test("checkTypeFormId refuses empty and padded IDs", () => {
  assert.equal(checkTypeFormId("my_action"), "my_action");
  for (const bad of ["", " my_action", 3, undefined, ".", ".."]) {
    assert.throws(() => checkTypeFormId(bad), ValidationError);
  }
});
