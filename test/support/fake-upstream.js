// A stand-in for the upstreams behind the credential gateway, for offline tests.
// Model calls (POST .../messages, .../responses, .../chat/completions) get a
// streaming Anthropic-style answer: with FAKE_COMMANDS (a JSON list) the "model"
// asks the exec tool to run each in turn, then answers with text. Anything else
// (the Bot API) gets what a bot that never receives a message gets. Every request
// is appended to FAKE_LOG as one JSON line: method, path, Host, the credential
// headers, the tools offered and the tool results so far; the test reads it,
// nothing is checked here.
// Env: FAKE_LOG, FAKE_PORT, FAKE_HOST (127.0.0.1), FAKE_TLS_CERT and FAKE_TLS_KEY
// (HTTPS, as the real upstreams behind the credential gateway; else HTTP),
// FAKE_STREAM_GAP_MS (pause between streamed events), FAKE_READY (a file written
// once listening).
const http = require("http");
const https = require("https");
const fs = require("fs");

const commands = JSON.parse(process.env.FAKE_COMMANDS || "[]");
const gap = Number(process.env.FAKE_STREAM_GAP_MS || 0);
const log = (entry) => fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(entry) + "\n");

function stream(res, model, blocks, stopReason) {
  res.writeHead(200, { "content-type": "text/event-stream" });
  const events = [
    [
      "message_start",
      {
        message: {
          id: "msg",
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          usage: { input_tokens: 1, output_tokens: 1 },
        },
      },
    ],
    ...blocks.flatMap(([start, delta], index) => [
      ["content_block_start", { index, content_block: start }],
      ["content_block_delta", { index, delta }],
      ["content_block_stop", { index }],
    ]),
    ["message_delta", { delta: { stop_reason: stopReason }, usage: { output_tokens: 1 } }],
    ["message_stop", {}],
  ];
  const next = (i) => {
    if (i === events.length) return res.end();
    const [type, data] = events[i];
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    if (gap > 0) setTimeout(() => next(i + 1), gap);
    else next(i + 1);
  };
  next(0);
}

/** The Bot API, enough for openclaw's Telegram channel to start and poll: no update ever comes. */
function botApi(req, res, request) {
  const reply = (result) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, result }));
  };
  if (req.url.endsWith("/getMe"))
    return reply({ id: 424242, is_bot: true, first_name: "clawkit", username: "clawkit_test_bot" });
  // A long poll that finds nothing; short, so a test's upstream never holds a request long.
  if (req.url.endsWith("/getUpdates"))
    return setTimeout(() => reply([]), Math.min(Number(request.timeout) || 0, 2) * 1000);
  return reply(true);
}

function answer(req, res, body) {
  let request = {};
  try {
    request = JSON.parse(body);
  } catch {
    // not JSON: a Bot API call or a side call, answered below
  }
  const tools = (request.tools || []).map((t) => t.name);
  const results = (request.messages || [])
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((c) => c.type === "tool_result");
  log({
    method: req.method,
    url: req.url,
    host: req.headers.host,
    apiKey: req.headers["x-api-key"],
    authorization: req.headers.authorization,
    beta: req.headers["anthropic-beta"],
    forwardedFor: req.headers["x-forwarded-for"],
    tools,
    results: results.map((r) => JSON.stringify(r.content)),
    // What a webhook was sent (a model call's body is summed up above instead).
    body: /\/(messages|responses|chat\/completions)$/.test(req.url) ? undefined : body || undefined,
  });
  if (!/\/(messages|responses|chat\/completions)$/.test(req.url)) {
    botApi(req, res, request);
    return;
  }
  if (tools.includes("exec") && results.length < commands.length) {
    const input = JSON.stringify({ command: commands[results.length] });
    stream(
      res,
      request.model,
      [
        [
          { type: "tool_use", id: `toolu_${results.length}`, name: "exec", input: {} },
          { type: "input_json_delta", partial_json: input },
        ],
      ],
      "tool_use",
    );
    return;
  }
  stream(
    res,
    request.model,
    [
      [
        { type: "text", text: "" },
        { type: "text_delta", text: "done" },
      ],
    ],
    "end_turn",
  );
}

const handler = (req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => answer(req, res, body));
};
const server = process.env.FAKE_TLS_CERT
  ? https.createServer(
      {
        cert: fs.readFileSync(process.env.FAKE_TLS_CERT),
        key: fs.readFileSync(process.env.FAKE_TLS_KEY),
      },
      handler,
    )
  : http.createServer(handler);
server.listen(Number(process.env.FAKE_PORT || 443), process.env.FAKE_HOST || "127.0.0.1", () => {
  if (process.env.FAKE_READY) fs.writeFileSync(process.env.FAKE_READY, "ready\n");
});
