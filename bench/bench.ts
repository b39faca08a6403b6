/**
 * `deno task bench`: bulk upload throughput against an in-process sandbox,
 * ours (`uploadActions` with a journal) against the floor (a bare `fetch`
 * loop sending the same POSTs with a token fetched beforehand), at
 * concurrency 1, 4 and 16; then 1 and 16 with 50 ms added to every reply;
 * then the peak RSS of the upload script on a generated 200,000-row CSV.
 *
 * To tell where time goes, two more columns: the floor again with a new
 * connection per write (what our HTTP layer does, so that a dropped
 * keep-alive connection can never make fetch resend a write), and a pool of
 * bare `PerformAction` calls (the client without the bulk layer).
 *
 * Options: `--rows N` (default 2000), `--latency-rows N` (default 256),
 * `--rss-rows N` (default 200000), `--skip-rss`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Connection, ConnectToAPI, newObjectId, PerformAction } from "../mod.ts";
import { uploadActions } from "../lib/bulk/mod.ts";
import { type Sandbox, startSandbox } from "../sandbox.ts";
import { peakRss } from "./rss.ts";

const COMPONENT = "5f9ea420-3e88-11ed-9114-03f8483882ff";

/** Stores the component every row targets: the bulk upload refuses rows on a missing one. */
function seedComponent(sandbox: Sandbox): void {
  sandbox.seed("components", [{
    componentUuid: COMPONENT,
    formId: "basic_component",
    data: { name: "bench frame" },
  }]);
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "2000" },
    "latency-rows": { type: "string", default: "256" },
    "rss-rows": { type: "string", default: "200000" },
    "skip-rss": { type: "boolean", default: false },
  },
});
const ROWS = Number(values.rows);
const LATENCY_ROWS = Number(values["latency-rows"]);

function rowData(row: number) {
  return { row, measurement: row / 4, operator: "bench", readings: [row, row + 0.5] };
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

/** The floor: the same POST /api/action requests from a bare fetch loop. */
async function floor(
  sandbox: Sandbox,
  rows: number,
  concurrency: number,
  fresh: boolean,
): Promise<number> {
  const authorization = await token(sandbox);
  const client = fresh ? Deno.createHttpClient({ poolMaxIdlePerHost: 0 }) : undefined;
  let next = 1;
  const started = performance.now();
  const worker = async () => {
    while (next <= rows) {
      const row = next++;
      const response = await fetch(`${sandbox.url}/api/action`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization },
        body: JSON.stringify({
          actionId: newObjectId(),
          typeFormId: "my_action",
          componentUuid: COMPONENT,
          data: { ...rowData(row), submit: true },
        }),
        ...(client ? { client } : {}),
      } as RequestInit);
      const text = await response.text();
      if (!response.ok) throw new Error(`floor: ${response.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  client?.close();
  return rows / (elapsed / 1000);
}

async function connect(sandbox: Sandbox): Promise<Connection> {
  const { connection } = await ConnectToAPI({
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    auth0Domain: sandbox.host,
    dbDomain: sandbox.host,
    envFile: "/dev/null",
  });
  return connection;
}

/** The client alone: a pool of `PerformAction` calls, no bulk layer, no journal. */
async function client(sandbox: Sandbox, rows: number, concurrency: number): Promise<number> {
  const connection = await connect(sandbox);
  let next = 1;
  const started = performance.now();
  const worker = async () => {
    while (next <= rows) {
      const row = next++;
      await PerformAction("my_action", COMPONENT, rowData(row), connection);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  connection.close();
  return rows / (elapsed / 1000);
}

/** Ours: uploadActions with a journal, as the script runs it. */
async function ours(sandbox: Sandbox, rows: number, concurrency: number): Promise<number> {
  const connection = await connect(sandbox);
  const directory = await Deno.makeTempDir({ prefix: "m2m-bench-" });
  try {
    const input = Array.from({ length: rows }, (_, index) => ({
      row: index + 1,
      typeFormId: "my_action",
      component: COMPONENT,
      data: rowData(index + 1),
    }));
    const started = performance.now();
    const summary = await uploadActions(input, {
      connection,
      concurrency,
      journal: `${directory}/bench.journal.jsonl`,
    }).summary();
    const elapsed = performance.now() - started;
    if (summary.uploaded !== rows) throw new Error(`ours: ${JSON.stringify(summary)}`);
    return rows / (elapsed / 1000);
  } finally {
    connection.close();
    await Deno.remove(directory, { recursive: true });
  }
}

async function measure<T>(latencyMs: number, body: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  // A fresh sandbox each time: its store grows, and every side deserves the same one.
  const sandbox = await startSandbox({ latencyMs });
  seedComponent(sandbox);
  try {
    return await body(sandbox);
  } finally {
    await sandbox.close();
  }
}

interface Line {
  case: string;
  rows: number;
  ours: number;
  floor: number;
  fresh: number;
  client: number;
}

async function compare(latencyMs: number, rows: number, concurrency: number): Promise<Line> {
  // Median of three alternating runs, after a warm-up, so JIT and GC even out.
  await measure(latencyMs, (s) => ours(s, Math.min(rows, 200), concurrency));
  await measure(latencyMs, (s) => floor(s, Math.min(rows, 200), concurrency, false));
  const runs = latencyMs > 0 ? 1 : 3;
  const oursRates: number[] = [];
  const floorRates: number[] = [];
  const freshRates: number[] = [];
  const clientRates: number[] = [];
  for (let run = 0; run < runs; run++) {
    floorRates.push(await measure(latencyMs, (s) => floor(s, rows, concurrency, false)));
    oursRates.push(await measure(latencyMs, (s) => ours(s, rows, concurrency)));
    freshRates.push(await measure(latencyMs, (s) => floor(s, rows, concurrency, true)));
    clientRates.push(await measure(latencyMs, (s) => client(s, rows, concurrency)));
  }
  const median = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  return {
    case: `c${concurrency}${latencyMs ? `, +${latencyMs} ms` : ""}`,
    rows,
    ours: median(oursRates),
    floor: median(floorRates),
    fresh: median(freshRates),
    client: median(clientRates),
  };
}

const lines: Line[] = [];
for (const concurrency of [1, 4, 16]) lines.push(await compare(0, ROWS, concurrency));
for (const concurrency of [1, 16]) lines.push(await compare(50, LATENCY_ROWS, concurrency));

console.log(
  "\n| case | rows | ours rows/s | floor rows/s | floor/ours (goal <= 1.15) " +
    "| floor, new conn. per write | PerformAction pool | bulk layer cost |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const line of lines) {
  const cost = (line.client / line.ours - 1) * 100;
  console.log(
    `| ${line.case} | ${line.rows} | ${line.ours.toFixed(0)} | ${line.floor.toFixed(0)} | ` +
      `${(line.floor / line.ours).toFixed(2)} | ${line.fresh.toFixed(0)} | ` +
      `${line.client.toFixed(0)} | ${cost >= 0 ? "+" : ""}${cost.toFixed(0)}% |`,
  );
}
const c1 = lines.find((line) => line.case === "c1, +50 ms")!;
const c16 = lines.find((line) => line.case === "c16, +50 ms")!;
console.log(
  `\n+50 ms latency: c16/c1 = ${(c16.ours / c1.ours).toFixed(1)}x for ours ` +
    `(goal >= 12x), ${(c16.floor / c1.floor).toFixed(1)}x for the floor`,
);

if (!values["skip-rss"]) {
  const rssRows = Number(values["rss-rows"]);
  for (const submit of [false, true]) {
    const result = await peakRss(rssRows, submit);
    console.log(
      `peak RSS, upload_actions ${submit ? "--submit" : "dry run"}, ${rssRows} rows: ` +
        `${(result.peakKb / 1024).toFixed(0)} MB (goal < 150 MB), ${
          result.seconds.toFixed(1)
        } s, ` +
        `exit ${result.code}`,
    );
  }
}
