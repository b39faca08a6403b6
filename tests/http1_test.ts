// The HTTP/1.1 transport against a raw TCP server that answers with exactly the bytes a test
// scripts: framing, connection reuse, the server closing, limits, aborts and refused input.

import assert from "node:assert/strict";
import { Http1Connection } from "../lib/http1/connection.ts";
import { Http1Transport } from "../lib/http1/transport.ts";
import { TransportError } from "../lib/errors.ts";
import type { TransportRequest } from "../lib/transport.ts";
import { chunkSize, framing, keepsAlive, parseReplyHead, requestHead } from "../lib/http1/wire.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What the raw server does with one request: the bytes to write, in pieces, then maybe close. */
interface Answer {
  pieces: string[];
  close?: boolean;
}

/**
 * A TCP server that reads one request head (and its content-length body) at a time and writes
 * the scripted answer. `accepted` counts connections; `requests` holds each request's text.
 */
function rawServer(answer: (request: string, index: number) => Answer) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections = new Set<Deno.Conn>();
  const requests: string[] = [];
  let accepted = 0;
  const serve = async (conn: Deno.Conn) => {
    connections.add(conn);
    // One character per byte, so lengths are byte counts.
    const bytes = {
      decode: (chunk: Uint8Array) => Array.from(chunk, (b) => String.fromCharCode(b)).join(""),
    };
    let buffered = "";
    const buffer = new Uint8Array(65536);
    try {
      for (;;) {
        let end: number;
        while ((end = buffered.indexOf("\r\n\r\n")) < 0) {
          const count = await conn.read(buffer);
          if (count === null) return;
          buffered += bytes.decode(buffer.subarray(0, count));
        }
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        while (buffered.length < end + 4 + length) {
          const count = await conn.read(buffer);
          if (count === null) return;
          buffered += bytes.decode(buffer.subarray(0, count));
        }
        const raw = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        const request = decoder.decode(Uint8Array.from(raw, (char) => char.charCodeAt(0)));
        requests.push(request);
        const { pieces, close } = answer(request, requests.length - 1);
        for (const piece of pieces) await conn.write(encoder.encode(piece));
        if (close) return;
      }
    } catch {
      // The client closed first.
    } finally {
      connections.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  };
  const serving: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      accepted++;
      serving.push(serve(conn));
    }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get accepted() {
      return accepted;
    },
    /** Closes the server's side of every open connection. */
    dropConnections() {
      for (const conn of connections) conn.close();
      connections.clear();
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of connections) conn.close();
      await accepting;
      await Promise.all(serving);
    },
  };
}

function get(url: string, options: Partial<TransportRequest> = {}): TransportRequest {
  return {
    method: "GET",
    url,
    headers: { accept: "application/json" },
    signal: new AbortController().signal,
    maxResponseBytes: 1024,
    onTooLarge: (status) => new RangeError(`too large (${status})`),
    ...options,
  };
}

const ok = (body: string, extra = "") => [
  `HTTP/1.1 200 OK\r\ncontent-length: ${encoder.encode(body).length}\r\n${extra}\r\n${body}`,
];

Deno.test("wire: the request head, reply heads, framing, keep-alive and chunk sizes", () => {
  assert.equal(
    requestHead("POST", "/api/action?x=1", "h:8", { a: "b" }, 3),
    "POST /api/action?x=1 HTTP/1.1\r\nhost: h:8\r\na: b\r\ncontent-length: 3\r\n\r\n",
  );
  assert.throws(() => requestHead("GET", "/", "h", { a: "b\r\nx: y" }, undefined), /header "a"/);
  assert.throws(() => requestHead("GET", "/", "h", { "a b": "c" }, undefined), /header "a b"/);
  const head = parseReplyHead("HTTP/1.1 200 OK\r\nSet-Cookie: a\r\nset-cookie: b\r\nX:  y ");
  assert.deepEqual(head, {
    version: "HTTP/1.1",
    status: 200,
    headers: { "set-cookie": "a, b", x: "y" },
  });
  assert.throws(() => parseReplyHead("HTTP/2 200"), /status line/);
  assert.throws(() => parseReplyHead("HTTP/1.1 099 Low"), /status line/);
  assert.throws(() => parseReplyHead("HTTP/1.1 999 High"), /status line/);
  assert.throws(() => parseReplyHead("HTTP/1.1 200 OK\r\nno colon"), /malformed header/);
  const reply = (headers: Record<string, string>, status = 200, version = "HTTP/1.1") => ({
    status,
    version,
    headers,
  });
  assert.deepEqual(framing("GET", reply({ "content-length": "5" })), { kind: "length", length: 5 });
  assert.deepEqual(framing("GET", reply({ "transfer-encoding": "gzip, chunked" })), {
    kind: "chunked",
  });
  assert.deepEqual(framing("GET", reply({ "transfer-encoding": "gzip" })), { kind: "close" });
  assert.deepEqual(framing("GET", reply({})), { kind: "close" });
  assert.deepEqual(framing("GET", reply({ "content-length": "9" }, 204)), { kind: "none" });
  assert.throws(() => framing("GET", reply({ "content-length": "1, 2" })), /content-length/);
  assert.ok(keepsAlive(reply({})));
  assert.ok(!keepsAlive(reply({ connection: "Keep-Alive, Close" })));
  // Both a length and chunked: read as chunked, but the connection is not trusted again.
  assert.ok(!keepsAlive(reply({ "transfer-encoding": "chunked", "content-length": "3" })));
  assert.ok(!keepsAlive(reply({}, 200, "HTTP/1.0")));
  assert.ok(keepsAlive(reply({ connection: "keep-alive" }, 200, "HTTP/1.0")));
  assert.equal(chunkSize("FF ; ext"), 255);
  assert.throws(() => chunkSize("zz"), /chunk size/);
});

Deno.test("one kept-alive connection carries sequential requests; the request is as sent", async () => {
  await using server = rawServer(() => ({ pieces: ok('{"a":1}') }));
  const transport = new Http1Transport();
  try {
    for (let i = 0; i < 3; i++) {
      const reply = await transport.send(get(`${server.url}/api/x?y=${i}#frag`));
      assert.deepEqual([reply.status, reply.text], [200, '{"a":1}']);
    }
    const body = '{"é":"ü"}';
    await transport.send({ ...get(`${server.url}/api/action`), method: "POST", body });
    assert.equal(server.accepted, 1);
    assert.match(server.requests[0], /^GET \/api\/x\?y=0 HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\n/);
    assert.match(server.requests[3], /content-length: 11\r\n\r\n\{"é":"ü"\}$/);
  } finally {
    transport.close();
  }
});

Deno.test("replies: chunked in odd pieces, to the close, after 100 Continue, connection: close", async () => {
  const answers: Answer[] = [
    // A chunked body split mid-character, mid-size-line and mid-CRLF, with a trailer.
    {
      pieces: [
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
        "2\r\nab\r",
        "\n2;x=y\r\n",
        "cd\r\n0\r\nx-trailer: 1\r\n\r\n",
      ],
    },
    { pieces: ["HTTP/1.1 100 Continue\r\n\r\n", ...ok("after")] },
    { pieces: ok("last", "connection: close\r\n") },
    { pieces: ["HTTP/1.0 200 OK\r\n\r\nto the close"], close: true },
  ];
  await using server = rawServer((_request, index) => answers[index]);
  const transport = new Http1Transport();
  try {
    assert.equal((await transport.send(get(server.url))).text, "abcd");
    assert.equal((await transport.send(get(server.url))).text, "after");
    assert.equal(server.accepted, 1);
    assert.equal((await transport.send(get(server.url))).text, "last");
    assert.equal((await transport.send(get(server.url))).text, "to the close");
    assert.equal(server.accepted, 2, "connection: close was honoured");
    assert.equal(transport.openConnections, 0, "a body read to the close leaves no connection");
  } finally {
    transport.close();
  }
});

Deno.test("a multi-byte character split across chunks is decoded whole", async () => {
  const [client, peer] = await pair();
  const connection = new Http1Connection(client);
  try {
    const reply = connection.exchange(
      encoder.encode("GET / HTTP/1.1\r\nhost: x\r\n\r\n"),
      "GET",
      100,
      () => new Error("too large"),
    );
    assert.match(await readSome(peer), /^GET \/ HTTP\/1\.1/);
    const u = encoder.encode("ü");
    for (
      const piece of [
        encoder.encode("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\n"),
        u.subarray(0, 1),
        encoder.encode("\r\n1\r\n"),
        u.subarray(1),
        encoder.encode("\r\n0\r\n\r\n"),
      ]
    ) await peer.write(piece);
    const { text, reusable } = await reply;
    assert.equal(text, "ü");
    assert.ok(reusable);
  } finally {
    connection.close();
    peer.close();
  }
});

async function pair(): Promise<[Deno.Conn, Deno.Conn]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, peer] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port }),
    listener.accept(),
  ]);
  listener.close();
  return [client, peer];
}

async function readSome(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(4096);
  const count = await conn.read(buffer);
  return decoder.decode(buffer.subarray(0, count ?? 0));
}

Deno.test("limits: a reply over maxResponseBytes throws the caller's error and the connection goes", async () => {
  const big = "x".repeat(2000);
  const answers: Answer[] = [
    { pieces: ok(big) },
    { pieces: [`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n7d0\r\n${big}\r\n0\r\n\r\n`] },
    { pieces: [`HTTP/1.1 200 OK\r\n\r\n${big}`], close: true },
    { pieces: ok("small") },
  ];
  await using server = rawServer((_request, index) => answers[index]);
  const transport = new Http1Transport();
  try {
    for (let i = 0; i < 3; i++) {
      await assert.rejects(transport.send(get(server.url)), /^RangeError: too large \(200\)$/);
      assert.equal(transport.openConnections, 0);
    }
    assert.equal((await transport.send(get(server.url))).text, "small");
    assert.equal(server.accepted, 4);
  } finally {
    transport.close();
  }
});

Deno.test("failures say whether the request can have reached the server", async () => {
  const answers: Answer[] = [
    { pieces: [], close: true },
    { pieces: ["HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort"], close: true },
    { pieces: ["SSH-2.0-OpenSSH\r\n\r\n"], close: true },
    { pieces: Array(20).fill("HTTP/1.1 100 Continue\r\n\r\n"), close: true },
    { pieces: ["\x15\x03\x03\x00\x02\x02\x46"], close: true },
  ];
  await using server = rawServer((_request, index) => answers[index]);
  const transport = new Http1Transport();
  try {
    const failure = async (request: TransportRequest) => {
      const error = await transport.send(request).catch((error) => error);
      assert.ok(error instanceof TransportError, String(error));
      return error;
    };
    const dropped = await failure(get(server.url));
    assert.deepEqual([dropped.sent, dropped.message], [
      true,
      "the server closed the connection without a reply",
    ]);
    assert.match((await failure(get(server.url))).message, /in the middle of the reply$/);
    assert.match((await failure(get(server.url))).message, /status line/);
    assert.match((await failure(get(server.url))).message, /only interim replies/);
    assert.match((await failure(get(server.url))).message, /answered in TLS: use https:\/\//);
    assert.equal(server.requests.length, 5);
    // Refused before anything is written: nothing reached the server.
    const injected = await failure(
      get(server.url, { headers: { authorization: "x\r\nx-evil: 1" } }),
    );
    assert.deepEqual([injected.sent, server.accepted], [false, 5]);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const refused = await failure(get(`http://127.0.0.1:${closedPort}/`));
    assert.equal(refused.sent, false);
    assert.equal((await failure(get("ftp://127.0.0.1/"))).sent, false);
  } finally {
    transport.close();
  }
});

Deno.test("a connection the server closes while parked is dropped, and the next request opens a new one", async () => {
  await using server = rawServer(() => ({ pieces: ok("fine") }));
  const transport = new Http1Transport();
  try {
    await transport.send(get(server.url));
    assert.equal(transport.openConnections, 1);
    server.dropConnections();
    // The parked connection's watch sees the close without any request being made.
    for (let tick = 0; tick < 2000 && transport.openConnections > 0; tick++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.equal(transport.openConnections, 0);
    assert.equal((await transport.send(get(server.url))).text, "fine");
    assert.equal(server.accepted, 2);
    assert.equal(server.requests.length, 2, "nothing was written to the closed connection");
  } finally {
    transport.close();
  }
});

Deno.test("a connection idle longer than maxIdleMs is closed, not reused", async () => {
  await using server = rawServer(() => ({ pieces: ok("fine") }));
  let now = 0;
  const transport = new Http1Transport({ maxIdleMs: 4000, now: () => now });
  try {
    await transport.send(get(server.url));
    now += 4000;
    await transport.send(get(server.url));
    assert.equal(server.accepted, 1, "reused within maxIdleMs");
    now += 4001;
    await transport.send(get(server.url));
    assert.equal(server.accepted, 2);
    assert.equal(transport.openConnections, 1);
  } finally {
    transport.close();
  }
});

Deno.test("abort: a request waiting for its reply rejects with the reason and closes its connection", async () => {
  let replied: () => void = () => {};
  const waiting = new Promise<void>((resolve) => replied = resolve);
  await using server = rawServer(() => {
    replied();
    return { pieces: [] };
  });
  const transport = new Http1Transport();
  try {
    const controller = new AbortController();
    const sending = transport.send(get(server.url, { signal: controller.signal }));
    await waiting;
    const reason = new Error("stop");
    controller.abort(reason);
    assert.equal(await sending.catch((error) => error), reason);
    assert.equal(transport.openConnections, 0);
    // Already aborted: nothing is sent.
    await assert.rejects(transport.send(get(server.url, { signal: controller.signal })), /stop/);
    assert.equal(server.requests.length, 1);
  } finally {
    transport.close();
  }
});

Deno.test("close(): a request in flight fails, later ones are refused unsent", async () => {
  let received: () => void = () => {};
  const waiting = new Promise<void>((resolve) => received = resolve);
  await using server = rawServer(() => {
    received();
    return { pieces: [] };
  });
  const transport = new Http1Transport();
  const sending = transport.send(get(server.url)).catch((error) => error);
  await waiting;
  transport.close();
  const error = await sending;
  assert.ok(error instanceof TransportError && error.sent);
  const later = await transport.send(get(server.url)).catch((error) => error);
  assert.ok(later instanceof TransportError && !later.sent);
  assert.equal(server.accepted, 1);
});

Deno.test("abort: an abort landing just as the connection opens is not lost", async () => {
  // The server accepts and never answers: only the abort can end each request.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`;
  const connect = Deno.connect;
  try {
    for (let ticks = 0; ticks < 12; ticks++) {
      const controller = new AbortController();
      const reason = new Error(`abort after ${ticks} ticks`);
      // Abort a given number of microtasks after the connection opens.
      Object.assign(Deno, {
        connect: async (options: Deno.ConnectOptions) => {
          const conn = await connect(options);
          let later = Promise.resolve();
          for (let i = 0; i < ticks; i++) later = later.then(() => {});
          later.then(() => controller.abort(reason));
          return conn;
        },
      });
      const transport = new Http1Transport();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        transport.send(get(url, { signal: controller.signal })).catch((error) => error),
        new Promise((resolve) =>
          timer = setTimeout(() => resolve("still pending after 2 s"), 2000)
        ),
      ]);
      clearTimeout(timer);
      transport.close();
      // Before the connection was handed over: "not sent", with the reason as the cause.
      const unsent = outcome instanceof TransportError && !outcome.sent && outcome.cause === reason;
      assert.ok(outcome === reason || unsent, `${ticks} ticks: ${outcome}`);
    }
  } finally {
    Object.assign(Deno, { connect });
    listener.close();
    await accepting;
    for (const conn of held) conn.close();
  }
});

Deno.test("TLS: a connection cut during the handshake is a retryable failure, not a certificate one", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  const transport = new Http1Transport();
  try {
    const url = `https://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`;
    const error = await transport.send(get(url)).catch((error) => error);
    assert.ok(error instanceof TransportError, String(error));
    assert.deepEqual([error.sent, error.tls], [false, false]);
  } finally {
    transport.close();
    listener.close();
    await accepting;
  }
});

/** A proxy that answers CONNECT with 200 and then relays nothing. */
function mutedProxy() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      held.push(conn);
      await conn.read(new Uint8Array(4096));
      await conn.write(encoder.encode("HTTP/1.1 200 Connection established\r\n\r\n"));
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of held) conn.close();
      await accepting.catch(() => {});
    },
  };
}

Deno.test("proxy: an abort while TLS starts on the tunnel is reported, never thrown from a listener", async () => {
  await using proxy = mutedProxy();
  const startTls = Deno.startTls;
  const controller = new AbortController();
  const reason = new Error("stop");
  // The abort lands while startTls is pending, after it took the tunnel over.
  Object.assign(Deno, {
    startTls: (conn: Deno.TcpConn, options: Deno.StartTlsOptions) => {
      const starting = startTls(conn, options);
      controller.abort(reason);
      return starting;
    },
  });
  const transport = new Http1Transport({ proxy: proxy.url });
  try {
    const error = await transport.send(get("https://127.0.0.1:9/", { signal: controller.signal }))
      .catch((error) => error);
    assert.ok(error instanceof TransportError && !error.sent && error.cause === reason, `${error}`);
    assert.match(error.message, /through the proxy 127\.0\.0\.1:\d+/);
  } finally {
    Object.assign(Deno, { startTls });
    transport.close();
  }
});
