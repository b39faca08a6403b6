import v8 from "node:v8";
if (Deno.env.get("SEMI")) v8.setFlagsFromString(`--max-semi-space-size=${Deno.env.get("SEMI")}`);
import { openTable } from "./scripts/_table.ts";
import { Mapper } from "./scripts/_mapping.ts";
import { uploadActions } from "./lib/bulk/mod.ts";
import { ConnectToAPI } from "./mod.ts";
const stage = Deno.args[0];
const table = await openTable({ path: "/tmp/bk/big200k.csv", name: "big.csv" });
const mapper = new Mapper({
  kind: "actions",
  componentColumn: "component",
  typeFormId: "my_action",
  ignoreColumns: [],
  types: {},
  rename: {},
  constants: {},
  decimalComma: false,
}, table);
const { connection } = await ConnectToAPI({
  clientId: "sandbox-client",
  clientSecret: "sandbox-secret",
  auth0Domain: "127.0.0.1:12313",
  dbDomain: "127.0.0.1:12313",
  envFile: "/dev/null",
});
const rows = (async function* () {
  for await (const r of table.records) yield mapper.map(r);
})();
let n = 0;
if (stage === "iterate") {
  for await (
    const _ of uploadActions(rows, {
      connection,
      dryRun: true,
      concurrency: Number(Deno.args[1] ?? 16),
    })
  ) n++;
} else {
  const gen = (function* () {
    for (let i = 1; i <= 200000; i++) {
      yield {
        row: i,
        typeFormId: "my_action",
        component: "5f9ea420-3e88-11ed-9114-03f8483882ff",
        data: { row: i, m: i / 7, passed: true, comment: "run 7, ok" },
      };
    }
  })();
  for await (
    const _ of uploadActions(gen, {
      connection,
      dryRun: true,
      concurrency: Number(Deno.args[1] ?? 16),
    })
  ) n++;
  await table.close();
}
connection.close();
const s = Deno.readTextFileSync(`/proc/${Deno.pid}/status`);
console.log(stage, n, /VmHWM:\s+(\d+)/.exec(s)![1], "kB", JSON.stringify(Deno.memoryUsage()));
