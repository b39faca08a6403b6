import assert from "node:assert/strict";
import { Deadlines } from "../lib/deadlines.ts";

function expiry(deadlines: Deadlines): { fired: Promise<number>; clear(): void } {
  const { promise, resolve } = Promise.withResolvers<number>();
  const deadline = deadlines.start(() => resolve(performance.now()));
  return { fired: promise, clear: () => deadline.clear() };
}

Deno.test("Deadlines: a deadline expires after timeoutMs, not before", async () => {
  const deadlines = new Deadlines(30);
  const started = performance.now();
  const firedAt = await expiry(deadlines).fired;
  assert.ok(firedAt - started >= 29, `fired after ${firedAt - started} ms`);
  assert.equal(deadlines.live, 0);
  deadlines.close();
});

Deno.test("Deadlines: cleared ones never fire, the others fire in the order they started", async () => {
  const deadlines = new Deadlines(25);
  const calls: string[] = [];
  const { promise: lastFired, resolve } = Promise.withResolvers<void>();
  const first = deadlines.start(() => calls.push("first"));
  deadlines.start(() => calls.push("second"));
  deadlines.start(() => {
    calls.push("third");
    resolve();
  });
  first.clear();
  first.clear(); // twice is harmless
  assert.equal(deadlines.live, 2);
  await lastFired;
  assert.deepEqual(calls, ["second", "third"]);
  assert.equal(deadlines.live, 0);
  deadlines.close();
});

Deno.test("Deadlines: thousands finished in time leave the one still running to expire", async () => {
  const deadlines = new Deadlines(40);
  const expired: number[] = [];
  const running = expiry(deadlines);
  for (let index = 0; index < 5000; index++) {
    deadlines.start(() => expired.push(index)).clear();
  }
  assert.equal(deadlines.live, 1);
  // The finished ones are not kept behind the one still running.
  assert.ok(deadlines.held <= 2 * deadlines.live + 1024, `${deadlines.held} held`);
  await running.fired;
  assert.deepEqual(expired, []);
  assert.equal(deadlines.live, 0);
  // A deadline started after everything expired is timed again.
  await expiry(deadlines).fired;
  deadlines.close();
});

Deno.test("Deadlines: an idle timer does not keep the process alive", async () => {
  // A program that forgets close() must still exit at once, not when a 60 s timer is due.
  const program = `
    import { Deadlines } from ${
    JSON.stringify(new URL("../lib/deadlines.ts", import.meta.url).href)
  };
    const deadlines = new Deadlines(60_000);
    deadlines.start(() => Deno.exit(3)).clear();
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", program],
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  });
  const { code, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
});
