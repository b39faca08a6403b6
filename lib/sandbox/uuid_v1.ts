/**
 * Time-based (version 1) UUIDs, the kind the server's `newComponentUUID`
 * route hands out, with a random node ID as the `uuid` package uses.
 *
 * @module
 */

// 100-ns intervals between the Gregorian reform (1582-10-15) and the Unix epoch.
const GREGORIAN_OFFSET = 0x01b21dd213814000n;

const node = crypto.getRandomValues(new Uint8Array(6));
node[0] |= 0x01; // multicast bit: marks the node ID as random, not a MAC address (RFC 4122 §4.5)
let clockSequence = crypto.getRandomValues(new Uint16Array(1))[0] & 0x3fff;
let lastMs = -Infinity;
let ticks = 0;

function hex(value: bigint | number, digits: number): string {
  return value.toString(16).padStart(digits, "0");
}

/**
 * Returns a new lowercase v1 UUID for the time `nowMs`; successive calls in
 * the same millisecond count up in 100-ns steps, so every value is unique.
 */
export function newUuidV1(nowMs: number = Date.now()): string {
  const ms = Math.floor(nowMs);
  if (ms > lastMs) {
    ticks = 0;
  } else if (ms < lastMs) {
    // The clock went back: a new clock sequence keeps the values unique.
    clockSequence = (clockSequence + 1) & 0x3fff;
    ticks = 0;
  } else if (++ticks >= 10000) {
    clockSequence = (clockSequence + 1) & 0x3fff;
    ticks = 0;
  }
  lastMs = ms;
  const time = BigInt(ms) * 10000n + BigInt(ticks) + GREGORIAN_OFFSET;
  const timeLow = time & 0xffffffffn;
  const timeMid = (time >> 32n) & 0xffffn;
  const timeHigh = ((time >> 48n) & 0x0fffn) | 0x1000n;
  const sequence = clockSequence | 0x8000;
  const nodeHex = Array.from(node, (byte) => hex(byte, 2)).join("");
  return `${hex(timeLow, 8)}-${hex(timeMid, 4)}-${hex(timeHigh, 4)}-${hex(sequence, 4)}-${nodeHex}`;
}
