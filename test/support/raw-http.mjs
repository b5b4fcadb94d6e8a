// Sends raw HTTP/1.1 requests, one connection each, to HOST:PORT and prints, as
// JSON, each one's status code and when its first and last body bytes arrived
// (ms after the request was written). Raw, so a test can send what no client
// library would: CONNECT, an absolute URI, a forged Host header.
// Usage: node raw-http.mjs HOST PORT < requests.json  (a JSON list of request texts)
import net from "net";

const [host, port] = process.argv.slice(2);
const requests = JSON.parse(
  await new Promise((resolve) => {
    let text = "";
    process.stdin.on("data", (c) => (text += c));
    process.stdin.on("end", () => resolve(text));
  }),
);

function send(raw) {
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), host);
    const start = Date.now();
    let received = "";
    let firstBody;
    socket.on("connect", () => socket.write(raw));
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const headEnd = received.indexOf("\r\n\r\n");
      if (firstBody === undefined && headEnd >= 0 && received.length > headEnd + 4)
        firstBody = Date.now() - start;
    });
    const done = () => {
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({
        status,
        firstBodyMs: firstBody ?? null,
        endMs: Date.now() - start,
        body: received.slice(received.indexOf("\r\n\r\n") + 4, 2000),
      });
    };
    socket.on("end", done);
    socket.on("error", done);
    socket.setTimeout(15000, () => socket.destroy());
  });
}

const results = [];
for (const raw of requests) results.push(await send(raw));
process.stdout.write(JSON.stringify(results));
