import * as zlib from "zlib";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import {
  installMocks,
  isWireSecret,
  optionsByName,
  registered,
  Registered,
  settle,
  unwrap,
  valueOf,
  visibleParts,
} from "../support/mocks";
import { baseConfig, sourceOf, TEST_SECRETS } from "../support/config";
import { GatewayToken } from "../../core/gatewayToken";
import { program } from "../../program/program";
import { VpsAgent } from "../../vps/agent";
import { USER_DATA_BUDGET } from "../../vps/host/userdata";

/** Builds the program for a config and returns what it registered. */
async function build(
  values: Record<string, string>,
): Promise<{ resources: Registered[]; outputs: VpsAgent }> {
  const start = registered.length;
  const outputs = program(sourceOf(values), "dev") as VpsAgent;
  await valueOf(outputs.sshHostKey);
  await valueOf(outputs.tailnetUrl);
  await settle();
  return { resources: registered.slice(start), outputs };
}

function only(resources: Registered[], type: string, name?: string): Registered {
  const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  assert.strictEqual(
    found.length,
    1,
    `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`,
  );
  return found[0];
}

function plain(r: Registered): Record<string, unknown> {
  return unwrap(r.inputs) as Record<string, unknown>;
}

const ALL_SECRET_VALUES = Object.values(TEST_SECRETS);

describe("vps stack: the resource graph (mocks)", function () {
  let resources: Registered[];
  let outputs: VpsAgent;
  before(async function () {
    await installMocks();
    ({ resources, outputs } = await build(baseConfig()));
  });

  it("registers each component with its clawkit type and its children under it", function () {
    for (const type of [
      "clawkit:auth:GatewayToken",
      "clawkit:tailnet:TailnetAccess",
      "clawkit:host:HardenedServer",
      "clawkit:host:Provisioner",
      "clawkit:host:SecretsSync",
    ]) {
      only(resources, type);
    }
    for (const [type, name] of [
      ["random:index/randomPassword:RandomPassword", "openclaw-gateway-token-password"],
      ["tailscale:index/tailnetKey:TailnetKey", "openclaw-tailnet-authkey"],
      ["hcloud:index/firewall:Firewall", "openclaw-host-firewall"],
      ["hcloud:index/server:Server", "openclaw-host-server"],
      ["hcloud:index/volume:Volume", "openclaw-host-state"],
      ["hcloud:index/volumeAttachment:VolumeAttachment", "openclaw-host-state-attachment"],
      ["hcloud:index/sshKey:SshKey", "openclaw-host-ssh-key"],
      ["command:remote:Command", "openclaw-host-host-key"],
      ["command:remote:Command", "openclaw-host-provision"],
      ["command:remote:Command", "openclaw-gateway-secrets-apply"],
    ]) {
      only(resources, type, name);
    }
  });

  it("the Hetzner firewall has no inbound rule and is attached at server creation [R1]", function () {
    const firewall = plain(only(resources, "hcloud:index/firewall:Firewall"));
    const rules = (firewall.rules ?? []) as { direction?: string }[];
    assert.strictEqual(rules.filter((r) => r.direction !== "out").length, 0);
    const server = plain(only(resources, "hcloud:index/server:Server"));
    assert.strictEqual((server.firewallIds as unknown[]).length, 1);
  });

  it("the server: Debian 12, backups on, SSH key registered (no root password mail) [W6]", function () {
    const server = plain(only(resources, "hcloud:index/server:Server"));
    assert.strictEqual(server.image, "debian-12");
    assert.strictEqual(server.backups, true);
    assert.strictEqual((server.sshKeys as unknown[]).length, 1);
    assert.strictEqual(server.name, "openclaw-dev");
  });

  it("user-data reaches the engine as a secret, under the kit's budget, with no long-lived secret [R9, S2]", async function () {
    const server = only(resources, "hcloud:index/server:Server");
    assert.ok(isWireSecret(server.inputs.userData), "userData is not marked secret");
    const userData = String(plain(server).userData);
    assert.ok(userData.startsWith("#cloud-config\n"));
    assert.ok(
      Buffer.byteLength(userData) < USER_DATA_BUDGET,
      `user-data is ${Buffer.byteLength(userData)} bytes`,
    );
    const gatewayToken = await valueOf(outputs.gatewayToken);
    for (const secret of [...ALL_SECRET_VALUES, gatewayToken]) {
      assert.ok(!userData.includes(secret), "a long-lived secret is in user-data");
    }
    assert.ok(
      userData.includes("tskey-auth-"),
      "the one-off tailnet key should be the only secret in it",
    );
  });

  it("the tailnet key is one-off, preauthorized, tagged, not ephemeral, and expires within a day [R9]", function () {
    const key = plain(only(resources, "tailscale:index/tailnetKey:TailnetKey"));
    assert.strictEqual(key.reusable, false);
    assert.strictEqual(key.preauthorized, true);
    assert.strictEqual(key.ephemeral, false);
    assert.deepStrictEqual(key.tags, ["tag:openclaw"]);
    assert.ok(Number(key.expiry) > 0 && Number(key.expiry) <= 86400);
    assert.strictEqual(key.recreateIfInvalid, "never");
  });

  it("the gateway token is at least 48 characters and keyed on clawkit:tokenRotation [R3]", async function () {
    const password = plain(only(resources, "random:index/randomPassword:RandomPassword"));
    assert.ok(Number(password.length) >= 48);
    assert.deepStrictEqual(password.keepers, { rotation: "" });
    assert.ok((await valueOf(outputs.gatewayToken)).length >= 48);
  });

  it("user-data is first-boot only: later changes to it never replace the server", function () {
    assert.deepStrictEqual(optionsByName.get("openclaw-host-server")?.ignoreChanges, ["userData"]);
  });

  it("the state volume is kept on destroy by default and attached without automount [W6]", function () {
    assert.strictEqual(optionsByName.get("openclaw-host-state")?.retainOnDelete, true);
    const attachment = plain(only(resources, "hcloud:index/volumeAttachment:VolumeAttachment"));
    assert.strictEqual(attachment.automount, false);
    const volume = plain(only(resources, "hcloud:index/volume:Volume"));
    assert.strictEqual(volume.format, "ext4");
    assert.strictEqual(volume.size, 10);
  });

  it("no secret in any command line or command environment; secrets travel on stdin, marked secret [S2]", function () {
    const commands = resources.filter((r) => r.type === "command:remote:Command");
    for (const command of commands) {
      const inputs = plain(command);
      const lines = visibleParts(inputs);
      for (const secret of ALL_SECRET_VALUES)
        assert.ok(!lines.includes(secret), `${command.name} has a secret in its command`);
      assert.strictEqual(inputs.environment, undefined, `${command.name} sets an environment`);
    }
    const apply = only(resources, "command:remote:Command", "openclaw-gateway-secrets-apply");
    assert.ok(isWireSecret(apply.inputs.stdin), "the secrets stdin is not marked secret");
    const stdin = String(plain(apply).stdin);
    // The model key and the bot token go to the credential gateway's files, never the gateway's.
    assert.ok(stdin.includes(`CREDENTIAL_ANTHROPIC=${TEST_SECRETS.anthropicApiKey}\n`));
    assert.ok(stdin.includes(`CREDENTIAL_TELEGRAM=${TEST_SECRETS.telegramBotToken}\n`));
    assert.match(stdin, /^OPENCLAW_GATEWAY_TOKEN=[A-Za-z0-9]{64}$/m);
    assert.strictEqual(plain(apply).logging, "stderr");
    const provision = plain(only(resources, "command:remote:Command", "openclaw-host-provision"));
    const bundle = Buffer.from(String(provision.stdin), "base64");
    const gunzipped = zlib.gunzipSync(bundle).toString("utf8");
    for (const secret of [...ALL_SECRET_VALUES, stdin.match(/TOKEN=(\S+)/)![1]]) {
      assert.ok(!gunzipped.includes(secret), "a secret is in the provisioning bundle");
    }
  });

  it("outputs that hold secrets are declared secret to the engine [S2]", function () {
    const declared: [string, string[]][] = [
      ["openclaw-gateway-secrets-apply", ["stdout", "stderr", "stdin"]],
      ["openclaw-host-server", ["userData"]],
      ["openclaw-tailnet-authkey", ["key"]],
      ["openclaw-gateway-token-password", ["result"]],
      ["openclaw-host-admin-key", ["privateKeyOpenssh", "privateKeyPem"]],
    ];
    for (const [name, outputs] of declared) {
      const secret = optionsByName.get(name)?.additionalSecretOutputs ?? [];
      for (const output of outputs)
        assert.ok(secret.includes(output), `${name}.${output} is not declared secret`);
    }
  });

  it("every command after the first pins the host key read over the tailnet [R8]", function () {
    for (const name of ["openclaw-host-provision", "openclaw-gateway-secrets-apply"]) {
      const connection = plain(only(resources, "command:remote:Command", name))
        .connection as Record<string, unknown>;
      assert.match(String(connection.hostKey), /^ssh-ed25519 \S+$/);
      assert.strictEqual(connection.host, "100.101.102.103");
      assert.strictEqual(connection.user, "clawadmin");
    }
  });

  it("outputs: the token and the key are secret, the URL and IP are not [S2]", async function () {
    assert.strictEqual(await pulumi.isSecret(outputs.gatewayToken), true);
    assert.strictEqual(await pulumi.isSecret(outputs.adminPrivateKey), true);
    assert.strictEqual(await pulumi.isSecret(outputs.tailnetUrl), false);
    assert.strictEqual(await pulumi.isSecret(outputs.sshHostKey), false);
    assert.match(await valueOf(outputs.sshHostKey), /^ssh-ed25519 /);
    assert.strictEqual(await valueOf(outputs.tailnetUrl), "https://openclaw-dev.tail1234.ts.net");
    assert.strictEqual(await valueOf(outputs.serverIpv4), "203.0.113.10");
    assert.strictEqual(
      await valueOf(outputs.sshCommand),
      "ssh clawadmin@openclaw-dev.tail1234.ts.net",
    );
  });
});

describe("vps stack: rotation changes secrets, never the server or the volume (mocks)", function () {
  before(installMocks);

  const stable = [
    "hcloud:index/server:Server",
    "hcloud:index/volume:Volume",
    "hcloud:index/volumeAttachment:VolumeAttachment",
    "hcloud:index/firewall:Firewall",
  ];

  for (const [title, changes] of [
    ["clawkit:tokenRotation", { "clawkit:tokenRotation": "2026-11-22" }],
    ["clawkit:anthropicApiKey", { "clawkit:anthropicApiKey": "sk-ant-api03-TESTONLY-rotated-key" }],
    ["clawkit:telegramBotToken", { "clawkit:telegramBotToken": "987654321:TESTONLY-rotated" }],
  ] as [string, Record<string, string>][]) {
    it(`${title}: new secrets stdin, same server/volume inputs, same bundle [S3]`, async function () {
      const first = (await build(baseConfig())).resources;
      const second = (await build({ ...baseConfig(), ...changes })).resources;
      for (const type of stable) {
        assert.deepStrictEqual(
          plain(only(second, type)),
          plain(only(first, type)),
          `${type} inputs changed`,
        );
      }
      const bundleOf = (rs: Registered[]) =>
        plain(only(rs, "command:remote:Command", "openclaw-host-provision")).triggers;
      assert.deepStrictEqual(bundleOf(second), bundleOf(first));
      const stdinOf = (rs: Registered[]) =>
        plain(only(rs, "command:remote:Command", "openclaw-gateway-secrets-apply")).stdin;
      assert.notStrictEqual(stdinOf(second), stdinOf(first));
    });
  }

  it("clawkit:keepVolumeOnDestroy=false lets destroy delete the volume [W6]", async function () {
    await build({ ...baseConfig(), "clawkit:keepVolumeOnDestroy": "false" });
    assert.strictEqual(optionsByName.get("openclaw-host-state")?.retainOnDelete, false);
  });

  it("a config change that matters to the host changes the bundle hash, not the server", async function () {
    const first = (await build(baseConfig())).resources;
    const second = (
      await build({ ...baseConfig(), "clawkit:egressAllowlist": '["api.github.com"]' })
    ).resources;
    const triggers = (rs: Registered[]) =>
      plain(only(rs, "command:remote:Command", "openclaw-host-provision")).triggers;
    assert.notDeepStrictEqual(triggers(second), triggers(first));
    assert.deepStrictEqual(
      plain(only(second, "hcloud:index/server:Server")),
      plain(only(first, "hcloud:index/server:Server")),
    );
  });
});

describe("vps components: bad args (mocks)", function () {
  before(installMocks);

  it("GatewayToken: a token under 48 characters is a ResourceError naming args.length and the fix [R3]", function () {
    assert.throws(
      () => new GatewayToken("short-token", { rotation: "", length: 16 }),
      (err: unknown) =>
        pulumi.ResourceError.isInstance(err) &&
        /args\.length must be at least 48/.test(err.message) &&
        /leave it unset/.test(err.message),
    );
  });
});

describe("vps stack: the lockdown switch (mocks) [W7]", function () {
  before(installMocks);
  const switchOf = (rs: Registered[]) =>
    plain(only(rs, "command:remote:Command", "openclaw-host-lockdown-switch"));

  it("clawkit:lockdown changes no input of any resource but the switch itself", async function () {
    const open = (await build(baseConfig())).resources;
    const locked = (await build({ ...baseConfig(), "clawkit:lockdown": "true" })).resources;
    assert.deepStrictEqual(
      locked.map((r) => `${r.type} ${r.name}`),
      open.map((r) => `${r.type} ${r.name}`),
      "a lockdown adds or removes a resource",
    );
    for (const [i, r] of locked.entries()) {
      // The switch and the component that holds it (whose args carry the value); the
      // posture report and the exposure check run again after it, and check a
      // locked-down host as one (below).
      if (
        ["openclaw-host-lockdown", "openclaw-host-posture", "openclaw-exposure-check"].some((n) =>
          r.name.startsWith(n),
        )
      )
        continue;
      assert.deepStrictEqual(plain(r), plain(open[i]), `${r.type} ${r.name}: inputs changed`);
    }
    assert.strictEqual(switchOf(open).create, "sudo /usr/local/sbin/clawkit-lockdown off");
    assert.strictEqual(switchOf(locked).create, "sudo /usr/local/sbin/clawkit-lockdown on");
    assert.notDeepStrictEqual(switchOf(locked).triggers, switchOf(open).triggers);
    const check = (rs: Registered[]) =>
      String(plain(only(rs, "command:local:Command", "openclaw-exposure-check-run")).create);
    assert.match(check(locked), / '--lockdown'$/);
    assert.doesNotMatch(check(open), /--lockdown/);
  });

  it("runs after the secrets, a lockdown again after every provisioning, and carries no secret", async function () {
    const { resources } = await build({ ...baseConfig(), "clawkit:lockdown": "true" });
    const sw = only(resources, "command:remote:Command", "openclaw-host-lockdown-switch");
    const secrets = only(resources, "command:remote:Command", "openclaw-gateway-secrets-apply");
    const deps = optionsByName.get("openclaw-host-lockdown")?.dependencies ?? [];
    assert.ok(
      deps.some((urn) => urn.endsWith(`::${secrets.name}`)),
      `the switch does not wait for the secrets: ${deps.join(", ")}`,
    );
    // The provisioning run's id is one of its triggers: an input, so a dependency.
    const switchDeps = optionsByName.get("openclaw-host-lockdown-switch")?.dependencies ?? [];
    assert.ok(
      switchDeps.some((urn) => urn.endsWith("::openclaw-host-provision")),
      `the switch is not applied again after provisioning: ${switchDeps.join(", ")}`,
    );
    // Open, provisioning never switches a lockdown someone made by hand off again.
    const open = (await build(baseConfig())).resources;
    assert.deepStrictEqual(switchOf(open).triggers, [false, "not locked down"]);
    assert.strictEqual(sw.inputs.stdin, undefined);
    const visible = JSON.stringify({ create: sw.inputs.create, triggers: sw.inputs.triggers });
    for (const secret of ALL_SECRET_VALUES) assert.ok(!visible.includes(secret));
  });
});
