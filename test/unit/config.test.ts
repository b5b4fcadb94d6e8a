import * as assert from "assert";
import { installMocks, registered } from "../support/mocks";
import { baseConfig, SECRET_KEYS, sourceOf } from "../support/config";
import { ConfigError, parseConfig } from "../../stacks/config";
import { program } from "../../stacks/program";

/** Runs the program on a config and returns the ConfigError it must throw. */
function rejected(
  values: Record<string, string>,
  secretKeys = SECRET_KEYS,
  env: Record<string, string> = {},
): ConfigError {
  const before = registered.length;
  let error: unknown;
  try {
    program(sourceOf(values, secretKeys, env), "dev");
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

function withChanges(changes: Record<string, string | undefined>): Record<string, string> {
  const values = baseConfig();
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete values[key];
    else values[key] = value;
  }
  return values;
}

describe("config: bad input is refused before any resource, naming the key and the fix", function () {
  before(installMocks);

  const cases: [string, Record<string, string | undefined>, string, RegExp][] = [
    [
      "missing target",
      { "clawkit:target": undefined },
      "clawkit:target",
      /pulumi config set clawkit:target vps/,
    ],
    ["unknown target", { "clawkit:target": "ec2" }, "clawkit:target", /"vps" or "moltworker"/],
    ["moltworker not yet", { "clawkit:target": "moltworker" }, "clawkit:target", /not available/],
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
    "hcloud:token",
    "tailscale:apiKey",
  ]) {
    it(`a secret stored in plain text is refused: ${key}`, function () {
      const error = rejected(
        baseConfig(),
        SECRET_KEYS.filter((k) => k !== key),
      );
      const problem = error.problems.find((p) => p.key === key);
      assert.ok(problem, error.message);
      assert.match(problem.message, /plain text/);
      assert.match(problem.fix, new RegExp(`--secret ${key}`));
    });
  }

  it("the error never repeats a secret value", function () {
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
    const config = parseConfig(
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
    const config = parseConfig(
      sourceOf(withChanges({ "clawkit:egressAllowlist": "api.github.com, *.example.org" })),
      "dev",
    );
    assert.deepStrictEqual(config.egressAllowlist, ["api.github.com", "*.example.org"]);
  });
});
