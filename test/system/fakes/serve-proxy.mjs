// Stand-in for `tailscale serve` inside the throwaway root: listens on the
// tailscale0 address, port 443 (plain HTTP: the real serve terminates TLS with a
// tailnet certificate), and proxies to the target the shim recorded, setting the
// forwarding headers the way serve does (the client address replaces anything
// the client sent).
import http from "node:http";

const [listenHost, target] = process.argv.slice(2);
const upstream = new URL(target);

http
  .createServer((req, res) => {
    const headers = { ...req.headers };
    headers["x-forwarded-for"] = req.socket.remoteAddress.replace(/^::ffff:/, "");
    headers["x-forwarded-proto"] = "https";
    headers["x-forwarded-host"] = req.headers.host ?? listenHost;
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  })
  .listen(443, listenHost);
