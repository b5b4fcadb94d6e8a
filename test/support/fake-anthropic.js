// A stand-in for Anthropic's streaming Messages API, for offline agent turns.
// FAKE_COMMANDS (JSON list): the "model" asks the exec tool to run each in turn,
// then answers with text. Every request is appended to FAKE_LOG as one JSON line
// (the tools offered, and the result of the last tool call), for the test to read.
const http = require("http");
const fs = require("fs");

const commands = JSON.parse(process.env.FAKE_COMMANDS || "[]");
const log = (entry) => fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(entry) + "\n");

function stream(res, model, blocks, stopReason) {
  res.writeHead(200, { "content-type": "text/event-stream" });
  const send = (type, data) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send("message_start", {
    message: {
      id: "msg",
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    },
  });
  blocks.forEach(([start, delta], index) => {
    send("content_block_start", { index, content_block: start });
    send("content_block_delta", { index, delta });
    send("content_block_stop", { index });
  });
  send("message_delta", { delta: { stop_reason: stopReason }, usage: { output_tokens: 1 } });
  send("message_stop", {});
  res.end();
}

http
  .createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      let request = {};
      try {
        request = JSON.parse(body);
      } catch {
        // not JSON: answered as a side call below
      }
      const tools = (request.tools || []).map((t) => t.name);
      const results = (request.messages || [])
        .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
        .filter((c) => c.type === "tool_result");
      log({ url: req.url, tools, results: results.map((r) => JSON.stringify(r.content)) });
      if (
        !req.url.includes("/messages") ||
        !tools.includes("exec") ||
        results.length >= commands.length
      ) {
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
        return;
      }
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
    });
  })
  .listen(Number(process.env.FAKE_PORT), "127.0.0.1");
