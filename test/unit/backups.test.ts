import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { renderBundle, renderHostEnv } from "../../vps/host/bundle";
import { renderAgentEgressRules } from "../../vps/host/firewall";
import { HOST } from "../../vps/host/paths";
import { renderProxyConfig } from "../../vps/host/proxy";
import { renderHostSecrets } from "../../vps/host/secrets";
import { hostSettings, vpsSettings } from "../../vps/settings";
import { program } from "../../program/program";
import { BACKUP_CONFIG, baseConfig, parseVps, sourceOf, TEST_SECRETS } from "../support/config";
import { installMocks, isWireSecret, registered, settle, unwrap, valueOf } from "../support/mocks";

const withBackups = () => parseVps(sourceOf({ ...baseConfig(), ...BACKUP_CONFIG }), "dev");

describe("backups: what the host is given [W14, W15, S8]", function () {
  it("the host's settings name the repository (path-style, https) and the retention; nothing without a bucket", function () {
    const env = renderHostEnv(hostSettings(withBackups()));
    assert.match(
      env,
      /^CLAWKIT_BACKUP_REPOSITORY="s3:https:\/\/acct0123\.r2\.cloudflarestorage\.com\/openclaw-backups\/openclaw-dev"$/m,
    );
    assert.match(env, /^CLAWKIT_BACKUP_REGION="auto"$/m);
    assert.match(env, /^CLAWKIT_BACKUP_KEEP_DAILY="14"$/m);
    assert.match(env, /^CLAWKIT_RESTORE_FROM=""$/m);
    const none = renderHostEnv(hostSettings(parseVps(sourceOf(baseConfig()), "dev")));
    assert.match(none, /^CLAWKIT_BACKUP_REPOSITORY=""$/m);
    const restoring = parseVps(
      sourceOf({ ...baseConfig(), ...BACKUP_CONFIG, "clawkit:restoreFrom": "latest" }),
      "dev",
    );
    assert.match(renderHostEnv(hostSettings(restoring)), /^CLAWKIT_RESTORE_FROM="latest"$/m);
  });

  it("no backup secret is in anything provisioning ships [S8]", function () {
    const files = renderBundle(hostSettings(withBackups()));
    for (const secret of [
      BACKUP_CONFIG["clawkit:backupKey"],
      BACKUP_CONFIG["clawkit:backupSecretAccessKey"],
      BACKUP_CONFIG["clawkit:backupAccessKeyId"],
    ])
      for (const file of files)
        assert.ok(!String(file.content).includes(secret), `${file.path} holds a backup secret`);
  });

  it("squid's backup port CONNECTs to the bucket's endpoint only, and exists only with a bucket [W15]", function () {
    const conf = renderProxyConfig([], "Acct0123.r2.cloudflarestorage.com");
    assert.ok(conf.includes(`http_port 127.0.0.1:${HOST.backupProxyPort}`));
    assert.ok(!conf.includes(`[::1]:${HOST.backupProxyPort}`), "the backup port listens on IPv6");
    assert.match(
      conf,
      /^acl clawkit_backup_host dstdomain -n acct0123\.r2\.cloudflarestorage\.com$/m,
    );
    const rules = conf.split("\n").filter((l) => l.includes("clawkit_backup_port"));
    // Refusals first; the one allow is for loopback clients going to the endpoint.
    assert.deepStrictEqual(
      rules.filter((l) => l.startsWith("http_access")).map((l) => l.split(" ")[1]),
      ["deny", "deny", "deny", "deny", "allow", "deny"],
    );
    assert.ok(
      conf.indexOf("clawkit_backup_port !clawkit_backup_host") <
        conf.indexOf("allow clawkit_backup_port"),
    );
    // The agent's log stays the agent's.
    assert.match(conf, /access\.log squid !clawkit_alert_port !clawkit_backup_port$/m);
    assert.ok(!renderProxyConfig([]).includes(String(HOST.backupProxyPort)));
  });

  it("the firewall: the backup user reaches squid's backup port on IPv4 loopback and nothing else; the agent's refusals come first [W15]", function () {
    for (const family of ["ipv4", "ipv6"] as const) {
      for (const lockdown of [false, true]) {
        const rules = renderAgentEgressRules(family, { lockdown }).split("\n");
        const backup = rules.filter((l) => l.includes(`--uid-owner ${HOST.backupUser}`));
        const accepts = backup.filter((l) => l.endsWith("-j ACCEPT"));
        assert.deepStrictEqual(
          accepts.filter((l) => !l.includes("ESTABLISHED")),
          family === "ipv4"
            ? [
                `-A ufw-before-output -o lo -p tcp -d 127.0.0.1 --dport ${HOST.backupProxyPort} -m owner --uid-owner ${HOST.backupUser} -j ACCEPT`,
              ]
            : [],
        );
        assert.ok(
          backup[backup.length - 1].includes("-j REJECT"),
          "the backup user's last rule is not a refusal",
        );
        const agentReject = rules.findIndex(
          (l) => l.includes(`--uid-owner ${HOST.agentUser}`) && l.includes("-j REJECT"),
        );
        assert.ok(agentReject >= 0 && agentReject < rules.indexOf(backup[0]));
      }
    }
  });

  it("the secrets carry the key and token as three lines, in the characters the host takes", function () {
    const env = renderHostSecrets({
      gatewayToken: "t".repeat(64),
      credentials: { anthropic: TEST_SECRETS.anthropicApiKey },
      backup: { key: "k".repeat(40), accessKeyId: "AKID", secretAccessKey: "s/e+c=r" },
    });
    assert.deepStrictEqual(
      env.split("\n").filter((l) => l.startsWith("BACKUP_")),
      [
        "BACKUP_KEY=" + "k".repeat(40),
        "BACKUP_ACCESS_KEY_ID=AKID",
        "BACKUP_SECRET_ACCESS_KEY=s/e+c=r",
      ],
    );
    assert.throws(
      () =>
        renderHostSecrets({
          gatewayToken: "t".repeat(64),
          credentials: {},
          backup: { key: "k".repeat(40) + " x", accessKeyId: "AKID", secretAccessKey: "s" },
        }),
      /BACKUP_KEY holds characters/,
    );
  });
});

describe("backups: the stack hands the key and token to the host on stdin only [S8]", function () {
  before(installMocks);

  it("the secrets command's stdin holds them (secret); no other input or output does", async function () {
    const start = registered.length;
    const outputs = program(sourceOf({ ...baseConfig(), ...BACKUP_CONFIG }), "dev");
    await settle();
    const mine = registered.slice(start);
    const secretsApply = mine.find((r) => r.name === "openclaw-gateway-secrets-apply");
    assert.ok(secretsApply, "no secrets command");
    const stdin = String(unwrap(secretsApply.inputs.stdin));
    assert.ok(stdin.includes(`BACKUP_KEY=${BACKUP_CONFIG["clawkit:backupKey"]}`));
    assert.ok(
      stdin.includes(`BACKUP_SECRET_ACCESS_KEY=${BACKUP_CONFIG["clawkit:backupSecretAccessKey"]}`),
    );
    // Wherever else a backup secret is an input (the component wrapping the command), it is marked secret;
    // no other custom resource is given one.
    for (const r of mine) {
      for (const [field, value] of Object.entries(r.inputs)) {
        const text = JSON.stringify(unwrap(value));
        for (const secret of [
          BACKUP_CONFIG["clawkit:backupKey"],
          BACKUP_CONFIG["clawkit:backupSecretAccessKey"],
        ]) {
          if (!text.includes(secret)) continue;
          assert.ok(
            isWireSecret(value),
            `${r.type} ${r.name}.${field} holds a backup secret in the clear`,
          );
          assert.ok(
            r === secretsApply || r.type.startsWith("clawkit:"),
            `${r.type} ${r.name} is given a backup secret`,
          );
        }
      }
    }
    assert.ok(outputs, "the program exported nothing");
  });

  it("a key given to VpsAgent as an Output is held to the same rule once known, naming the arg, never the key [S8]", async function () {
    const backupOf = (key: string) =>
      vpsSettings(
        {
          anthropicApiKey: TEST_SECRETS.anthropicApiKey,
          backupBucket: "openclaw-backups",
          backupEndpoint: "acct0123.r2.cloudflarestorage.com",
          backupAccessKeyId: pulumi.output("AKID"),
          backupSecretAccessKey: pulumi.secret(pulumi.output("secret")),
          backupKey: pulumi.secret(pulumi.output(key)),
        },
        "openclaw-dev-a",
      ).backup!;
    // The value an Output settles to, or its failure (the SDK's own promise).
    const settled = (
      backupOf("too-short-SECRETPART").key as unknown as { promise(): Promise<string> }
    ).promise();
    await assert.rejects(settled, (e: Error) => {
      assert.match(e.message, /^backupKey: is 20 characters long/);
      assert.ok(!e.message.includes("SECRETPART"));
      return true;
    });
    const good = "g".repeat(32);
    assert.strictEqual(await valueOf(backupOf(good).key), good);
    assert.strictEqual(backupOf(good).prefix, "openclaw-dev-a");
  });
});
