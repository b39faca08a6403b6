import { openTable } from "/work/main/scripts/_table.ts";
import { Mapper } from "/work/main/scripts/_mapping.ts";
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
let n = 0;
if (stage === "raw") {
  const f = await Deno.open("/tmp/bk/big200k.csv");
  for await (const c of f.readable.pipeThrough(new TextDecoderStream())) n += c.length;
} else {
  for await (const r of table.records) {
    if (stage === "map") mapper.map(r);
    n++;
  }
}
const s = Deno.readTextFileSync(`/proc/${Deno.pid}/status`);
console.log(stage, n, /VmHWM:\s+(\d+)/.exec(s)![1], "kB", JSON.stringify(Deno.memoryUsage()));
