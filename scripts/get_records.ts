/**
 * Template: read records back: one component, action or workflow (any
 * version, or the whole history), the IDs of all records of a type, or the
 * type forms of a collection.
 *
 * ```sh
 * deno run --no-prompt '--allow-env=M2M_*' \
 *   --allow-read=.env,.env.development,.env.staging,.env.production,.env.sandbox \
 *   --allow-net scripts/get_records.ts --component 5f9ea420-3e88-11ed-9114-03f8483882ff --versions
 * ```
 *
 * @module
 */

import {
  type BaseRecord,
  type Connection,
  GetAction,
  GetActionVersions,
  GetComponent,
  GetComponentVersions,
  GetListOfActions,
  GetListOfComponents,
  GetListOfWorkflows,
  GetWorkflow,
  GetWorkflowVersions,
  type IdList,
  ListTypeForms,
  type RequestHeaders,
  type TypeFormCollection,
} from "../mod.ts";
import {
  denoIO,
  type OptionValues,
  runScript,
  type ScriptIO,
  type ScriptSpec,
  UsageError,
  withConnection,
} from "./_cli.ts";
import { checkObjectIdArg, checkTypeFormIdArg, checkUuidArg, checkVersionArg } from "./_input.ts";

const OPTIONS = {
  component: { type: "string", arg: "UUID", help: "show this component" },
  action: { type: "string", arg: "ID", help: "show this action" },
  workflow: { type: "string", arg: "ID", help: "show this workflow" },
  version: { type: "string", arg: "N", help: "with one of the above: version N, not the latest" },
  versions: { type: "boolean", help: "with one of the above: every version, oldest first" },
  "list-components": { type: "string", arg: "TYPE", help: "UUIDs of the components of a type" },
  "list-actions": { type: "string", arg: "TYPE", help: "IDs of the actions of a type" },
  uuid: { type: "string", arg: "UUID", help: "with --list-actions: only those on this component" },
  "list-workflows": { type: "string", arg: "TYPE", help: "IDs of the workflows of a type" },
  "list-forms": {
    type: "string",
    arg: "COLLECTION",
    help: "type forms of componentForms, actionForms or workflowForms",
  },
} as const;

const QUERIES = [
  "component",
  "action",
  "workflow",
  "list-components",
  "list-actions",
  "list-workflows",
  "list-forms",
] as const;
const COLLECTIONS: readonly TypeFormCollection[] = [
  "componentForms",
  "actionForms",
  "workflowForms",
];

/** Name, options and help of this script. */
export const SPEC: ScriptSpec<typeof OPTIONS> = {
  name: "get_records",
  summary: "show a record (or its versions), or list the records or type forms of a type",
  usage: [
    "(--component UUID | --action ID | --workflow ID) [--version N | --versions] [options]",
    "(--list-components TYPE | --list-actions TYPE [--uuid UUID] | --list-workflows TYPE) [options]",
    "--list-forms componentForms|actionForms|workflowForms [options]",
  ],
  options: OPTIONS,
  examples: [
    "deno task get_records --component 5f9ea420-3e88-11ed-9114-03f8483882ff --versions",
    "deno task get_records --action 63340ac79708eb30e6403cb9 --version 1 --json",
    "deno task get_records --list-actions my_action --uuid 5f9ea420-3e88-11ed-9114-03f8483882ff",
    "deno task get_records --list-forms componentForms",
  ],
};

type Query = (connection: Connection, headers: RequestHeaders) => Promise<unknown>;

/** Text lines describing one record version for a person. */
export function recordLines(record: BaseRecord): string[] {
  const kind = String(record.recordType ?? "record");
  const idField = { component: "componentUuid", action: "actionId", workflow: "workflowId" }[kind];
  const id = String(record[idField ?? "_id"] ?? record._id);
  const type = record.formId ?? record.typeFormId;
  const typeName = record.formName ?? record.typeFormName;
  const lines = [`${kind} ${id}${record.shortUuid ? ` (short UUID ${record.shortUuid})` : ""}`];
  if (type !== undefined) lines.push(`  type       ${type}${typeName ? ` (${typeName})` : ""}`);
  if (kind === "action") lines.push(`  component  ${record.componentUuid}`);
  const user = record.insertion?.user;
  lines.push(
    `  version    ${record.validity.version}, stored ${record.insertion?.insertDate ?? "?"}` +
      (user ? ` by ${user.displayName} (${user.user_id})` : ""),
  );
  if (Array.isArray(record.path)) {
    lines.push("  path");
    record.path.forEach((step: { type?: string; formName?: string; result?: string }, index) =>
      lines.push(`    ${index + 1}. ${step.type} ${step.formName}: ${step.result || "(not done)"}`)
    );
  }
  lines.push("  data");
  for (const [field, value] of Object.entries(record.data)) {
    lines.push(`    ${field}: ${JSON.stringify(value)}`);
  }
  return lines;
}

function idListText(ids: IdList, what: string): string {
  const note = ids.truncated
    ? ": the server's maximum, there may be more that it did not list"
    : ids.length === 0
    ? ""
    : ", newest edit first";
  return [`${ids.length} ${what}${note}`, ...ids.map((id) => `  ${id}`)].join("\n");
}

function pickQuery(
  values: OptionValues<typeof OPTIONS>,
): { query: Query; text: (result: unknown) => string } {
  const given = QUERIES.filter((name) => values[name] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      `give exactly one of ${QUERIES.map((name) => `--${name}`).join(", ")}` +
        (given.length > 1 ? ` (got ${given.map((name) => `--${name}`).join(", ")})` : ""),
    );
  }
  const [name] = given;
  const isRecord = name === "component" || name === "action" || name === "workflow";
  if (!isRecord && (values.version !== undefined || values.versions)) {
    throw new UsageError("--version and --versions go with --component, --action or --workflow");
  }
  if (values.version !== undefined && values.versions) {
    throw new UsageError("give --version N or --versions, not both");
  }
  if (values.uuid !== undefined && name !== "list-actions") {
    throw new UsageError("--uuid goes with --list-actions");
  }
  const version = values.version === undefined ? undefined : checkVersionArg(values.version);
  const records = (result: unknown) =>
    (Array.isArray(result) ? result : [result]).map((record) => recordLines(record).join("\n"))
      .join("\n\n");
  switch (name) {
    case "component": {
      const uuid = checkUuidArg(values.component!, "component");
      return {
        query: (connection, headers) =>
          values.versions
            ? GetComponentVersions(uuid, connection, headers)
            : GetComponent(uuid, connection, headers, version),
        text: records,
      };
    }
    case "action": {
      const id = checkObjectIdArg(values.action!, "action");
      return {
        query: (connection, headers) =>
          values.versions
            ? GetActionVersions(id, connection, headers)
            : GetAction(id, connection, headers, version),
        text: records,
      };
    }
    case "workflow": {
      const id = checkObjectIdArg(values.workflow!, "workflow");
      return {
        query: (connection, headers) =>
          values.versions
            ? GetWorkflowVersions(id, connection, headers)
            : GetWorkflow(id, connection, headers, version),
        text: records,
      };
    }
    case "list-components": {
      const type = checkTypeFormIdArg(values[name]!, name);
      return {
        query: (connection, headers) => GetListOfComponents(type, connection, headers),
        text: (ids) => idListText(ids as IdList, `${type} components`),
      };
    }
    case "list-actions": {
      const type = checkTypeFormIdArg(values[name]!, name);
      const componentUUID = values.uuid === undefined
        ? undefined
        : checkUuidArg(values.uuid, "uuid");
      return {
        query: (connection, headers) =>
          GetListOfActions(type, connection, headers, { componentUUID }),
        text: (ids) =>
          idListText(
            ids as IdList,
            `${type} actions${componentUUID ? ` on component ${componentUUID}` : ""}`,
          ),
      };
    }
    case "list-workflows": {
      const type = checkTypeFormIdArg(values[name]!, name);
      return {
        query: async (connection, headers) => {
          const [ids, completion] = await GetListOfWorkflows(type, connection, headers);
          return ids.map((workflowId, index) => ({ workflowId, completion: completion[index] }));
        },
        text: (rows) => {
          const list = rows as { workflowId: string; completion: unknown }[];
          return [
            `${list.length} ${type} workflows`,
            ...list.map((row) => `  ${row.workflowId}  ${JSON.stringify(row.completion)}`),
          ].join("\n");
        },
      };
    }
    case "list-forms": {
      const collection = values[name]! as TypeFormCollection;
      if (!COLLECTIONS.includes(collection)) {
        throw new UsageError(`--list-forms ${collection}: use one of ${COLLECTIONS.join(", ")}`);
      }
      return {
        query: (connection, headers) => ListTypeForms(collection, connection, headers),
        text: (result) => {
          const forms = result as { formId: string; formName: string; tags?: string[] }[];
          const width = Math.max(0, ...forms.map((form) => form.formId.length)) + 2;
          return [
            `${forms.length} type forms in ${collection}`,
            ...forms.map((form) =>
              `  ${form.formId.padEnd(width)}${form.formName}` +
              (form.tags?.length ? `  [${form.tags.join(", ")}]` : "")
            ),
          ].join("\n");
        },
      };
    }
  }
}

/**
 * Runs the script with command-line `args`; returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await main(["--list-forms", "componentForms", "--json"]);
 * ```
 */
export async function main(args: string[], io: ScriptIO = denoIO): Promise<number> {
  return await runScript(SPEC, args, io, async (values) => {
    const { query, text } = pickQuery(values);
    const result = await withConnection(values, io, query);
    if (values.json) {
      const truncated = (result as Partial<IdList>).truncated;
      const document = truncated === undefined ? result : { ids: result, truncated };
      io.out(JSON.stringify(document, null, 2));
    } else {
      io.out(text(result));
    }
  });
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
