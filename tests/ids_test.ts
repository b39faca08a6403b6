import assert from "node:assert/strict";
import shortUuid from "short-uuid";
import {
  BASE57,
  checkObjectId,
  checkShortUuid,
  checkUuid,
  fromShortUuid,
  isObjectId,
  isUuid,
  newObjectId,
  newUuidV1,
  shortUuidCandidates,
  toShortUuid,
} from "../lib/ids.ts";
import { ValidationError } from "../lib/errors.ts";

// The reference: the library and version the server uses (API.md header).
const flickr = shortUuid();
const base57 = shortUuid(BASE57);

function randomUuid(): string {
  return crypto.randomUUID();
}

Deno.test("toShortUuid matches short-uuid@4.2.0 on 3000 random UUIDs", () => {
  for (let index = 0; index < 3000; index++) {
    const uuid = randomUuid();
    assert.equal(toShortUuid(uuid), flickr.fromUUID(uuid), uuid);
  }
});

Deno.test("fromShortUuid matches short-uuid@4.2.0 in both alphabets", () => {
  for (let index = 0; index < 3000; index++) {
    const uuid = randomUuid();
    assert.equal(fromShortUuid(flickr.fromUUID(uuid)), uuid);
    assert.equal(fromShortUuid(base57.fromUUID(uuid), "base57"), uuid);
  }
});

Deno.test("edge cases agree with the reference: zeros, ones, leading zeros, wide values", () => {
  const uuids = [
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "00000000-0000-0000-0000-000000000001",
    "0000000f-ffff-0000-0000-00000000abcd",
    "c7a18530-914f-11ef-8a5e-6b1d2c4e8f90",
  ];
  for (const uuid of uuids) {
    assert.equal(toShortUuid(uuid), flickr.fromUUID(uuid));
    assert.equal(fromShortUuid(toShortUuid(uuid)), uuid);
  }
  assert.equal(toShortUuid(uuids[0]), "1111111111111111111111");
  // Wider than 128 bits: the server keeps the first 32 hex digits.
  for (const wide of ["zzzzzzzzzzzzzzzzzzzzzz", "ZZZZZZZZZZZZZZZZZZZZZZ", "zzzzzzzzzzzzzzzzzzzz"]) {
    assert.equal(fromShortUuid(wide), flickr.toUUID(wide));
    assert.equal(fromShortUuid(wide, "base57"), base57.toUUID(wide));
  }
  // Short inputs are left-padded with zeros, like the server.
  assert.equal(fromShortUuid("22222222222222222222"), flickr.toUUID("22222222222222222222"));
});

Deno.test("API.md examples decode as documented", () => {
  assert.equal(toShortUuid("c7a18530-914f-11ef-8a5e-6b1d2c4e8f90"), "qDLUqkToEZawqFaJEqUt79");
  assert.equal(fromShortUuid("sYYtwWFURzCyHVYavMrQDd"), "da820f60-130e-11ed-bf0a-f3cd78f73f46");
});

Deno.test("characters outside an alphabet are a ValidationError naming the character", () => {
  assert.throws(() => fromShortUuid("sYYtwWFURzCyHVYavMrQDl"), (error: Error) => {
    assert.ok(error instanceof ValidationError);
    assert.match(error.message, /"l"/);
    assert.match(error.message, /flickrBase58/);
    return true;
  });
  assert.throws(() => fromShortUuid("1YYtwWFURzCyHVYavMrQDd", "base57"), /"1".*base57/);
  // The reference throws on the same inputs.
  assert.throws(() => flickr.toUUID("sYYtwWFURzCyHVYavMrQDl"));
  assert.throws(() => base57.toUUID("1YYtwWFURzCyHVYavMrQDd"));
  assert.deepEqual(shortUuidCandidates("1YYtwWFURzCyHVYavMrQDd").length, 1);
});

Deno.test("checks: UUID, short UUID, ObjectId", () => {
  assert.equal(
    checkUuid("5F9EA420-3E88-11ED-9114-03F8483882FF"),
    "5f9ea420-3e88-11ed-9114-03f8483882ff",
  );
  for (const bad of ["", "5f9ea420", "5f9ea420-3e88-11ed-9114-03f8483882fg", 42, null]) {
    assert.throws(() => checkUuid(bad), ValidationError);
  }
  assert.equal(checkShortUuid("sYYtwWFURzCyHVYavMrQDd"), "sYYtwWFURzCyHVYavMrQDd");
  assert.throws(() => checkShortUuid("short"), /20 to 22/);
  assert.throws(() => checkShortUuid("sYYtwWFURzCyHVYavMrQ-d"), /"-"/);
  assert.throws(() => checkShortUuid("sYYtwWFURzCyHVYavMrQ0d"), /"0"/);
  assert.equal(checkObjectId("63340AC79708EB30E6403CB9"), "63340ac79708eb30e6403cb9");
  assert.throws(() => checkObjectId("63340ac79708eb30e6403cb"), /24 hex/);
});

Deno.test("newObjectId: valid, unique, timestamp first", () => {
  const ids = new Set(Array.from({ length: 10_000 }, () => newObjectId()));
  assert.equal(ids.size, 10_000);
  for (const id of ids) assert.ok(isObjectId(id));
  const id = newObjectId(Date.UTC(2026, 11, 3) + 1500);
  assert.equal(parseInt(id.slice(0, 8), 16), Date.UTC(2026, 11, 3) / 1000 + 1);
});

Deno.test("newUuidV1: version 1, RFC variant, unique and in order within one millisecond", () => {
  const uuids = Array.from({ length: 3000 }, () => newUuidV1(1_700_000_000_000));
  for (const uuid of uuids) {
    assert.ok(isUuid(uuid), uuid);
    assert.equal(uuid[14], "1", uuid);
    assert.match(uuid[19], /[89ab]/, uuid);
  }
  assert.equal(new Set(uuids).size, uuids.length);
  // The time field (low 32 bits first in the text) counts up in 100-ns steps.
  const low = uuids.map((uuid) => parseInt(uuid.slice(0, 8), 16));
  assert.ok(low.every((value, index) => index === 0 || value === low[index - 1] + 1));
});
