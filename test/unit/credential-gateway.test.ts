import * as assert from "assert";
import { credentialRoutes, renderBundle, renderHostEnv } from "../../vps/host/bundle";
import {
  CREDENTIAL_PLACEHOLDER,
  CREDENTIAL_UPSTREAMS,
  credentialInclude,
  credentialGatewayUrl,
  CredentialRoute,
  renderCredentialGatewayConfig,
  renderCredentialGatewayUnit,
  TELEGRAM_TOKEN_PLACEHOLDER,
} from "../../vps/host/credential-gateway";
import { renderAgentEgressRules } from "../../vps/host/firewall";
import { renderGatewayUnit } from "../../vps/host/gateway-unit";
import { renderOpenclawConfig } from "../../vps/host/openclaw-config";
import { HOST } from "../../vps/host/paths";
import { credentialKey, renderHostSecrets } from "../../vps/host/secrets";
import { sampleSettings } from "../support/samples";

const ALL: CredentialRoute[] = ["anthropic", "openai", "telegram"];

/** The body of the location block that starts with `head` in an nginx config. */
function location(conf: string, head: string): string {
  const start = conf.indexOf(`    location ${head} {`);
  assert.ok(start >= 0, `no location ${head}`);
  return conf.slice(start, conf.indexOf("\n    }", start));
}

describe("credential gateway: the agent holds no credential [S4]", function () {
  const settings = sampleSettings();
  const conf = renderCredentialGatewayConfig(ALL);

  it("openclaw.json holds the credential gateway's addresses and placeholders, no credential [S1]", function () {
    const config = JSON.parse(renderOpenclawConfig(settings.openclaw));
    for (const p of ["anthropic", "openai"] as const) {
      assert.strictEqual(config.models.providers[p].baseUrl, credentialGatewayUrl(p));
      assert.strictEqual(config.models.providers[p].apiKey, CREDENTIAL_PLACEHOLDER);
    }
    assert.match(
      config.models.providers.anthropic.headers["anthropic-beta"],
      /interleaved-thinking/,
    );
    assert.strictEqual(config.channels.telegram.apiRoot, credentialGatewayUrl("telegram"));
    assert.strictEqual(config.channels.telegram.botToken, TELEGRAM_TOKEN_PLACEHOLDER);
    // Only the gateway token is still a secret reference.
    const refs = JSON.stringify(config).match(/"source":"env"[^}]*"id":"([A-Z_]+)"/g) ?? [];
    assert.deepStrictEqual(
      refs.map((r) => /"id":"([A-Z_]+)"/.exec(r)![1]),
      ["OPENCLAW_GATEWAY_TOKEN"],
    );
  });

  it("every base URL is on loopback, at the credential gateway's port", function () {
    for (const route of ALL) {
      const url = new URL(credentialGatewayUrl(route));
      assert.strictEqual(url.hostname, "127.0.0.1");
      assert.strictEqual(Number(url.port), HOST.credentialGatewayPort);
    }
  });

  it("the secrets input sends the token to the gateway and every credential to its route's file", function () {
    const input = renderHostSecrets({
      gatewayToken: "t".repeat(64),
      credentials: { anthropic: "sk-ant-a", openai: "sk-o", telegram: "1:tg" },
    });
    const keys = input
      .trim()
      .split("\n")
      .map((l) => l.split("=")[0]);
    assert.deepStrictEqual(keys, ["OPENCLAW_GATEWAY_TOKEN", ...ALL.map(credentialKey)]);
    // The gateway reads one env file, which secrets-apply fills from the token line alone.
    assert.match(renderGatewayUnit(), new RegExp(`^EnvironmentFile=${HOST.secretsFile}$`, "m"));
    assert.strictEqual(renderGatewayUnit().match(/^EnvironmentFile=/gm)!.length, 1);
    assert.doesNotMatch(renderGatewayUnit(), /API_KEY|BOT_TOKEN|CREDENTIAL/);
    // Each route reads its own root-only file, and the host knows which routes exist.
    for (const route of ALL) assert.ok(conf.includes(credentialInclude(route)), route);
    assert.match(
      renderHostEnv(settings),
      /^CLAWKIT_CREDENTIAL_ROUTES="anthropic openai telegram"$/m,
    );
  });

  it("no credential or placeholder for a route that is not configured", function () {
    const only = sampleSettings({ providers: ["anthropic"], telegramAllowFrom: undefined });
    assert.deepStrictEqual(credentialRoutes(only.openclaw), ["anthropic"]);
    const c = renderCredentialGatewayConfig(credentialRoutes(only.openclaw));
    assert.doesNotMatch(c, /openai|telegram/);
    const files = renderBundle(only).map((f) => f.path);
    assert.ok(files.includes("files/credential-gateway.conf"));
  });
});

describe("credential gateway: routes [S5]", function () {
  const conf = renderCredentialGatewayConfig(ALL);

  it("listens on IPv4 loopback only, one server for every Host", function () {
    const listens = conf.split("\n").filter((l) => /^\s*listen\s/.test(l));
    assert.deepStrictEqual(listens, [
      `    listen 127.0.0.1:${HOST.credentialGatewayPort} default_server;`,
    ]);
    assert.strictEqual(conf.match(/^\s*server \{/gm)!.length, 1);
  });

  it("forwards only to the fixed upstreams, over verified TLS", function () {
    const servers = [...conf.matchAll(/^\s*server (\S+);/gm)].map((m) => m[1]);
    assert.deepStrictEqual(
      servers,
      ALL.map((r) => `${CREDENTIAL_UPSTREAMS[r].host}:443`),
    );
    const passes = [...conf.matchAll(/proxy_pass (\S+);/g)].map((m) => m[1]);
    assert.ok(passes.length > 0);
    for (const target of passes)
      assert.match(target, /^https:\/\/clawkit_(anthropic|openai|telegram)\//);
    for (const line of [
      "proxy_ssl_verify on;",
      "proxy_ssl_server_name on;",
      "proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;",
    ])
      assert.ok(conf.includes(`  ${line}\n`), line);
    assert.doesNotMatch(conf, /\bresolver\b|proxy_ssl_verify off/);
  });

  it("each model route drops the agent's credential headers and sets the real key in the provider's header", function () {
    const anthropic = location(conf, "= /anthropic/v1/messages");
    assert.match(anthropic, /proxy_set_header x-api-key \$clawkit_credential;/);
    assert.match(anthropic, /proxy_set_header Authorization "";/);
    assert.match(anthropic, /limit_except POST \{ deny all; \}/);
    for (const p of ["/responses"]) {
      const openai = location(conf, `= /openai/v1${p}`);
      assert.match(openai, /proxy_set_header Authorization "Bearer \$clawkit_credential";/);
      assert.match(openai, /proxy_set_header x-api-key "";/);
      assert.match(openai, new RegExp(`proxy_pass https://clawkit_openai/v1${p};`));
    }
    assert.ok(!conf.includes("/chat/completions"), "a path openclaw does not use is open");
  });

  it("Telegram's token goes only into the forwarded path, for listed methods, and no error line prints it", function () {
    const bot = conf.split("\n").find((l) => l.includes("location ~ ^/telegram/bot"))!;
    assert.match(bot, /\(\?<clawkit_method>([A-Za-z]+\|)*getMe\|/);
    assert.doesNotMatch(bot, /setWebhook|logOut|close\b|forwardMessage/);
    const body = location(
      conf,
      bot
        .trim()
        .replace(/^location /, "")
        .replace(/ \{$/, ""),
    );
    assert.match(body, /proxy_pass https:\/\/clawkit_telegram\/bot\$clawkit_credential\//);
    assert.match(body, /error_log stderr emerg;/);
    assert.match(body, /proxy_set_header Authorization "";/);
  });

  it("everything else is refused, and the log line holds no header, body or upstream URL", function () {
    assert.match(conf, /location \/ \{ return 403; \}/);
    const format = /log_format clawkit '([^']*)'/.exec(conf)![1];
    assert.strictEqual(format, "$request_method $uri $status $request_time");
    assert.doesNotMatch(conf, /\$request_body|\$http_|\$upstream_uri|\$request_uri/);
  });

  it("streams unbuffered, with timeouts for long model calls", function () {
    for (const line of [
      "proxy_buffering off;",
      "proxy_request_buffering off;",
      "proxy_read_timeout 900s;",
    ])
      assert.ok(conf.includes(`  ${line}\n`), line);
  });
});

describe("credential gateway: its user and unit [S5]", function () {
  it("its user may open TCP 443 to addresses not of this host and answer on loopback, nothing else; the agent reaches its port", function () {
    for (const family of ["ipv4", "ipv6"] as const) {
      const rules = renderAgentEgressRules(family)
        .split("\n")
        .filter((l) => l.includes(`--uid-owner ${HOST.credentialGatewayUser}`));
      const accepts = rules.filter((l) => l.endsWith("-j ACCEPT"));
      assert.deepStrictEqual(
        accepts.map((l) => l.replace(/^-A \S+ /, "")),
        [
          `-o lo -p tcp -m owner --uid-owner ${HOST.credentialGatewayUser} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
          `-p tcp --dport 443 -m owner --uid-owner ${HOST.credentialGatewayUser} -m addrtype ! --dst-type LOCAL -j ACCEPT`,
        ],
      );
      assert.match(rules[rules.length - 1], /-j REJECT --reject-with icmp6?-port-unreachable$/);
      const agentPort = renderAgentEgressRules(family)
        .split("\n")
        .filter((l) => l.includes(`--uid-owner ${HOST.agentUser}`) && l.includes("--dport"));
      assert.deepStrictEqual(
        agentPort.map((l) => /--dport (\d+)/.exec(l)![1]),
        [String(HOST.proxyPort), String(HOST.credentialGatewayPort)],
      );
    }
  });

  it("the unit keeps the master to the capabilities it needs and binds only its port", function () {
    const unit = renderCredentialGatewayUnit();
    assert.match(unit, /^CapabilityBoundingSet=CAP_SETUID CAP_SETGID$/m);
    assert.match(unit, /^SocketBindDeny=any$/m);
    assert.match(unit, new RegExp(`^SocketBindAllow=tcp:${HOST.credentialGatewayPort}$`, "m"));
    assert.match(unit, /^ExecReload=.* -t -q$/m);
    assert.doesNotMatch(unit, /^Environment/m);
  });
});
