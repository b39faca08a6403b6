/**
 * `deno task bench`: bulk upload throughput against an in-process sandbox.
 *
 * Four ways to send the same `POST /api/action` requests, at concurrency 1,
 * 4 and 16, on loopback:
 * - **floor**: a bare `fetch` loop with a token fetched beforehand;
 * - **guarded floor**: the same loop with the body sent as a one-chunk
 *   stream, the cheapest way to stop Deno's fetch from silently sending a
 *   write twice: what a fetch-based client that must not duplicate pays
 *   (ours has its own transport, lib/http1, instead);
 * - **PerformAction pool**: the client without the bulk layer;
 * - **ours**: `uploadActions` with a journal, as the script runs it.
 *
 * A 2-core machine's speed drifts by ±20% over seconds, so the four take
 * turns in short batches on one sandbox (the order rotating each round) and
 * each ratio is the median of the per-round ratios. Then concurrency 1 and
 * 16 again with 50 ms added to every reply, and the peak RSS of the upload
 * script on a generated 200,000-row CSV.
 *
 * Options: `--rounds N` (default 10), `--batch N` rows per side per round
 * (default 400), `--latency-rows N` (default 256), `--rss-rows N`
 * (default 200000), `--skip-rss`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Connection, ConnectToAPI, newObjectId, PerformAction } from "../mod.ts";
import { uploadActions } from "../lib/bulk/mod.ts";
import { type Sandbox, startSandbox } from "../sandbox.ts";
import { peakRss } from "./rss.ts";

const COMPONENT = "5f9ea420-3e88-11ed-9114-03f8483882ff";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "10" },
    batch: { type: "string", default: "400" },
    "latency-rows": { type: "string", default: "256" },
    "rss-rows": { type: "string", default: "200000" },
    "skip-rss": { type: "boolean", default: false },
  },
});
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const LATENCY_ROWS = Number(values["latency-rows"]);

function rowData(row: number) {
  return { row, measurement: row / 4, operator: "bench", readings: [row, row + 0.5] };
}

/** Sends `rows` rows with `concurrency` workers; resolves when all are stored. */
type Side = (rows: number, concurrency: number) => Promise<void>;

async function pool(rows: number, concurrency: number, send: (row: number) => Promise<void>) {
  let next = 1;
  const worker = async () => {
    while (next <= rows) await send(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function token(sandbox: Sandbox): Promise<string> {
  const response = await fetch(`${sandbox.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
      audience: sandbox.audience,
      grant_type: "client_credentials",
    }),
  });
  const reply = await response.json() as { access_token: string; token_type: string };
  return `${reply.token_type} ${reply.access_token}`;
}

/** The floor, bare or guarded: the same requests from a plain fetch loop. */
function floor(sandbox: Sandbox, authorization: string, streamed: boolean): Side {
  return (rows, concurrency) =>
    pool(rows, concurrency, async (row) => {
      const json = JSON.stringify({
        actionId: newObjectId(),
        typeFormId: "my_action",
        componentUuid: COMPONENT,
        data: { ...rowData(row), submit: true },
      });
      const bytes = streamed ? new TextEncoder().encode(json) : undefined;
      const response = await fetch(`${sandbox.url}/api/action`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization },
        body: bytes
          ? new ReadableStream({
            start(controller) {
              controller.enqueue(bytes);
              controller.close();
            },
          })
          : json,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`floor: ${response.status} ${text}`);
    });
}

function performActions(connection: Connection): Side {
  return (rows, concurrency) =>
    pool(rows, concurrency, async (row) => {
      await PerformAction("my_action", COMPONENT, rowData(row), connection);
    });
}

/**
 * Ours: one `uploadActions` run for the whole case, as a user's long upload
 * is one run. Rows are let through a batch at a time, so the run takes its
 * turn with the other sides; the journal and the component lookups are set
 * up once, not once per batch.
 */
function ours(connection: Connection, journal: string, concurrency: number) {
  let allowed = 0;
  let finished = false;
  let wakeRows: (() => void) | undefined;
  async function* rows() {
    for (let row = 1;; row++) {
      while (row > allowed && !finished) await new Promise<void>((wake) => wakeRows = wake);
      if (row > allowed) return;
      yield { row, typeFormId: "my_action", component: COMPONENT, data: rowData(row) };
    }
  }
  const results = uploadActions(rows(), { connection, concurrency, journal })[
    Symbol.asyncIterator
  ]();
  let uploaded = 0;
  const side: Side = async (count) => {
    allowed += count;
    wakeRows?.();
    for (const target = uploaded + count; uploaded < target; uploaded++) {
      const next = await results.next();
      if (next.done || !next.value.ok) throw new Error(`ours: ${JSON.stringify(next.value)}`);
    }
  };
  const close = async () => {
    finished = true;
    wakeRows?.();
    while (!(await results.next()).done);
  };
  return { side, close };
}

async function withSandbox<T>(
  latencyMs: number,
  concurrency: number,
  body: (sides: Record<Name, Side>) => Promise<T>,
): Promise<T> {
  const sandbox = await startSandbox({ latencyMs });
  sandbox.seed("components", [{
    componentUuid: COMPONENT,
    formId: "basic_component",
    data: { name: "bench frame" },
  }]);
  const { connection } = await ConnectToAPI({
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    auth0Domain: sandbox.host,
    dbDomain: sandbox.host,
    envFile: "/dev/null",
  });
  const directory = await Deno.makeTempDir({ prefix: "m2m-bench-" });
  const run = ours(connection, `${directory}/bench.journal.jsonl`, concurrency);
  try {
    const authorization = await token(sandbox);
    return await body({
      floor: floor(sandbox, authorization, false),
      guarded: floor(sandbox, authorization, true),
      client: performActions(connection),
      ours: run.side,
    });
  } finally {
    await run.close();
    connection.close();
    await sandbox.close();
    await Deno.remove(directory, { recursive: true });
  }
}

const NAMES = ["floor", "guarded", "client", "ours"] as const;
type Name = typeof NAMES[number];

interface Line {
  case: string;
  rows: number;
  /** Rows per second over all rounds. */
  rate: Record<Name, number>;
  /** Median over rounds of (time of `ours` / time of the other side). */
  slowdown: Record<Name, number>;
}

const median = (list: number[]) => list.toSorted((a, b) => a - b)[Math.floor(list.length / 2)];

async function compare(latencyMs: number, concurrency: number, rounds: number, batch: number) {
  return await withSandbox(latencyMs, concurrency, async (sides): Promise<Line> => {
    // Warm-up (with latency, just enough to open the connections).
    const warmUp = latencyMs ? concurrency : Math.min(batch, 200);
    for (const name of NAMES) await sides[name](warmUp, concurrency);
    const seconds = { floor: [], guarded: [], client: [], ours: [] } as Record<Name, number[]>;
    for (let round = 0; round < rounds; round++) {
      // Rotate who goes first: a drift in machine speed then hits every side alike.
      for (let turn = 0; turn < NAMES.length; turn++) {
        const name = NAMES[(round + turn) % NAMES.length];
        const started = performance.now();
        await sides[name](batch, concurrency);
        seconds[name].push((performance.now() - started) / 1000);
      }
    }
    const total = (name: Name) => seconds[name].reduce((sum, value) => sum + value, 0);
    const rate = Object.fromEntries(
      NAMES.map((name) => [name, (batch * rounds) / total(name)]),
    ) as Record<Name, number>;
    const slowdown = Object.fromEntries(
      NAMES.map((name) => [
        name,
        median(seconds.ours.map((value, round) => value / seconds[name][round])),
      ]),
    ) as Record<Name, number>;
    return {
      case: `c${concurrency}${latencyMs ? `, +${latencyMs} ms` : ""}`,
      rows: batch * rounds,
      rate,
      slowdown,
    };
  });
}

const lines: Line[] = [];
for (const concurrency of [1, 4, 16]) lines.push(await compare(0, concurrency, ROUNDS, BATCH));
// With latency the round trip dominates and runs are steady: one round of the whole set.
for (const concurrency of [1, 16]) lines.push(await compare(50, concurrency, 1, LATENCY_ROWS));

console.log(
  "\n| case | rows/side | ours rows/s | floor rows/s | ours/floor (goal <= 1.15) " +
    "| guarded floor rows/s | ours/guarded | PerformAction pool rows/s | ours/pool |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const { rate, slowdown, ...line } of lines) {
  console.log(
    `| ${line.case} | ${line.rows} | ${rate.ours.toFixed(0)} | ${rate.floor.toFixed(0)} | ` +
      `${slowdown.floor.toFixed(2)} | ${rate.guarded.toFixed(0)} | ${
        slowdown.guarded.toFixed(2)
      } | ` +
      `${rate.client.toFixed(0)} | ${slowdown.client.toFixed(2)} |`,
  );
}
const c1 = lines.find((line) => line.case === "c1, +50 ms")!;
const c16 = lines.find((line) => line.case === "c16, +50 ms")!;
console.log(
  `\nRatios are medians of per-round time ratios (${ROUNDS} rounds of ${BATCH} rows per side).` +
    `\n+50 ms latency: c16/c1 = ${(c16.rate.ours / c1.rate.ours).toFixed(1)}x for ours ` +
    `(goal >= 12x), ${(c16.rate.floor / c1.rate.floor).toFixed(1)}x for the floor`,
);

if (!values["skip-rss"]) {
  const rssRows = Number(values["rss-rows"]);
  for (const submit of [false, true]) {
    const result = await peakRss(rssRows, submit);
    const runs = [[submit ? "--submit" : "dry run", result], ["re-run, all done", result.rerun]];
    for (const [label, run] of runs as [string, typeof result | undefined][]) {
      if (run === undefined) continue;
      console.log(
        `peak RSS, upload_actions ${label}, ${rssRows} rows: ` +
          `${(run.peakKb / 1024).toFixed(0)} MB (goal < 150 MB), ${run.seconds.toFixed(1)} s, ` +
          `exit ${run.code}`,
      );
    }
  }
}
