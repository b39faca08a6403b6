import { Journal } from "./lib/bulk/journal.ts";
const j = await Journal.open("/tmp/bk/big200k.csv.journal.jsonl", {
  kind: "actions",
  readOnly: true,
});
const s = Deno.readTextFileSync(`/proc/${Deno.pid}/status`);
console.log(j.size, /VmHWM:\s+(\d+)/.exec(s)![1], "kB", JSON.stringify(Deno.memoryUsage()));
