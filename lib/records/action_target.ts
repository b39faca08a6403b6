/**
 * Is this component a valid target for this action type? The server checks
 * neither that the component exists nor that the action type applies to it
 * (API.md §5): an action on a mistyped UUID would be stored and reported as a
 * success. These checks let the tools refuse it before anything is written.
 *
 * @module
 */

import type { Connection, RequestHeaders } from "../connection.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { checkUuid, quote } from "../ids.ts";
import { checkTypeFormId } from "../data.ts";
import { GetComponent } from "./components.ts";
import { GetTypeForm } from "./forms.ts";
import type { CallOptions } from "./record.ts";

function context(error: NotFoundError) {
  const { method, path, status, serverMessage, attempts } = error;
  return { method, path, status, serverMessage, attempts };
}

/**
 * The type form ID of component `componentUuid` (one GET); a
 * {@linkcode NotFoundError} naming the UUID and `where` to look when there
 * is no such component.
 */
export async function componentTypeOf(
  componentUuid: string,
  connection: Connection,
  headers: RequestHeaders | undefined,
  where: string,
  signal?: AbortSignal,
): Promise<string> {
  try {
    const component = await GetComponent(componentUuid, connection, headers, undefined, { signal });
    return component.formId;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new NotFoundError(
      `no component ${componentUuid} in the DB at ${connection.dbBaseUrl}: check ${where} ` +
        `(a typo?) and that you use the right instance`,
      { ...context(error), cause: error },
    );
  }
}

/**
 * The component types the action type form `typeFormId` applies to (one
 * GET), empty when the form lists none; a {@linkcode NotFoundError} when
 * there is no such action type form.
 */
export async function actionComponentTypes(
  typeFormId: string,
  connection: Connection,
  headers: RequestHeaders | undefined,
  signal?: AbortSignal,
): Promise<readonly string[]> {
  try {
    const form = await GetTypeForm("actionForms", typeFormId, connection, headers, { signal });
    const types = form.componentTypes;
    return Array.isArray(types) ? types.filter((type) => typeof type === "string") : [];
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new NotFoundError(
      `no action type form ${quote(typeFormId)} in the DB at ${connection.dbBaseUrl}: ` +
        `check the type form ID`,
      { ...context(error), cause: error },
    );
  }
}

/**
 * A {@linkcode ValidationError} when `componentTypes` is not empty and does
 * not hold `componentType`: the action type does not apply to that component.
 */
export function checkComponentFits(
  typeFormId: string,
  componentUuid: string,
  componentType: string,
  componentTypes: readonly string[],
): void {
  if (componentTypes.length === 0 || componentTypes.includes(componentType)) return;
  throw new ValidationError(
    `component ${componentUuid} is a ${quote(componentType)}, but ${quote(typeFormId)} ` +
      `actions apply to ${componentTypes.map((type) => quote(type)).join(", ")} only: check ` +
      `the component and the action type`,
  );
}

/**
 * Checks that component `componentUUID` exists and that actions of type
 * `actionTypeFormID` apply to its type (two GETs, in parallel); returns the
 * component's type form ID. Throws a {@linkcode NotFoundError} for a missing
 * component or action type, a {@linkcode ValidationError} for a mismatch.
 * `PerformAction` does not call it (it stays one request, as the server
 * works); the `perform_action` script and the bulk upload do.
 *
 * @example
 * ```ts ignore
 * await CheckComponentForAction("my_action", componentUUID, connection);
 * const actionID = await PerformAction("my_action", componentUUID, { measurement: 12.04 }, connection);
 * ```
 */
export async function CheckComponentForAction(
  actionTypeFormID: string,
  componentUUID: string,
  connection: Connection,
  headers?: RequestHeaders,
  options: CallOptions = {},
): Promise<string> {
  const typeFormId = checkTypeFormId(actionTypeFormID, "actionTypeFormID");
  const componentUuid = checkUuid(componentUUID, "componentUUID");
  const componentTypes = actionComponentTypes(typeFormId, connection, headers, options.signal);
  componentTypes.catch(() => {}); // awaited below, after the component's own error if any
  const componentType = await componentTypeOf(
    componentUuid,
    connection,
    headers,
    "the component UUID",
    options.signal,
  );
  checkComponentFits(typeFormId, componentUuid, componentType, await componentTypes);
  return componentType;
}
