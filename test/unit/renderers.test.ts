import * as net from "net";
import * as assert from "assert";
import { credentialRoutes, packBundle, renderBundle, renderHostEnv } from "../../vps/host/bundle";
import {
  renderCredentialGatewayConfig,
  renderCredentialGatewayUnit,
} from "../../vps/host/credential-gateway";
import { renderAgentEgressRules } from "../../vps/host/firewall";
import { renderExecApprovals } from "../../vps/host/exec-approvals";
import { renderGatewayUnit } from "../../vps/host/gateway-unit";
import { renderOpenclawConfig } from "../../vps/host/openclaw-config";
import { HOST } from "../../vps/host/paths";
import {
  egressAllowlist,
  INWARD_IPV4,
  inwardDestinations,
  renderProxyConfig,
} from "../../vps/host/proxy";
import { renderHostSecrets } from "../../vps/host/secrets";
import { renderSshdConfig } from "../../vps/host/sshd";
import { renderUserData } from "../../vps/host/userdata";
import { matchSnapshot } from "../support/snapshot";
import { sampleSettings, sampleUserDataOptions, SAMPLE_TAILNET_KEY } from "../support/samples";

describe("renderers: snapshots of what lands on the server", function () {
  const settings = sampleSettings();
  it("user-data [R9]", () =>
    matchSnapshot("user-data.yaml", renderUserData(sampleUserDataOptions())));
  it("sshd drop-in [R8]", () =>
    matchSnapshot("sshd-clawkit.conf", renderSshdConfig({ adminUser: "clawadmin" })));
  it("ufw agent rules (IPv4) [A2]", () =>
    matchSnapshot("ufw-agent.rules", renderAgentEgressRules("ipv4")));
  it("ufw agent rules (IPv6) [A2]", () =>
    matchSnapshot("ufw-agent6.rules", renderAgentEgressRules("ipv6")));
  it("squid.conf [A2, A3, A4]", () =>
    matchSnapshot("squid.conf", renderProxyConfig(egressAllowlist(settings.egressAllowlist))));
  it("credential gateway nginx.conf [S5]", () =>
    matchSnapshot(
      "credential-gateway.conf",
      renderCredentialGatewayConfig(credentialRoutes(settings.openclaw)),
    ));
  it("credential gateway unit [S5]", () =>
    matchSnapshot("clawkit-credential-gateway.service", renderCredentialGatewayUnit()));
  it("gateway unit [A2, A8, A9]", () =>
    matchSnapshot("openclaw-gateway.service", renderGatewayUnit()));
  it("openclaw.json [R4, R5, A6, A10]", () =>
    matchSnapshot("openclaw.json", renderOpenclawConfig(settings.openclaw)));
  it("clawkit.env", () => matchSnapshot("clawkit.env", renderHostEnv(settings)));
  it("exec approvals [A1]", () =>
    matchSnapshot("exec-approvals.json", renderExecApprovals(settings.openclaw)));
});

describe("renderers: behaviour", function () {
  it("the egress allowlist holds the operator's hosts only: no model provider, no Telegram [A5]", function () {
    assert.deepStrictEqual(egressAllowlist([]), []);
    assert.deepStrictEqual(egressAllowlist(sampleSettings().egressAllowlist), [
      ".example.org",
      "api.github.com",
    ]);
  });

  it("a host the credential gateway serves never reaches the egress proxy, however it is spelt [A5]", function () {
    for (const host of ["api.anthropic.com", "API.OpenAI.com", "*.telegram.org", "*.anthropic.com"])
      assert.throws(() => egressAllowlist([host]), /credential gateway/, host);
    assert.deepStrictEqual(egressAllowlist(["anthropic.com.example.org"]), [
      "anthropic.com.example.org",
    ]);
  });

  it("wildcards become squid domains and swallow the hosts they cover [A2]", function () {
    assert.deepStrictEqual(
      egressAllowlist(["*.example.org", "api.example.org", "example.org", "Api.GitHub.com"]),
      [".example.org", "api.github.com"],
    );
  });

  it("an empty allowlist renders a proxy that refuses everything [A2]", function () {
    const access = renderProxyConfig([])
      .split("\n")
      .filter((l) => l.startsWith("http_access"));
    assert.ok(!renderProxyConfig([]).includes("clawkit_allowed"));
    assert.strictEqual(
      access[access.indexOf("http_access deny clawkit_alert_port") + 1],
      "http_access deny all",
    );
  });

  it("the proxy allows only CONNECT to 443 of allowlisted names and refuses inward destinations [A2, A3, A4]", function () {
    const conf = renderProxyConfig(["api.anthropic.com"]);
    const access = conf.split("\n").filter((l) => l.startsWith("http_access"));
    assert.deepStrictEqual(access, [
      "http_access deny !CONNECT",
      "http_access deny !https_port",
      // The alert port's rules first: nothing for the agent's port reaches them.
      "http_access deny clawkit_alert_port !clawkit_alert_host",
      "http_access deny clawkit_alert_port clawkit_inward",
      "http_access deny clawkit_alert_port clawkit_self",
      "http_access deny clawkit_alert_port to_localhost",
      "http_access allow clawkit_alert_port localhost",
      "http_access deny clawkit_alert_port",
      "http_access deny !clawkit_allowed",
      "http_access deny clawkit_inward",
      "http_access deny clawkit_self",
      "http_access deny to_localhost",
      "http_access allow localhost",
      "http_access deny all",
    ]);
    assert.match(conf, /^acl clawkit_self dst "\/etc\/squid\/clawkit-self\.acl"$/m);
    assert.match(conf, /^http_port 127\.0\.0\.1:3128$/m);
    assert.doesNotMatch(conf, /^http_port (?!127\.0\.0\.1|\[::1\])/m);
    assert.match(conf, /169\.254\.0\.0\/16/);
    // An IP-literal CONNECT must not match by reverse DNS (the address owner controls it).
    assert.match(conf, /^acl clawkit_allowed dstdomain -n api\.anthropic\.com$/m);
    assert.match(conf, /100\.64\.0\.0\/10/);
  });

  it("every inward IPv4 range is refused in its NAT64 form too, and nothing outside it [A3]", function () {
    const inward = new net.BlockList();
    for (const range of inwardDestinations()) {
      const [address, bits] = range.split("/");
      inward.addSubnet(address, Number(bits), net.isIPv6(address) ? "ipv6" : "ipv4");
    }
    const toNumber = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const toAddress = (n: number) =>
      [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
    const nat64 = (a: string) => {
      const n = toNumber(a);
      return `64:ff9b::${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
    };
    for (const cidr of INWARD_IPV4) {
      const [base, bits] = cidr.split("/");
      const first = toNumber(base);
      const last = first + 2 ** (32 - Number(bits)) - 1;
      for (const n of [first, last]) {
        assert.ok(inward.check(toAddress(n), "ipv4"), `${toAddress(n)} (${cidr})`);
        assert.ok(inward.check(nat64(toAddress(n)), "ipv6"), `${nat64(toAddress(n))} (${cidr})`);
      }
    }
    // Public addresses, in both forms, pass.
    for (const a of ["1.1.1.1", "160.79.104.10", "198.51.100.10"]) {
      assert.ok(!inward.check(a, "ipv4"), a);
      assert.ok(!inward.check(nat64(a), "ipv6"), nat64(a));
    }
    for (const a of [
      "::",
      "::1",
      "fd7a:115c:a1e0::a",
      "fe80::1",
      "fec0::1",
      "ff02::1",
      "64:ff9b:1::1",
    ])
      assert.ok(inward.check(a, "ipv6"), a);
    for (const a of ["2001:db8:1::10", "2606:4700::1111"]) assert.ok(!inward.check(a, "ipv6"), a);
  });

  it("the proxy user may not connect to any address of the host, in either family [A3]", function () {
    for (const family of ["ipv4", "ipv6"] as const) {
      const rules = renderAgentEgressRules(family);
      assert.match(
        rules,
        /^-A ufw6?-before-output -p tcp --dport 443 -m owner --uid-owner proxy -m addrtype --dst-type LOCAL -j REJECT/m,
      );
    }
  });

  it("each family's rules go into that family's ufw chain [A2]", function () {
    const chains = (family: "ipv4" | "ipv6") =>
      new Set(
        renderAgentEgressRules(family)
          .split("\n")
          .filter((l) => l.startsWith("-A"))
          .map((l) => l.split(" ")[1]),
      );
    assert.deepStrictEqual([...chains("ipv4")], ["ufw-before-output"]);
    assert.deepStrictEqual([...chains("ipv6")], ["ufw6-before-output"]);
  });

  it("the agent rules accept only new connections to the loopback proxy and credential gateway (not even the gateway) and replies, then reject [A2, R6]", function () {
    const rules = renderAgentEgressRules("ipv4")
      .split("\n")
      .filter((l) => l.startsWith("-A"));
    const accepts = rules.filter((l) => l.includes("openclaw") && l.endsWith("-j ACCEPT"));
    assert.deepStrictEqual(
      accepts.map((r) => r.replace(/^-A ufw-before-output -o lo /, "")),
      [
        "-p tcp -d 127.0.0.1 --dport 3128 -m owner --uid-owner openclaw -j ACCEPT",
        "-p tcp -d 127.0.0.1 --dport 3129 -m owner --uid-owner openclaw -j ACCEPT",
        "-m owner --uid-owner openclaw -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
      ],
    );
    const agentRules = rules.filter((l) => l.includes("--uid-owner openclaw"));
    assert.match(agentRules[agentRules.length - 1], /--uid-owner openclaw -j REJECT/);
    assert.match(rules[0], /^-A ufw-before-output -d 169\.254\.169\.254 -j REJECT/);
  });

  it("the openclaw config never holds a secret, only references to the environment [R1, R3, R7, S1, A11]", function () {
    const config = JSON.parse(renderOpenclawConfig(sampleSettings().openclaw));
    assert.deepStrictEqual(config.gateway.auth.token, {
      source: "env",
      provider: "default",
      id: "OPENCLAW_GATEWAY_TOKEN",
    });
    assert.strictEqual(config.gateway.bind, "loopback");
    assert.strictEqual(config.gateway.auth.mode, "token");
    assert.strictEqual(config.gateway.auth.allowTailscale, false);
    assert.strictEqual(config.discovery.mdns.mode, "off");
    assert.strictEqual(config.channels.telegram.dmPolicy, "allowlist");
    assert.deepStrictEqual(config.channels.telegram.allowFrom, ["123456789"]);
  });

  it("exec deny mode takes exec away from the agent altogether [A1]", function () {
    const config = JSON.parse(
      renderOpenclawConfig(sampleSettings({ execSecurity: "deny" }).openclaw),
    );
    assert.strictEqual(config.tools.exec.mode, "deny");
    assert.ok(config.tools.deny.includes("exec"));
  });

  it("exec allowlist mode never asks: a miss is denied, and no default safe programs run [A1]", function () {
    const config = JSON.parse(renderOpenclawConfig(sampleSettings().openclaw));
    assert.strictEqual(config.tools.exec.mode, "allowlist");
    assert.strictEqual(config.tools.exec.ask, undefined);
    assert.deepStrictEqual(config.tools.exec.safeBins, []);
    assert.deepStrictEqual(config.channels.telegram.execApprovals, { enabled: false });
  });

  it("no telegram block without an allowlist [A11]", function () {
    const config = JSON.parse(
      renderOpenclawConfig(sampleSettings({ telegramAllowFrom: undefined }).openclaw),
    );
    assert.strictEqual(config.channels, undefined);
    assert.ok(!config.plugins.allow.includes("telegram"));
  });

  it("the secrets input carries only safe characters and names the key, not the value, when it cannot [S2]", function () {
    assert.strictEqual(
      renderHostSecrets({ gatewayToken: "a".repeat(48), credentials: { anthropic: "sk-ant-x" } }),
      `OPENCLAW_GATEWAY_TOKEN=${"a".repeat(48)}\nCREDENTIAL_ANTHROPIC=sk-ant-x\n`,
    );
    assert.throws(
      () => renderHostSecrets({ gatewayToken: "a b$SECRETPART", credentials: {} }),
      (e: Error) => /OPENCLAW_GATEWAY_TOKEN/.test(e.message) && !e.message.includes("SECRETPART"),
    );
    assert.throws(
      () =>
        renderHostSecrets({ gatewayToken: "a".repeat(48), credentials: { telegram: '1:x";$' } }),
      (e: Error) => /CREDENTIAL_TELEGRAM/.test(e.message) && !e.message.includes("1:x"),
    );
  });

  it("the bundle ships auditd rules for the secrets and kit config, the agent's state and every program it starts, and a persistent journal, and provisioning installs both [W1]", function () {
    const files = new Map(renderBundle(sampleSettings()).map((f) => [f.path, f.content]));
    const rules = files.get("files/audit-clawkit.rules") ?? "";
    assert.match(rules, new RegExp(`^-w ${HOST.etcDir}/ -p rwa -k `, "m"));
    assert.match(rules, new RegExp(`^-w ${HOST.stateDir}/ -p wa -k `, "m"));
    assert.match(
      rules,
      new RegExp(`^-a always,exit -F arch=b64 -S execve -F uid=${HOST.agentUser} -k `, "m"),
    );
    assert.match(files.get("files/journald-clawkit.conf") ?? "", /^Storage=persistent$/m);
    const provision = files.get("scripts/provision.sh") ?? "";
    assert.match(
      provision,
      /^install_file "\$files\/audit-clawkit\.rules" \/etc\/audit\/rules\.d\//m,
    );
    assert.match(
      provision,
      /^install_file "\$files\/journald-clawkit\.conf" \/etc\/systemd\/journald\.conf\.d\//m,
    );
  });

  it("the bundle is deterministic and its hash follows its content", function () {
    const a = packBundle(renderBundle(sampleSettings()));
    const b = packBundle(renderBundle(sampleSettings()));
    assert.strictEqual(a.sha256, b.sha256);
    assert.strictEqual(a.base64, b.base64);
    const c = packBundle(renderBundle(sampleSettings({ gatewayPort: 18790 })));
    assert.notStrictEqual(c.sha256, a.sha256);
  });

  it("user-data holds the one-off tailnet key only in a root-only file, never on a command line [R9]", function () {
    const doc = JSON.parse(renderUserData(sampleUserDataOptions()).replace(/^#cloud-config\n/, ""));
    const keyFiles = doc.write_files.filter((f: { content: string }) =>
      f.content.includes(SAMPLE_TAILNET_KEY),
    );
    assert.strictEqual(keyFiles.length, 1);
    assert.strictEqual(keyFiles[0].permissions, "0600");
    assert.match(keyFiles[0].path, /^\/run\//);
    assert.ok(!JSON.stringify(doc.runcmd).includes(SAMPLE_TAILNET_KEY));
  });
});
