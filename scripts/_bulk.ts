/**
 * The shared body of `upload_actions` and `create_components`: read the
 * table (twice when submitting: first to count and check it whole, before
 * any request), map its rows, run the bulk library with progress and
 * Ctrl-C handling, write the failed rows, print the summary, pick the exit
 * code.
 *
 * @module
 */

import {
  type BulkOptions,
  type BulkRun,
  type BulkSummary,
  createComponents,
  uploadActions,
} from "../mod.ts";
import {
  type CONNECTION_OPTIONS,
  EXIT,
  oneLine,
  type OptionSpecs,
  type OptionValues,
  runScript,
  type ScriptIO,
  type ScriptSpec,
  UsageError,
  withConnection,
} from "./_cli.ts";
import { type BULK_OPTIONS, type BulkConfig, bulkConfig, splitInput } from "./_bulk_options.ts";
import { Report, type ScriptResult, shellQuote, summaryLines } from "./_bulk_report.ts";
import { FailedRowsWriter } from "./_failed.ts";
import { idColumnOf, type MappedRow, Mapper } from "./_mapping.ts";
import { ProgressReporter } from "./_progress.ts";
import { openTable, type Table, type TableSpec } from "./_table.ts";

// Run through npx, one Ctrl-C arrives twice: from the terminal and forwarded
// by npx. A second signal this soon after the first is the same keypress.
const SAME_KEYPRESS_MS = 500;

/** Which bulk script is running. */
export interface BulkScript {
  kind: "actions" | "components";
  spec: ScriptSpec<OptionSpecs>;
}

type BulkValues =
  & OptionValues<typeof BULK_OPTIONS & typeof CONNECTION_OPTIONS>
  & { "component-column"?: string };

// Stdin can be read only once, but a submit reads the input twice: keep a copy.
async function spoolStdin(): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "m2m-stdin-" });
  const file = await Deno.open(path, { write: true, truncate: true });
  await Deno.stdin.readable.pipeTo(file.writable);
  return path;
}

async function sniffFormat(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  try {
    const head = new Uint8Array(1024);
    const read = await file.read(head) ?? 0;
    const text = new TextDecoder().decode(head.subarray(0, read)).replace(/^\uFEFF/, "");
    return text.trimStart().startsWith("{") ? "jsonl" : "csv";
  } finally {
    file.close();
  }
}

async function countRows(spec: TableSpec): Promise<number> {
  const table = await openTable(spec);
  let rows = 0;
  for await (const _ of table.records) rows++;
  return rows;
}

function defaultFailedFile(config: BulkConfig, table: Table, journal?: string): string | undefined {
  if (config.failedFile) return config.failedFile;
  const ext = table.format === "jsonl" ? "jsonl" : "csv";
  if (config.input !== "-") return `${config.input}.failed.${ext}`;
  return journal ? `${journal.replace(/\.journal\.jsonl$/, "")}.failed.${ext}` : undefined;
}

// Writing the journal or the failed rows over the input (or each other) would destroy data.
function checkDistinctPaths(paths: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [name, path] of Object.entries(paths)) {
    if (path === undefined) continue;
    const absolute = new URL(path, `file://${Deno.cwd()}/`).pathname;
    const clash = seen.get(absolute);
    if (clash !== undefined) {
      throw new UsageError(`${name} ${path} is the same file as the ${clash}: give another path`);
    }
    seen.set(absolute, name);
  }
}

function startBulk(
  kind: "actions" | "components",
  rows: AsyncIterable<MappedRow>,
  options: BulkOptions,
): BulkRun<ScriptResult> {
  return kind === "actions" ? uploadActions(rows, options) : createComponents(rows, options);
}

/** Runs a bulk script; returns the exit code (0 all done, 1 some rows not, 2 bad usage). */
export async function runBulk(
  script: BulkScript,
  args: string[],
  io: ScriptIO,
): Promise<number> {
  const { inputs, rest } = splitInput(script.spec.options, args);
  let code: number = EXIT.ok;
  const exit = await runScript(script.spec, rest, io, async (parsed) => {
    const values = parsed as BulkValues;
    const config = await bulkConfig(script.kind, inputs, values);
    const stdin = config.input === "-";
    let tempFile: string | undefined;
    try {
      if (stdin) tempFile = await spoolStdin();
      const tableSpec: TableSpec = {
        path: tempFile ?? config.input,
        name: stdin ? "stdin" : config.input,
        format: config.format ?? (stdin ? await sniffFormat(tempFile!) : undefined),
        delimiter: config.delimiter,
        encoding: config.encoding,
        skipLines: config.skipLines,
      };
      const journal = config.journal ?? (stdin ? undefined : `${config.input}.journal.jsonl`);
      if (stdin && config.submit && journal === undefined) {
        throw new UsageError("with stdin and --submit, give --journal FILE so a re-run can resume");
      }
      // Pass 1 (before any request): the whole file must read, and have the rows expected.
      const total = config.submit || config.expectRows !== undefined
        ? await countRows(tableSpec)
        : undefined;
      if (config.expectRows !== undefined && total !== config.expectRows) {
        throw new UsageError(
          `${tableSpec.name} has ${total} data rows, not the ${config.expectRows} of ` +
            `--expect-rows: nothing was sent (is the file complete?)`,
        );
      }
      const table = await openTable(tableSpec);
      try {
        const mapper = new Mapper(config.mapping, table);
        // The journal records how rows are keyed too: resuming with the other
        // keying would match no row and send every one again.
        const keyedBy = config.mapping.keyColumn
          ? ` (rows keyed by column ${JSON.stringify(config.mapping.keyColumn)})`
          : "";
        const source = !journal
          ? undefined
          : (stdin ? "stdin" : await Deno.realPath(config.input)) + keyedBy;
        checkDistinctPaths({
          input: stdin ? undefined : config.input,
          "--journal": journal,
          "--failed-file": config.submit ? defaultFailedFile(config, table, journal) : undefined,
        });
        code = await withConnection(values, io, (connection, headers) =>
          upload(script, config, {
            table,
            mapper,
            total,
            journal,
            failedPath: config.submit ? defaultFailedFile(config, table, journal) : undefined,
            io,
            json: values.json ?? false,
            rerun: ["deno task", script.spec.name, ...args.filter((a) => a !== "--submit")]
              .map((a, i) => (i < 2 ? a : shellQuote(a))).join(" "),
            options: {
              connection,
              headers,
              concurrency: config.concurrency,
              journal,
              source,
              syncJournal: config.syncJournal,
              dryRun: !config.submit,
            },
          }));
      } finally {
        await table.close();
      }
    } finally {
      if (tempFile) await Deno.remove(tempFile).catch(() => {});
    }
  });
  return exit !== EXIT.ok ? exit : code;
}

interface UploadContext {
  table: Table;
  mapper: Mapper;
  total?: number;
  journal?: string;
  failedPath?: string;
  io: ScriptIO;
  json: boolean;
  rerun: string;
  options: BulkOptions;
}

async function upload(
  script: BulkScript,
  config: BulkConfig,
  context: UploadContext,
): Promise<number> {
  const { table, mapper, io } = context;
  const name = script.spec.name;
  const progress = context.total === undefined || context.json
    ? undefined
    : new ProgressReporter({ total: context.total, label: name });
  const stop = new AbortController();
  const abort = new AbortController();
  let stoppedAt = 0;
  const onSignal = () => {
    if (!stop.signal.aborted) {
      stoppedAt = performance.now();
      stop.abort();
      const text = `${name}: stopping: no new requests; waiting for those in flight ` +
        `(press Ctrl-C again to abort them)`;
      if (progress) progress.message(text);
      else io.err(text);
    } else if (performance.now() - stoppedAt > SAME_KEYPRESS_MS) abort.abort();
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  const failed = context.failedPath
    ? new FailedRowsWriter(context.failedPath, table, idColumnOf(script.kind))
    : undefined;
  const report = new Report(io, context.json);
  let summary: BulkSummary;
  try {
    const rows = (async function* () {
      for await (const record of table.records) yield mapper.map(record);
    })();
    const run = startBulk(script.kind, rows, {
      ...context.options,
      stopSignal: stop.signal,
      signal: abort.signal,
      onProgress: progress ? (state) => progress.update(state) : undefined,
    });
    try {
      for await (const result of run) {
        if (result.status === "failed") failed?.write(result.input.record, result.id);
        report.add(result);
      }
    } catch {
      // The run's own error is in the summary, printed below.
    }
    summary = await run.summary();
    // A run refused at the start (journal in use, of another file) processed no row.
    failed?.clearIfUnused(summary.error === undefined || summary.done > 0);
  } finally {
    progress?.stop();
    failed?.close();
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  }
  // Refused before the first row (the journal unusable or in use): the error says it all.
  if (summary.error && summary.done === 0 && !context.json) throw summary.error;
  const total = context.total ?? summary.done;
  if (context.json) {
    report.finishJson(summary, {
      total,
      journal: context.journal,
      failedFile: failed?.count ? failed.path : undefined,
    });
  } else {
    const lines = summaryLines(name, config.submit, total, summary, report, {
      failed: failed?.path,
      failedCount: failed?.count ?? 0,
      journal: context.journal,
      rerun: context.rerun,
      keyed: config.mapping.keyColumn !== undefined,
      previousFailed: failed?.previous,
    });
    for (const line of lines) io.out(line);
  }
  if (summary.error) {
    // Before the first row the input or journal was refused: nothing was sent (exit 2).
    if (summary.done === 0) throw summary.error;
    io.err(`${name}: ${oneLine(summary.error)}`);
    return EXIT.failed;
  }
  const complete = summary.failed === 0 && summary.interrupted === 0 && !summary.stopped;
  return complete ? EXIT.ok : EXIT.failed;
}
