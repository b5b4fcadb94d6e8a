// Stand-in for `tailscale serve` inside the throwaway root: listens on port 443 of
// each tailnet address (plain HTTP: the real serve terminates TLS with a tailnet
// certificate) and proxies to the target the shim recorded, WebSocket upgrades
// included, setting the headers the way serve does: the client's tailnet address
// replaces any X-Forwarded-For the client sent, client-sent Tailscale-User-* headers
// are dropped, and serve's own identity headers for a person's device are added
// (the gateway must not take them as proof of anything).
//
//   node serve-proxy.mjs TARGET LISTEN_ADDRESS...
import http from "node:http";
import net from "node:net";

const [target, ...listenAddresses] = process.argv.slice(2);
const upstream = new URL(target);

function forwardedHeaders(req) {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith("tailscale-user-")) headers[name] = value;
  }
  headers["x-forwarded-for"] = req.socket.remoteAddress.replace(/^::ffff:/, "");
  headers["x-forwarded-proto"] = "https";
  headers["x-forwarded-host"] = req.headers.host ?? "";
  headers["tailscale-user-login"] = "operator@example.com";
  headers["tailscale-user-name"] = "Tailnet Operator";
  return headers;
}

function onRequest(req, res) {
  const forward = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: req.url,
      method: req.method,
      headers: forwardedHeaders(req),
    },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    },
  );
  forward.on("error", () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  // A client that gave up takes its request to the gateway with it, as with serve.
  res.on("close", () => {
    if (!res.writableFinished) forward.destroy();
  });
  req.pipe(forward);
}

// A WebSocket upgrade: the request head rewritten as above, then bytes both ways.
function onUpgrade(req, socket, head) {
  const forward = net.connect(Number(upstream.port), upstream.hostname, () => {
    let lines = `${req.method} ${req.url} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(forwardedHeaders(req))) {
      for (const one of [value].flat()) lines += `${name}: ${one}\r\n`;
    }
    forward.write(lines + "\r\n");
    if (head.length > 0) forward.write(head);
    forward.pipe(socket);
    socket.pipe(forward);
  });
  forward.on("error", () => socket.destroy());
  socket.on("error", () => forward.destroy());
}

for (const address of listenAddresses) {
  http.createServer(onRequest).on("upgrade", onUpgrade).listen(443, address);
}
