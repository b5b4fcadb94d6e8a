import * as assert from "assert";
import { renderAlertUnit } from "../../vps/host/alerts";
import { renderBundle, renderHostEnv } from "../../vps/host/bundle";
import { renderCredentialGatewayConfig } from "../../vps/host/credential-gateway";
import { renderAgentEgressRules } from "../../vps/host/firewall";
import { HOST } from "../../vps/host/paths";
import { renderProxyConfig } from "../../vps/host/proxy";
import { renderHostSecrets } from "../../vps/host/secrets";
import { parsePosture, POSTURE_COMMAND, tcpPorts } from "../../vps/hostPosture";
import { alertWebhookProblem } from "../../core/rules";
import { program } from "../../program/program";
import { VpsAgent } from "../../vps/agent";
import { baseConfig, sourceOf, TEST_SECRETS } from "../support/config";
import { installMocks, isWireSecret, registered, settle, unwrap, valueOf } from "../support/mocks";
import { sampleSettings } from "../support/samples";

const WEBHOOK = "https://hooks.example.org/services/T0/B0/UNITTEST-webhook-secret";

describe("alerts and posture: renderers and contracts", function () {
  it("the webhook travels on the secrets command's stdin as ALERT_WEBHOOK, and a URL the host cannot carry is refused [W9]", function () {
    const env = renderHostSecrets({
      gatewayToken: "t".repeat(64),
      credentials: {},
      alertWebhook: WEBHOOK,
    });
    assert.match(env, new RegExp(`^ALERT_WEBHOOK=${WEBHOOK.replace(/[.?/]/g, "\\$&")}$`, "m"));
    assert.throws(
      () =>
        renderHostSecrets({
          gatewayToken: "t".repeat(64),
          credentials: {},
          alertWebhook: 'https://a.example.org/"x',
        }),
      /ALERT_WEBHOOK/,
    );
    assert.match(alertWebhookProblem("https://a.example.org/x y") ?? "", /characters/);
    assert.strictEqual(alertWebhookProblem("https://ntfy.sh/topic?x=1&y=%20"), undefined);
  });

  it("no webhook, chat or secret in the host's settings or the watcher's unit [W9]", function () {
    const settings = { ...sampleSettings(), alertTelegramChats: ["123456789"] };
    const unit = renderAlertUnit();
    assert.match(unit, new RegExp(`^User=${HOST.alertUser}$`, "m"));
    assert.match(unit, /^IPAddressDeny=any$/m);
    assert.match(unit, /^IPAddressAllow=localhost$/m);
    assert.match(unit, /^CapabilityBoundingSet=$/m);
    assert.doesNotMatch(unit, /^Environment/m);
    for (const f of renderBundle(settings))
      for (const secret of [WEBHOOK, ...Object.values(TEST_SECRETS)])
        assert.ok(!f.content.includes(secret), `${f.path} holds a secret`);
    assert.match(renderHostEnv(settings), /^CLAWKIT_ALERT_TELEGRAM_CHATS="123456789"$/m);
  });

  it("the firewall lets the alert user reach only its two loopback ports, and the agent neither [W9]", function () {
    const v4 = renderAgentEgressRules("ipv4").split("\n");
    const accepts = (user: string) =>
      v4.filter(
        (l) =>
          l.includes(`--uid-owner ${user} `) && l.endsWith("-j ACCEPT") && !l.includes("conntrack"),
      );
    assert.deepStrictEqual(
      accepts(HOST.alertUser).map((l) => /--dport (\d+)/.exec(l)?.[1]),
      [String(HOST.alertProxyPort), String(HOST.alertRelayPort)],
    );
    for (const l of accepts(HOST.agentUser))
      assert.doesNotMatch(
        l,
        new RegExp(`--dport (${HOST.alertProxyPort}|${HOST.alertRelayPort})\\b`),
      );
    // Everything else the alert user sends is rejected, in both families.
    for (const family of ["ipv4", "ipv6"] as const) {
      const rules = renderAgentEgressRules(family);
      assert.match(rules, new RegExp(`--uid-owner ${HOST.alertUser} -j REJECT`));
      if (family === "ipv6")
        assert.doesNotMatch(rules, new RegExp(`--uid-owner ${HOST.alertUser} -j ACCEPT`));
    }
  });

  it("squid's alert port allows CONNECT to the alert list only, before any rule of the agent's port [W9]", function () {
    const access = renderProxyConfig(["example.org"])
      .split("\n")
      .filter((l) => l.startsWith("http_access"));
    const firstAllow = access.findIndex((l) => l.startsWith("http_access allow"));
    assert.strictEqual(access[firstAllow], "http_access allow clawkit_alert_port localhost");
    assert.ok(
      access.indexOf("http_access deny clawkit_alert_port !clawkit_alert_host") < firstAllow,
    );
    assert.ok(access.indexOf("http_access deny clawkit_alert_port clawkit_inward") < firstAllow);
    assert.ok(firstAllow < access.indexOf("http_access deny !clawkit_allowed"));
  });

  it("the alert relay sends only sendMessage, only to the configured chats, with the chat fixed by the location [W9]", function () {
    const conf = renderCredentialGatewayConfig(["telegram"], ["123456789", "-1001"]);
    const relay = conf.slice(conf.indexOf(`listen 127.0.0.1:${HOST.alertRelayPort};`));
    assert.deepStrictEqual(
      [...relay.matchAll(/location = \/alert\/(-?\d+)/g)].map((m) => m[1]),
      ["123456789", "-1001"],
    );
    assert.deepStrictEqual(
      [...relay.matchAll(/proxy_pass (\S+);/g)].map((m) => m[1]),
      ["123456789", "-1001"].map(
        (c) =>
          `https://clawkit_telegram/bot$clawkit_credential/sendMessage?chat_id=${c}&text=$arg_text`,
      ),
    );
    assert.ok(!renderCredentialGatewayConfig(["telegram"]).includes(`:${HOST.alertRelayPort}`));
    assert.ok(
      !renderCredentialGatewayConfig(["anthropic"], ["1"]).includes(`:${HOST.alertRelayPort}`),
    );
    assert.throws(() => renderCredentialGatewayConfig(["telegram"], ["1; evil"]), /numeric/);
  });

  it("posture: the report is parsed to an object and its TCP ports listed [W10]", function () {
    const report = parsePosture(
      JSON.stringify({
        listeners: [
          { proto: "tcp", address: "::", port: 22, program: "sshd" },
          { proto: "tcp", address: "0.0.0.0", port: 22, program: "sshd" },
          { proto: "udp", address: "0.0.0.0", port: 41641, program: "tailscaled" },
          { proto: "tcp", address: "127.0.0.1", port: 3128, program: "squid" },
        ],
      }),
    );
    assert.deepStrictEqual(tcpPorts(report), [22, 3128]);
    assert.throws(() => parsePosture("[1]"), /JSON object/);
    assert.ok(!POSTURE_COMMAND.includes("$"));
  });
});

describe("alerts and posture: the vps stack (mocks)", function () {
  let outputs: VpsAgent;
  let start = 0;
  before(async function () {
    await installMocks();
    start = registered.length;
    outputs = program(
      sourceOf({ ...baseConfig(), "clawkit:alertWebhook": WEBHOOK }),
      "dev",
    ) as VpsAgent;
    await valueOf(outputs.sshHostKey);
    await valueOf(outputs.posture);
    await settle();
  });

  it("the posture output is plain and holds no secret value [W10]", async function () {
    const posture = await new Promise<{ value: unknown; secret: boolean }>((resolve) =>
      // isSecret is internal to the Output; read both together.
      (outputs.posture as unknown as { isSecret: Promise<boolean> }).isSecret.then((secret) =>
        valueOf(outputs.posture).then((value) => resolve({ value, secret })),
      ),
    );
    assert.strictEqual(posture.secret, false);
    const text = JSON.stringify(posture.value);
    assert.ok(text.includes('"firewall"'), text);
    for (const secret of [WEBHOOK, ...Object.values(TEST_SECRETS)])
      assert.ok(!text.includes(secret), "the posture output holds a secret");
    assert.deepStrictEqual(await valueOf(outputs.listeningPorts), [22, 3128]);
  });

  it("the webhook reaches the host only in the secrets command's secret stdin, never a plain input [W9]", function () {
    const mine = registered.slice(start);
    const secretsCommand = mine.find((r) => r.name === "openclaw-gateway-secrets-apply");
    assert.ok(secretsCommand && isWireSecret(secretsCommand.inputs.stdin));
    assert.match(String(unwrap(secretsCommand.inputs.stdin)), /^ALERT_WEBHOOK=/m);
    const posture = mine.find((r) => r.name === "openclaw-host-posture-read");
    assert.ok(posture);
    assert.strictEqual(posture.inputs.create, POSTURE_COMMAND);
    for (const r of mine) {
      const plainInputs = JSON.stringify(
        Object.fromEntries(Object.entries(r.inputs).filter(([, v]) => !isWireSecret(v))),
      );
      assert.ok(!plainInputs.includes(WEBHOOK), `${r.name} has the webhook in a plain input`);
    }
  });
});
