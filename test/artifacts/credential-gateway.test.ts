import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  CREDENTIAL_PLACEHOLDER,
  renderCredentialGatewayConfig,
  TELEGRAM_TOKEN_PLACEHOLDER,
} from "../../vps/host/credential-gateway";
import { HOST } from "../../vps/host/paths";
import { stageCredentialGateway } from "../support/credential-gateway";
import { makeTestCa } from "../support/test-ca";
import {
  command,
  file,
  NODE24,
  inPrivateNamespaces,
  requirePrerequisites,
  rootUser,
  run,
  tempDir,
} from "../support/tools";

const KEYS = {
  anthropic: "sk-ant-api03-REAL-ANTHROPIC-TESTONLY",
  openai: "sk-proj-REAL-OPENAI-TESTONLY",
  telegram: "987654321:REAL-TELEGRAM-TESTONLY",
};

/** What reached the fake upstream. */
interface UpstreamRequest {
  readonly method: string;
  readonly url: string;
  readonly host: string;
  readonly apiKey?: string;
  readonly authorization?: string;
  readonly forwardedFor?: string;
}

/** What the agent side got back for one raw request. */
interface Result {
  readonly status: number;
  readonly firstBodyMs: number | null;
  readonly endMs: number;
  readonly body: string;
}

/** A raw request the way a client on loopback would write it. */
function request(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = "",
): string {
  const all = {
    Host: `127.0.0.1:${HOST.credentialGatewayPort}`,
    ...headers,
    ...(body ? { "Content-Type": "application/json", "Content-Length": String(body.length) } : {}),
    Connection: "close",
  };
  const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n${body}`;
}

/**
 * Runs the rendered credential gateway (real nginx, all three routes) against a
 * fake upstream over TLS in a private namespace, sends the requests, and returns
 * what came back and what reached the upstream.
 */
function throughGateway(
  requests: string[],
  opts: { untrustedUpstream?: boolean; lockdown?: boolean } = {},
): { results: Result[]; upstream: UpstreamRequest[]; nginx: string } {
  const tmp = tempDir("credgw");
  try {
    stageCredentialGateway(tmp.dir, KEYS, { lockdown: opts.lockdown });
    fs.writeFileSync(path.join(tmp.dir, "requests.json"), JSON.stringify(requests));
    const env: Record<string, string> = { PATH: "/usr/bin:/bin:/usr/sbin:/sbin" };
    if (opts.untrustedUpstream) {
      const other = path.join(tmp.dir, "other-ca");
      fs.mkdirSync(other);
      const ca = makeTestCa(other, ["api.anthropic.com", "api.openai.com", "api.telegram.org"]);
      fs.writeFileSync(path.join(other, "server.crt"), ca.cert);
      fs.writeFileSync(path.join(other, "server.key"), ca.key);
      env.CERT_DIR = other;
    }
    const r = inPrivateNamespaces("credential-gateway-run.sh", [tmp.dir], {
      env,
      timeout: 120_000,
    });
    const read = (name: string) =>
      fs.existsSync(path.join(tmp.dir, name))
        ? fs.readFileSync(path.join(tmp.dir, name), "utf8")
        : "";
    assert.strictEqual(r.status, 0, `${r.stderr}\n${read("credgw.out")}`);
    return {
      results: JSON.parse(read("results.json")) as Result[],
      upstream: read("upstream.log")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as UpstreamRequest),
      nginx: read("credgw.out"),
    };
  } finally {
    tmp.remove();
  }
}

describe("artifacts: the credential gateway (Debian's nginx, the rendered config) [S5]", function () {
  this.timeout(180_000);
  before(function () {
    requirePrerequisites(
      this,
      rootUser(),
      command("unshare"),
      command("openssl"),
      command("curl"),
      file("nginx", "/usr/sbin/nginx", "run .ci/run (it installs every test tool)"),
      file("Node 24", NODE24, "run scripts/install-node-deps.sh"),
    );
  });

  /** nginx -t on a config, in a private mount namespace with the gateway's user known. */
  function nginxTest(conf: string): ReturnType<typeof run> {
    const tmp = tempDir("nginx-t");
    try {
      stageCredentialGateway(tmp.dir, {});
      fs.writeFileSync(
        path.join(tmp.dir, "nginx.conf"),
        conf.split(HOST.credentialGatewayLockdownInclude).join(path.join(tmp.dir, "lockdown.conf")),
      );
      const script = [
        "mount -t tmpfs tmpfs /run",
        `mkdir -p /run/${HOST.credentialGatewayUnit.replace(/\.service$/, "")}`,
        `mount --bind ${tmp.dir}/etc/passwd /etc/passwd`,
        `mount --bind ${tmp.dir}/etc/group /etc/group`,
        `mount --bind ${tmp.dir}/etc/hosts /etc/hosts`,
        `exec /usr/sbin/nginx -t -e stderr -c ${tmp.dir}/nginx.conf`,
      ].join("; ");
      return run("unshare", ["--mount", "--propagation", "private", "sh", "-c", script]);
    } finally {
      tmp.remove();
    }
  }

  it("nginx -t accepts the rendered config, every route on", function () {
    const r = nginxTest(renderCredentialGatewayConfig(["anthropic", "openai", "telegram"]));
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /test is successful/);
  });

  it("nginx -t accepts the rendered config with the alert relay for two chats", function () {
    const conf = renderCredentialGatewayConfig(["telegram"], ["123456789", "-1001234567890"]);
    assert.match(conf, new RegExp(`listen 127\\.0\\.0\\.1:${HOST.alertRelayPort};`));
    const r = nginxTest(conf);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /test is successful/);
  });

  it("nginx -t has teeth: an upstream name that does not resolve fails the check", function () {
    const r = nginxTest(
      renderCredentialGatewayConfig(["anthropic"]).replace(
        "server api.anthropic.com:443;",
        "server no-such-upstream.invalid:443;",
      ),
    );
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /host not found in upstream/);
  });

  it("locked down (clawkit-lockdown): every route answers 403 and nothing reaches an upstream; the health check answers [W7]", function () {
    const { results, upstream } = throughGateway(
      [
        request(
          "POST",
          "/anthropic/v1/messages",
          { "x-api-key": CREDENTIAL_PLACEHOLDER },
          '{"model":"m","max_tokens":1,"messages":[]}',
        ),
        request("POST", "/openai/v1/responses", {}, "{}"),
        request("POST", `/telegram/bot${TELEGRAM_TOKEN_PLACEHOLDER}/sendMessage`, {}, "{}"),
        request("GET", `/telegram/file/bot${TELEGRAM_TOKEN_PLACEHOLDER}/photos/file_1.jpg`),
        request("GET", "/clawkit-health"),
      ],
      { lockdown: true },
    );
    assert.deepStrictEqual(
      results.map((r) => r.status),
      [403, 403, 403, 403, 200],
    );
    assert.deepStrictEqual(upstream, []);
  });

  describe("forwarding", function () {
    const anthropicBody = '{"model":"m","max_tokens":1,"messages":[]}';
    let results: Result[];
    let upstream: UpstreamRequest[];
    before(function () {
      ({ results, upstream } = throughGateway([
        // 0: a model call with the placeholder, and a credential of the agent's own in both headers
        request(
          "POST",
          "/anthropic/v1/messages",
          { "x-api-key": CREDENTIAL_PLACEHOLDER, Authorization: "Bearer agent-own-key" },
          anthropicBody,
        ),
        // 1: OpenAI, Bearer placeholder
        request(
          "POST",
          "/openai/v1/responses",
          { Authorization: `Bearer ${CREDENTIAL_PLACEHOLDER}`, "x-api-key": "agent-own-key" },
          "{}",
        ),
        // 2: Telegram, placeholder token in the path
        request(
          "POST",
          `/telegram/bot${TELEGRAM_TOKEN_PLACEHOLDER}/sendMessage`,
          {},
          '{"chat_id":1}',
        ),
        // 3: a forged Host header
        request("POST", "/anthropic/v1/messages", { Host: "evil.example" }, anthropicBody),
        // 4: an absolute URI naming another host
        request("POST", "http://evil.example/anthropic/v1/messages", {}, anthropicBody),
        // 5: CONNECT
        "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n",
        // 6: a path not on the list, same upstream
        request("GET", "/anthropic/v1/models"),
        // 7: a listed path, wrong method
        request("GET", "/anthropic/v1/messages"),
        // 8: a Bot API method not on the list
        request("POST", `/telegram/bot${TELEGRAM_TOKEN_PLACEHOLDER}/setWebhook`, {}, '{"url":"x"}'),
        // 9: a path that climbs out of a route
        request("POST", "/anthropic/v1/messages/../../openai/v1/responses", {}, "{}"),
        // 10: the bare root, and a path of no route
        request("GET", "/"),
        // 11: Telegram's file download, and one that climbs
        request("GET", `/telegram/file/bot${TELEGRAM_TOKEN_PLACEHOLDER}/photos/file_12.jpg`),
        request("GET", `/telegram/file/bot${TELEGRAM_TOKEN_PLACEHOLDER}/../bot1/getMe`),
      ]));
    });

    it("sets the real key in the provider's own header, whatever the agent sent", function () {
      assert.strictEqual(results[0].status, 200);
      assert.strictEqual(results[1].status, 200);
      const anthropic = upstream.find((u) => u.url === "/v1/messages")!;
      assert.strictEqual(anthropic.apiKey, KEYS.anthropic);
      assert.strictEqual(anthropic.authorization, undefined);
      assert.strictEqual(anthropic.host, "api.anthropic.com");
      const openai = upstream.find((u) => u.url === "/v1/responses")!;
      assert.strictEqual(openai.authorization, `Bearer ${KEYS.openai}`);
      assert.strictEqual(openai.apiKey, undefined);
      assert.strictEqual(openai.host, "api.openai.com");
      for (const u of upstream) assert.strictEqual(u.forwardedFor, undefined);
    });

    it("puts the bot token into Telegram's path, never the placeholder", function () {
      assert.strictEqual(results[2].status, 200);
      const urls = upstream.map((u) => u.url);
      assert.ok(urls.includes(`/bot${KEYS.telegram}/sendMessage`), urls.join(" "));
      assert.ok(urls.includes(`/file/bot${KEYS.telegram}/photos/file_12.jpg`), urls.join(" "));
      assert.ok(!urls.some((u) => u.includes(CREDENTIAL_PLACEHOLDER)));
    });

    it("streams: the first event reaches the agent before the upstream has finished", function () {
      // The fake upstream spaces the six events of its answer 300 ms apart.
      const r = results[0];
      assert.ok(r.firstBodyMs !== null && r.firstBodyMs < 1000, JSON.stringify(r));
      assert.ok(r.endMs >= 1500, JSON.stringify(r));
      assert.ok(r.endMs - r.firstBodyMs! >= 1200, JSON.stringify(r));
      assert.match(r.body, /message_stop/);
    });

    it("cannot be moved to another host: the Host header and an absolute URI still reach the fixed upstream; CONNECT is refused", function () {
      assert.strictEqual(results[3].status, 200);
      assert.strictEqual(results[4].status, 200);
      assert.ok(results[5].status >= 400 && results[5].status < 500, String(results[5].status));
      assert.ok(
        upstream.every((u) => !u.host.includes("evil")),
        JSON.stringify(upstream),
      );
    });

    it("refuses, with 403, every method and path not on its list, and forwards none of them", function () {
      for (const i of [6, 7, 8, 9, 10, 12])
        assert.strictEqual(results[i].status, 403, `request ${i}: ${results[i].status}`);
      assert.strictEqual(results[11].status, 200);
      // Exactly the allowed calls reached the upstream: 0-4 and the file download.
      assert.strictEqual(upstream.length, 6, JSON.stringify(upstream.map((u) => u.url)));
      assert.ok(!upstream.some((u) => /models|setWebhook|getMe/.test(u.url)));
    });
  });

  it("refuses an upstream whose certificate is not from a trusted CA, and sends it nothing", function () {
    const { results, upstream, nginx } = throughGateway(
      [
        request("POST", "/anthropic/v1/messages", {}, "{}"),
        request("POST", `/telegram/bot${TELEGRAM_TOKEN_PLACEHOLDER}/getMe`, {}, "{}"),
      ],
      { untrustedUpstream: true },
    );
    assert.deepStrictEqual(
      results.map((r) => r.status),
      [502, 502],
    );
    assert.deepStrictEqual(upstream, []);
    // The Telegram route's failure is not logged at all: its upstream URL holds the token.
    assert.ok(!nginx.includes(KEYS.telegram), "the bot token is in nginx's error output");
    assert.match(nginx, /certificate verify failed|upstream SSL certificate/);
  });
});
