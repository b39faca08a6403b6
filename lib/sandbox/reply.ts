/**
 * Replies as the live server writes them: Express JSON bodies, the default
 * error pages of Express's finalhandler (production mode), and the headers
 * every reply carries.
 *
 * @module
 */

/** A complete HTTP reply, or an instruction to drop the connection. */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** Header names in lowercase. */
  headers: Record<string, string>;
  /** Body text (UTF-8). */
  body: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Headers NEW sends on every reply. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  "x-powered-by": "Express",
  "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
};

/** An Express `res.status(status).json(value)` reply. */
export function jsonReply(
  status: number,
  value: unknown,
  extra: Record<string, string> = {},
): Reply {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...extra },
    // res.json(undefined) sends an empty body, which JSON.stringify reports as undefined.
    body: JSON.stringify(value) ?? "",
  };
}

/** A route's own `res.status(500).json({ error: err.toString() })`. */
export function errorReply(status: number, errorText: string): Reply {
  return jsonReply(status, { error: errorText });
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/**
 * The page Express's finalhandler sends for an error that no route caught;
 * in production the message is only the status text.
 */
export function htmlErrorPage(status: number, message = STATUS_TEXT[status] ?? "Error"): Reply {
  const body = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<title>Error</title>\n</head>\n<body>\n<pre>${escapeHtml(message)}</pre>\n</body>\n</html>\n`;
  return {
    status,
    headers: {
      "content-security-policy": "default-src 'none'",
      "x-content-type-options": "nosniff",
      "content-type": "text/html; charset=utf-8",
    },
    body,
  };
}

/** The 404 page for a path no route matches: "Cannot GET /the/path". */
export function notFoundPage(method: string, rawPath: string): Reply {
  return htmlErrorPage(404, `Cannot ${method} ${encodeUrl(rawPath)}`);
}

// Like the encodeurl package: escape what is not allowed in a URL, keep existing %XX escapes.
function encodeUrl(path: string): string {
  return path.replace(
    /%(?![0-9A-Fa-f]{2})|[^\x21\x23-\x3B\x3D\x3F-\x5F\x61-\x7A\x7C\x7E%]+/g,
    (part) => part === "%" ? "%25" : encodeURI(part),
  );
}

/** A 401 from the sandbox's token check (the real server never verifies tokens). */
export function unauthorizedReply(reason: string): Reply {
  return jsonReply(401, { error: reason }, {
    "www-authenticate": `Bearer error="invalid_token", error_description="${
      reason.replaceAll('"', "'")
    }"`,
  });
}
