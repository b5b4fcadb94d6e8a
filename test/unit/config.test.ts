import * as assert from "assert";
import { installMocks, registered } from "../support/mocks";
import {
  baseConfig,
  FIXTURE_CHECKOUT_DIR,
  FIXTURE_WRANGLER_CONFIG,
  fixtureCheckout,
  hostConfig,
  moltworkerConfig,
  parseMoltworker,
  parseVps,
  SECRET_KEYS,
  sourceOf,
  TEST_SECRETS,
  BACKUP_CONFIG,
} from "../support/config";
import { ConfigError } from "../../core/config";
import { ARG_NAMES } from "../../core/rules";
import { Checkout } from "../../moltworker/checkout";
import { parseConfig } from "../../program/stackConfig";
import { CONFIG_REFERENCE } from "../../program/configReference";
import { MOLTWORKER_COMMIT } from "../../moltworker/rules";
import { program } from "../../program/program";

/** Runs the program on a config and returns the ConfigError it must throw. */
function rejected(
  values: Record<string, string>,
  secretKeys = SECRET_KEYS,
  env: Record<string, string> = {},
  checkouts?: Record<string, Checkout>,
): ConfigError {
  const before = registered.length;
  let error: unknown;
  try {
    program(sourceOf(values, secretKeys, env, checkouts), "dev");
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
  assert.strictEqual(
    registered.length,
    before,
    "a resource was registered before validation failed",
  );
  return error;
}

function withChanges(
  changes: Record<string, string | undefined>,
  base = baseConfig(),
): Record<string, string> {
  const values = base;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete values[key];
    else values[key] = value;
  }
  return values;
}

describe("config: bad input is refused before any resource, naming the key and the fix [A1, A5, A11]", function () {
  before(installMocks);

  const cases: [string, Record<string, string | undefined>, string, RegExp][] = [
    [
      "missing target",
      { "clawkit:target": undefined },
      "clawkit:target",
      /pulumi config set clawkit:target vps/,
    ],
    [
      "unknown target",
      { "clawkit:target": "ec2" },
      "clawkit:target",
      /"vps", "moltworker" or "host"/,
    ],
    [
      "no model key",
      { "clawkit:anthropicApiKey": undefined },
      "clawkit:anthropicApiKey",
      /--secret clawkit:anthropicApiKey/,
    ],
    [
      "api key with a space",
      { "clawkit:anthropicApiKey": "sk-ant bad" },
      "clawkit:anthropicApiKey",
      /letters, digits/,
    ],
    [
      "model without its key",
      { "clawkit:model": "openai/gpt-5" },
      "clawkit:model",
      /clawkit:openaiApiKey/,
    ],
    ["malformed model", { "clawkit:model": "claude" }, "clawkit:model", /anthropic\/<model>/],
    [
      "port out of range",
      { "clawkit:gatewayPort": "70000" },
      "clawkit:gatewayPort",
      /whole number from 1024 to 65535/,
    ],
    ["port not a number", { "clawkit:gatewayPort": "http" }, "clawkit:gatewayPort", /whole number/],
    [
      "port taken by the proxy",
      { "clawkit:gatewayPort": "3128" },
      "clawkit:gatewayPort",
      /egress proxy/,
    ],
    [
      "telegram without allowlist",
      { "clawkit:telegramAllowFrom": undefined },
      "clawkit:telegramAllowFrom",
      /required when clawkit:telegramBotToken/,
    ],
    [
      "telegram username",
      { "clawkit:telegramAllowFrom": '["@someone"]' },
      "clawkit:telegramAllowFrom",
      /numeric Telegram user id/,
    ],
    [
      "allowlist without token",
      { "clawkit:telegramBotToken": undefined },
      "clawkit:telegramAllowFrom",
      /telegramBotToken is not/,
    ],
    ["exec full", { "clawkit:execSecurity": "full" }, "clawkit:execSecurity", /refuses it/],
    [
      "a program that prints the environment",
      { "clawkit:execAllowlist": '["date","printenv"]' },
      "clawkit:execAllowlist",
      /prints the environment .* your keys/,
    ],
    [
      "exec unknown",
      { "clawkit:execSecurity": "yolo" },
      "clawkit:execSecurity",
      /"allowlist" or "deny"/,
    ],
    [
      "exec entry that is a shell",
      { "clawkit:execAllowlist": '["/bin/bash"]' },
      "clawkit:execAllowlist",
      /allows everything/,
    ],
    [
      "exec entry that is an interpreter",
      { "clawkit:execAllowlist": '["python3.11"]' },
      "clawkit:execAllowlist",
      /allows everything/,
    ],
    [
      "exec entry with a relative path",
      { "clawkit:execAllowlist": '["../bin/ls"]' },
      "clawkit:execAllowlist",
      /absolute path/,
    ],
    [
      "skill that installs skills",
      { "clawkit:bundledSkills": '["clawhub"]' },
      "clawkit:bundledSkills",
      /keeps off/,
    ],
    [
      "malformed skill",
      { "clawkit:bundledSkills": '["../x"]' },
      "clawkit:bundledSkills",
      /not a skill name/,
    ],
    [
      "exec entry with shell syntax",
      { "clawkit:execAllowlist": '["ls; curl x"]' },
      "clawkit:execAllowlist",
      /plain program/,
    ],
    [
      "egress wildcard all",
      { "clawkit:egressAllowlist": '["*"]' },
      "clawkit:egressAllowlist",
      /bare "\*"/,
    ],
    [
      "egress wildcard tld",
      { "clawkit:egressAllowlist": '["*.com"]' },
      "clawkit:egressAllowlist",
      /top-level/,
    ],
    [
      "egress ip",
      { "clawkit:egressAllowlist": '["169.254.169.254"]' },
      "clawkit:egressAllowlist",
      /IP addresses/,
    ],
    [
      "egress to a model provider",
      { "clawkit:egressAllowlist": '["api.github.com", "API.Anthropic.com"]' },
      "clawkit:egressAllowlist",
      /credential gateway/,
    ],
    [
      "egress wildcard over telegram",
      { "clawkit:egressAllowlist": '["*.telegram.org"]' },
      "clawkit:egressAllowlist",
      /credential gateway/,
    ],
    [
      "egress not a list",
      { "clawkit:egressAllowlist": '["a", ' },
      "clawkit:egressAllowlist",
      /JSON list/,
    ],
    [
      "tag without prefix",
      { "clawkit:tailnetTags": '["openclaw"]' },
      "clawkit:tailnetTags",
      /must start with "tag:"/,
    ],
    ["empty tag list", { "clawkit:tailnetTags": "[]" }, "clawkit:tailnetTags", /at least one tag/],
    ["bad hostname", { "clawkit:hostname": "Open_Claw" }, "clawkit:hostname", /DNS label/],
    [
      "bad server type",
      { "clawkit:serverType": "big one" },
      "clawkit:serverType",
      /Hetzner server type/,
    ],
    ["bad location", { "clawkit:location": "mars1" }, "clawkit:location", /not one of/],
    ["unsupported image", { "clawkit:image": "ubuntu-24.04" }, "clawkit:image", /Debian 12/],
    ["volume too small", { "clawkit:volumeSizeGb": "5" }, "clawkit:volumeSizeGb", /10 to 10240/],
    ["bad boolean", { "clawkit:backups": "yes" }, "clawkit:backups", /true or false/],
    ["bad admin user", { "clawkit:adminUser": "root" }, "clawkit:adminUser", /usable login name/],
    [
      "bad admin key",
      { "clawkit:adminSshKeys": '["not a key"]' },
      "clawkit:adminSshKeys",
      /OpenSSH public key/,
    ],
    ["lockdown not a boolean", { "clawkit:lockdown": "yes" }, "clawkit:lockdown", /true or false/],
    [
      "an http:// alert webhook",
      { "clawkit:alertWebhook": "http://ntfy.example.net/topic" },
      "clawkit:alertWebhook",
      /must be an https:\/\/ URL/,
    ],
    [
      "an alert webhook that is not a URL",
      { "clawkit:alertWebhook": "ntfy.example.net/topic" },
      "clawkit:alertWebhook",
      /is not a URL/,
    ],
    [
      "an alert webhook on another port",
      { "clawkit:alertWebhook": "https://ntfy.example.net:8443/topic" },
      "clawkit:alertWebhook",
      /port 443/,
    ],
    [
      "an alert webhook at a bare address",
      { "clawkit:alertWebhook": "https://10.0.0.8/topic" },
      "clawkit:alertWebhook",
      /DNS name/,
    ],
    [
      "an alert webhook with a password in it",
      { "clawkit:alertWebhook": "https://user:pw@ntfy.example.net/topic" },
      "clawkit:alertWebhook",
      /user or password/,
    ],
    [
      "a Telegram alert chat that is a username",
      { "clawkit:alertTelegramChats": '["@operator"]' },
      "clawkit:alertTelegramChats",
      /numeric Telegram chat id/,
    ],
    [
      "Telegram alert chats without a bot",
      {
        "clawkit:alertTelegramChats": '["123456789"]',
        "clawkit:telegramBotToken": undefined,
        "clawkit:telegramAllowFrom": undefined,
      },
      "clawkit:alertTelegramChats",
      /--secret clawkit:telegramBotToken/,
    ],
    [
      "a backup setting without a bucket",
      { "clawkit:restoreFrom": "latest" },
      "clawkit:restoreFrom",
      /without clawkit:backupBucket.*pulumi config set clawkit:backupBucket/,
    ],
    [
      "a bucket without its endpoint",
      { ...BACKUP_CONFIG, "clawkit:backupEndpoint": undefined },
      "clawkit:backupEndpoint",
      /required.*pulumi config set clawkit:backupEndpoint/,
    ],
    [
      "a bucket without its key",
      { ...BACKUP_CONFIG, "clawkit:backupKey": undefined },
      "clawkit:backupKey",
      /--secret clawkit:backupKey/,
    ],
    [
      "a bucket without its token",
      { ...BACKUP_CONFIG, "clawkit:backupSecretAccessKey": undefined },
      "clawkit:backupSecretAccessKey",
      /--secret clawkit:backupSecretAccessKey/,
    ],
    [
      "a backup key too short to rest on",
      { ...BACKUP_CONFIG, "clawkit:backupKey": "short-key" },
      "clawkit:backupKey",
      /32 or more.*openssl rand/,
    ],
    [
      "an endpoint given as a URL",
      { ...BACKUP_CONFIG, "clawkit:backupEndpoint": "https://acct.r2.cloudflarestorage.com" },
      "clawkit:backupEndpoint",
      /not a host name/,
    ],
    [
      "an endpoint at an address",
      { ...BACKUP_CONFIG, "clawkit:backupEndpoint": "10.0.0.5" },
      "clawkit:backupEndpoint",
      /not a host name/,
    ],
    [
      "a bucket name S3 refuses",
      { ...BACKUP_CONFIG, "clawkit:backupBucket": "My_Bucket" },
      "clawkit:backupBucket",
      /not an S3 bucket name/,
    ],
    [
      "a prefix that climbs out",
      { ...BACKUP_CONFIG, "clawkit:backupPrefix": "../other" },
      "clawkit:backupPrefix",
      /not a path in the bucket/,
    ],
    [
      "a retention of no days",
      { ...BACKUP_CONFIG, "clawkit:backupKeepDaily": "0" },
      "clawkit:backupKeepDaily",
      /1 to 3650/,
    ],
    [
      "a restore from something not a snapshot",
      { ...BACKUP_CONFIG, "clawkit:restoreFrom": "yesterday" },
      "clawkit:restoreFrom",
      /neither "latest" nor a snapshot id/,
    ],
    [
      "the bucket's endpoint on the agent's egress allowlist",
      { ...BACKUP_CONFIG, "clawkit:egressAllowlist": '["*.r2.cloudflarestorage.com"]' },
      "clawkit:egressAllowlist",
      /only the backup user may reach the bucket/,
    ],
    [
      "a gateway port on the backup proxy's",
      { "clawkit:gatewayPort": "3132" },
      "clawkit:gatewayPort",
      /taken on the host/,
    ],
    ["no hcloud token", { "hcloud:token": undefined }, "hcloud:token", /--secret hcloud:token/],
    [
      "no tailscale credential",
      { "tailscale:apiKey": undefined },
      "tailscale:apiKey",
      /--secret tailscale:apiKey/,
    ],
    [
      "no tailnet",
      { "tailscale:tailnet": undefined },
      "tailscale:tailnet",
      /pulumi config set tailscale:tailnet/,
    ],
  ];

  for (const [title, changes, key, fix] of cases) {
    it(`${title}: names ${key}`, function () {
      const error = rejected(withChanges(changes));
      const problem = error.problems.find((p) => p.key === key);
      assert.ok(problem, `no problem names ${key}: ${error.message}`);
      assert.match(`${problem.message} ${problem.fix}`, fix);
      assert.ok(error.message.includes(key) && error.message.includes("fix:"));
    });
  }

  for (const key of [
    "clawkit:anthropicApiKey",
    "clawkit:telegramBotToken",
    "clawkit:alertWebhook",
    "hcloud:token",
    "tailscale:apiKey",
  ]) {
    it(`a secret stored in plain text is refused: ${key} [S2]`, function () {
      const error = rejected(
        { ...baseConfig(), "clawkit:alertWebhook": TEST_SECRETS.alertWebhook },
        SECRET_KEYS.filter((k) => k !== key),
      );
      const problem = error.problems.find((p) => p.key === key);
      assert.ok(problem, error.message);
      assert.match(problem.message, /plain text/);
      assert.match(problem.fix, new RegExp(`--secret ${key}`));
    });
  }

  it("alert destinations: an https webhook and numeric chats (a group's too) are taken; a refused webhook is never repeated", function () {
    const config = parseVps(
      sourceOf({
        ...baseConfig(),
        "clawkit:alertWebhook": TEST_SECRETS.alertWebhook,
        "clawkit:alertTelegramChats": '["123456789", "-1001234567890"]',
        "clawkit:lockdown": "true",
      }),
      "dev",
    );
    assert.deepStrictEqual(config.alertTelegramChats, ["123456789", "-1001234567890"]);
    assert.strictEqual(config.lockdown, true);
    assert.ok(config.alertWebhook);
    const error = rejected(
      withChanges({ "clawkit:alertWebhook": "http://ntfy.example.net/SECRETTOPIC" }),
    );
    assert.ok(!error.message.includes("SECRETTOPIC"), error.message);
  });

  it("the error never repeats a secret value [S2]", function () {
    const values = withChanges({
      "clawkit:anthropicApiKey": "sk-ant-bad value-SECRETPART",
      "clawkit:gatewayPort": "1",
    });
    const error = rejected(
      values,
      SECRET_KEYS.filter((k) => k !== "hcloud:token"),
    );
    assert.ok(!error.message.includes("SECRETPART"));
    assert.ok(!error.message.includes(baseConfig()["hcloud:token"]));
  });

  it("reports every problem at once", function () {
    const error = rejected(
      withChanges({
        "clawkit:gatewayPort": "0",
        "clawkit:location": "x",
        "clawkit:execSecurity": "full",
      }),
    );
    assert.deepStrictEqual(error.problems.map((p) => p.key).sort(), [
      "clawkit:execSecurity",
      "clawkit:gatewayPort",
      "clawkit:location",
    ]);
  });

  it("provider credentials may come from the environment", function () {
    const values = withChanges({
      "hcloud:token": undefined,
      "tailscale:apiKey": undefined,
      "tailscale:tailnet": undefined,
    });
    const config = parseConfig(
      sourceOf(values, SECRET_KEYS, {
        HCLOUD_TOKEN: "x",
        TAILSCALE_API_KEY: "y",
        TAILSCALE_TAILNET: "z",
      }),
      "dev",
    );
    assert.strictEqual(config.target, "vps");
  });

  it("defaults are the safe ones", function () {
    const config = parseVps(
      sourceOf(
        withChanges({
          "clawkit:telegramBotToken": undefined,
          "clawkit:telegramAllowFrom": undefined,
        }),
      ),
      "dev",
    );
    assert.strictEqual(config.gatewayPort, 18789);
    assert.strictEqual(config.execSecurity, "allowlist");
    assert.deepStrictEqual(config.tailnetTags, ["tag:openclaw"]);
    assert.strictEqual(config.image, "debian-12");
    assert.strictEqual(config.keepVolumeOnDestroy, true);
    assert.strictEqual(config.backups, true);
    assert.strictEqual(config.hostname, "openclaw-dev");
    assert.strictEqual(config.telegram, undefined);
    assert.deepStrictEqual(config.egressAllowlist, []);
  });

  it("lists may be JSON or comma separated", function () {
    const config = parseVps(
      sourceOf(withChanges({ "clawkit:egressAllowlist": "api.github.com, *.example.org" })),
      "dev",
    );
    assert.deepStrictEqual(config.egressAllowlist, ["api.github.com", "*.example.org"]);
  });
});

describe("config: an unknown or misspelt clawkit key is refused, naming the key that was meant [W2]", function () {
  before(installMocks);
  const clawkitKeys = CONFIG_REFERENCE.filter((c) => c.key.startsWith("clawkit:"));

  /** The problem the program reports for one extra key on a valid stack of a shape. */
  const problemFor = (key: string, base = baseConfig()) => {
    const error = rejected({ ...base, [key]: "x" });
    const problem = error.problems.find((p) => p.key === key);
    assert.ok(problem, `no problem names ${key}: ${error.message}`);
    return problem;
  };

  it("the issue's example: clawkit:execAllowList (capital L) is refused before any resource", function () {
    const problem = problemFor("clawkit:execAllowList");
    assert.match(problem.message, /did you mean clawkit:execAllowlist\?/);
    assert.match(
      problem.fix,
      /^pulumi config rm clawkit:execAllowList && pulumi config set clawkit:execAllowlist/,
    );
  });

  for (const entry of clawkitKeys) {
    const name = entry.key.slice("clawkit:".length);
    const base = entry.shapes.includes("vps")
      ? baseConfig()
      : entry.shapes.includes("host")
        ? hostConfig()
        : moltworkerConfig();
    const variants = {
      "other case": `clawkit:${name.toUpperCase()}`,
      "a letter dropped": `clawkit:${name.slice(0, -1)}`,
      // The first two letters that differ (swapping "ss" in sshHostKey changes nothing).
      "two letters swapped": `clawkit:${name.replace(/(.)((?!\1).)/, "$2$1")}`,
      "a misspelt namespace": `clawkti:${name}`,
    };
    it(`${entry.key}: every near miss is refused and points at it`, function () {
      for (const [how, variant] of Object.entries(variants)) {
        const problem = problemFor(variant, base);
        assert.match(problem.message, new RegExp(`did you mean ${entry.key}\\?`), how);
        assert.strictEqual(problem.fix.includes(" --secret "), entry.secret, `${how}: --secret`);
      }
    });
  }

  it("a key nothing resembles is refused with the reference to read", function () {
    const problem = problemFor("clawkit:frobnicateTheWidgets");
    assert.match(problem.message, /not a clawkit setting \(README/);
    assert.strictEqual(problem.fix, "pulumi config rm clawkit:frobnicateTheWidgets");
  });

  it("reports an unknown key together with a missing target", function () {
    const error = rejected({ "clawkit:targte": "vps", "clawkit:anthropicApiKey": "x" });
    assert.deepStrictEqual(error.problems.map((p) => p.key).sort(), [
      "clawkit:target",
      "clawkit:targte",
    ]);
  });

  it("other namespaces and every known key of either shape pass (Pulumi.yaml hands each stack all defaults)", function () {
    const defaults = {
      "clawkit:gatewayPort": "18789",
      "clawkit:aiGateway": "false",
      "hcloud:endpoint": "x",
      "aws:region": "y",
    };
    assert.strictEqual(
      parseConfig(sourceOf({ ...baseConfig(), ...defaults }), "dev").target,
      "vps",
    );
    assert.strictEqual(
      parseConfig(sourceOf({ ...moltworkerConfig(), ...defaults }), "dev").target,
      "moltworker",
    );
  });
});

describe("config: moltworker bad input is refused before any resource, naming the key and the fix [M3]", function () {
  before(installMocks);

  const moltworker = (changes: Record<string, string | undefined>) =>
    withChanges(changes, moltworkerConfig());
  const checkout = (overrides: Partial<Checkout>) => ({
    [FIXTURE_CHECKOUT_DIR]: fixtureCheckout(overrides),
  });

  const cases: [string, Record<string, string | undefined>, string, RegExp][] = [
    [
      "missing account",
      { "clawkit:cloudflareAccountId": undefined },
      "clawkit:cloudflareAccountId",
      /is required.*pulumi config set clawkit:cloudflareAccountId/,
    ],
    [
      "malformed account",
      { "clawkit:cloudflareAccountId": "my-account" },
      "clawkit:cloudflareAccountId",
      /32 hex digits/,
    ],
    [
      "no Access emails",
      { "clawkit:accessEmails": undefined },
      "clawkit:accessEmails",
      /is required.*--path 'clawkit:accessEmails\[0\]'/,
    ],
    ["empty Access emails", { "clawkit:accessEmails": "[]" }, "clawkit:accessEmails", /required/],
    [
      "a malformed email",
      { "clawkit:accessEmails": '["alice@example.com","bob"]' },
      "clawkit:accessEmails",
      /"bob" is not an email address/,
    ],
    [
      "a wildcard instead of an email",
      { "clawkit:accessEmails": '["*@example.com"]' },
      "clawkit:accessEmails",
      /not an email address/,
    ],
    [
      "no hostname at all",
      { "clawkit:workersSubdomain": undefined },
      "clawkit:workersSubdomain",
      /is required.*Access must know/,
    ],
    [
      "workers.dev and a custom domain",
      { "clawkit:customDomain": "agent.example.com", "clawkit:zoneId": "0".repeat(32) },
      "clawkit:customDomain",
      /one hostname/,
    ],
    [
      "custom domain without its zone",
      { "clawkit:workersSubdomain": undefined, "clawkit:customDomain": "agent.example.com" },
      "clawkit:zoneId",
      /required with clawkit:customDomain/,
    ],
    [
      "session too long",
      { "clawkit:accessSessionDuration": "9999h" },
      "clawkit:accessSessionDuration",
      /at most 720h/,
    ],
    [
      "bad bucket name",
      { "clawkit:bucketName": "My_Bucket" },
      "clawkit:bucketName",
      /not an R2 bucket name/,
    ],
    [
      "unknown bucket location",
      { "clawkit:bucketLocation": "mars" },
      "clawkit:bucketLocation",
      /apac/,
    ],
    [
      "unknown destroy behaviour",
      { "clawkit:bucketOnDestroy": "delete" },
      "clawkit:bucketOnDestroy",
      /"refuse", "keep" or "export"/,
    ],
    [
      "missing checkout setting",
      { "clawkit:moltworkerDir": undefined },
      "clawkit:moltworkerDir",
      /is required.*git clone/,
    ],
    [
      "checkout that does not exist",
      { "clawkit:moltworkerDir": "/nowhere/moltworker" },
      "clawkit:moltworkerDir",
      /does not exist.*git clone/,
    ],
    [
      "a malformed pin",
      { "clawkit:moltworkerCommit": "main" },
      "clawkit:moltworkerCommit",
      /40-digit commit/,
    ],
    [
      "a Telegram allowlist moltworker would drop",
      { "clawkit:telegramAllowFrom": '["123456789"]' },
      "clawkit:telegramAllowFrom",
      /pairing/,
    ],
    [
      "no Cloudflare token",
      { "cloudflare:apiToken": undefined },
      "cloudflare:apiToken",
      /--secret cloudflare:apiToken/,
    ],
    [
      "a Cloudflare token with a line break",
      { "cloudflare:apiToken": "abc\ndef" },
      "cloudflare:apiToken",
      /line breaks/,
    ],
    [
      "Telegram alert chats",
      { "clawkit:alertTelegramChats": '["123456789"]' },
      "clawkit:alertTelegramChats",
      /cannot post to Telegram/,
    ],
    [
      "an http:// alert webhook",
      { "clawkit:alertWebhook": "http://ntfy.example.net/topic" },
      "clawkit:alertWebhook",
      /https/,
    ],
    [
      "bad billing email",
      { "clawkit:billingAlertEmail": "billing" },
      "clawkit:billingAlertEmail",
      /not an email address/,
    ],
  ];

  for (const [title, changes, key, fix] of cases) {
    it(`${title}: names ${key}`, function () {
      const error = rejected(moltworker(changes));
      const problem = error.problems.find((p) => p.key === key);
      assert.ok(problem, `no problem names ${key}: ${error.message}`);
      assert.match(`${problem.message} ${problem.fix}`, fix);
    });
  }

  const checkoutCases: [string, Partial<Checkout>, string, RegExp][] = [
    [
      "no wrangler.jsonc",
      { wranglerConfig: undefined },
      "clawkit:moltworkerDir",
      /no wrangler.jsonc/,
    ],
    [
      "not a moltworker config",
      { wranglerConfig: '{"name":"x","main":"a.ts"}' },
      "clawkit:moltworkerDir",
      /no container/,
    ],
    [
      "a config that turns on debug routes",
      {
        wranglerConfig: FIXTURE_WRANGLER_CONFIG.replace(
          '"browser":',
          '"vars": { "DEBUG_ROUTES": "true" },\n  "browser":',
        ),
      },
      "clawkit:moltworkerDir",
      /DEBUG_ROUTES/,
    ],
    ["another commit", { head: "f".repeat(40) }, "clawkit:moltworkerCommit", /not the pinned/],
    ["local changes", { dirty: true }, "clawkit:moltworkerDir", /local changes/],
  ];
  for (const [title, overrides, key, fix] of checkoutCases) {
    it(`checkout with ${title}: names ${key} [M8]`, function () {
      const error = rejected(moltworker({}), SECRET_KEYS, {}, checkout(overrides));
      const problem = error.problems.find((p) => p.key === key);
      assert.ok(problem, `no problem names ${key}: ${error.message}`);
      assert.match(`${problem.message} ${problem.fix}`, fix);
    });
  }

  it("a plain-text Cloudflare token is refused [M6]", function () {
    const error = rejected(
      moltworkerConfig(),
      SECRET_KEYS.filter((k) => k !== "cloudflare:apiToken"),
    );
    assert.match(
      error.problems.find((p) => p.key === "cloudflare:apiToken")!.message,
      /plain text/,
    );
  });

  it("an unpinned checkout is accepted at any commit, when the operator says so", function () {
    const config = parseMoltworker(
      sourceOf(
        moltworker({ "clawkit:moltworkerCommit": "unpinned" }),
        SECRET_KEYS,
        {},
        checkout({ head: "f".repeat(40), dirty: true }),
      ),
    );
    assert.strictEqual(config.moltworker.commit, undefined);
  });

  it("defaults are the safe ones", function () {
    // The checkout at the commit clawkit was checked against, which it pins by default.
    const config = parseMoltworker(
      sourceOf(
        moltworker({ "clawkit:moltworkerCommit": undefined }),
        SECRET_KEYS,
        {},
        checkout({ head: MOLTWORKER_COMMIT }),
      ),
    );
    assert.strictEqual(config.workerName, "openclaw-dev");
    assert.strictEqual(config.host.hostname, "openclaw-dev.example-team.workers.dev");
    assert.strictEqual(config.bucketName, "openclaw-dev-state");
    assert.strictEqual(config.bucketOnDestroy, "refuse");
    assert.strictEqual(config.accessSessionDuration, "24h");
    assert.strictEqual(config.moltworker.commit, MOLTWORKER_COMMIT);
    assert.strictEqual(config.aiGateway, false);
    assert.strictEqual(config.browser, false);
    assert.strictEqual(config.billingAlert, undefined);
  });

  it("the API token may come from the environment", function () {
    const config = parseMoltworker(
      sourceOf(moltworker({ "cloudflare:apiToken": undefined }), SECRET_KEYS, {
        CLOUDFLARE_API_TOKEN: "from-env",
      }),
    );
    assert.strictEqual(config.target, "moltworker");
  });
});

describe("component args: a fix is written as the program writes the value", function () {
  it("a number or a boolean bare, text quoted, a list as a list", function () {
    assert.strictEqual(ARG_NAMES.set("gatewayPort", "18790"), "set gatewayPort: 18790");
    assert.strictEqual(ARG_NAMES.set("tailnetJoin", "true"), "set tailnetJoin: true");
    assert.strictEqual(ARG_NAMES.set("location", "nbg1"), 'set location: "nbg1"');
    assert.strictEqual(ARG_NAMES.set("restoreFrom", "1e3"), 'set restoreFrom: "1e3"');
    assert.strictEqual(
      ARG_NAMES.set("execAllowlist", "date", { list: true }),
      'set execAllowlist: ["date"]',
    );
  });
});
