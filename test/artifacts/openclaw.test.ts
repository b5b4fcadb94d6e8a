import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { renderExecApprovals } from "../../vps/host/exec-approvals";
import { renderOpenclawConfig } from "../../vps/host/openclaw-config";
import { sampleSettings } from "../support/samples";
import {
  file,
  NODE24,
  OPENCLAW_CLI,
  requirePrerequisites,
  runOpenclaw,
  tempDir,
} from "../support/tools";

/** Runs the pinned openclaw CLI under Node 24 against a config, offline, in a scratch HOME. */
function openclaw(
  config: string,
  args: string[],
): { status: number; stdout: string; stderr: string; json: unknown } {
  const tmp = tempDir("openclaw");
  try {
    const configPath = path.join(tmp.dir, "openclaw.json");
    // The mode provision.sh installs it with (root:openclaw 0640): the audit checks it.
    fs.writeFileSync(configPath, config, { mode: 0o640 });
    fs.mkdirSync(path.join(tmp.dir, "state"), { mode: 0o700 });
    fs.mkdirSync(path.join(tmp.dir, "home"), { mode: 0o700 });
    const result = runOpenclaw(args, {
      PATH: `${path.dirname(NODE24)}:/usr/bin:/bin`,
      HOME: path.join(tmp.dir, "home"),
      OPENCLAW_CONFIG_PATH: configPath,
      OPENCLAW_STATE_DIR: path.join(tmp.dir, "state"),
      OPENCLAW_CONFIG_READONLY: "1",
      // The gateway's only secret: the model keys and the bot token live with the credential gateway.
      OPENCLAW_GATEWAY_TOKEN: "T".repeat(64),
      NO_COLOR: "1",
    });
    const start = result.stdout.indexOf("{");
    let json: unknown;
    try {
      json = JSON.parse(result.stdout.slice(start));
    } catch {
      json = undefined;
    }
    return { ...result, json };
  } finally {
    tmp.remove();
  }
}

interface Audit {
  summary: { critical: number; warn: number; info: number };
  findings: { checkId: string; severity: string }[];
}

describe("artifacts: openclaw.json through the pinned openclaw (Node 24)", function () {
  this.timeout(180_000);
  before(function () {
    requirePrerequisites(
      this,
      file("node 24", NODE24, "scripts/install-node-deps.sh"),
      file("openclaw", OPENCLAW_CLI, "scripts/install-node-deps.sh"),
    );
  });

  const variants: [string, Parameters<typeof sampleSettings>[0]][] = [
    ["every feature on", {}],
    [
      "exec denied, no telegram, openai only",
      {
        execSecurity: "deny",
        telegramAllowFrom: undefined,
        providers: ["openai"],
        model: "openai/gpt-5",
      },
    ],
  ];

  for (const [title, overrides] of variants) {
    it(`config validate --json: valid (${title}) [R1]`, function () {
      const result = openclaw(renderOpenclawConfig(sampleSettings(overrides).openclaw), [
        "config",
        "validate",
        "--json",
      ]);
      assert.strictEqual(result.status, 0, result.stdout + result.stderr);
      assert.strictEqual((result.json as { valid: boolean }).valid, true, result.stdout);
    });

    it(`security audit --json: 0 critical (${title}) [R1, R3, A6]`, function () {
      const result = openclaw(renderOpenclawConfig(sampleSettings(overrides).openclaw), [
        "security",
        "audit",
        "--json",
      ]);
      const audit = result.json as Audit;
      assert.ok(audit?.summary, result.stdout + result.stderr);
      const criticals = audit.findings
        .filter((f) => f.severity === "critical")
        .map((f) => f.checkId);
      console.log(
        `      audit: ${JSON.stringify(audit.summary)} warn: ${audit.findings
          .filter((f) => f.severity === "warn")
          .map((f) => f.checkId)
          .join(", ")}`,
      );
      assert.deepStrictEqual(criticals, []);
    });
  }

  it("validation has teeth: an unknown key is refused with its path", function () {
    const config = JSON.parse(renderOpenclawConfig(sampleSettings().openclaw));
    config.gateway.notAKey = true;
    const result = openclaw(JSON.stringify(config), ["config", "validate", "--json"]);
    assert.notStrictEqual(result.status, 0);
    assert.match(result.stdout, /gateway/);
  });

  it("the audit has teeth: binding to the LAN without auth is critical", function () {
    const config = JSON.parse(renderOpenclawConfig(sampleSettings().openclaw));
    config.gateway.bind = "lan";
    config.gateway.auth = { mode: "none" };
    const audit = openclaw(JSON.stringify(config), ["security", "audit", "--json"]).json as Audit;
    assert.ok(audit.summary.critical > 0, JSON.stringify(audit.summary));
  });
});

describe("artifacts: the exec approvals document through `openclaw approvals set` [A1]", function () {
  this.timeout(120_000);
  before(function () {
    requirePrerequisites(
      this,
      file("node 24", NODE24, "scripts/install-node-deps.sh"),
      file("openclaw", OPENCLAW_CLI, "scripts/install-node-deps.sh"),
    );
  });

  it("openclaw stores exactly the rendered allowlist, with no prompt and a denying fallback", function () {
    const tmp = tempDir("approvals");
    try {
      const settings = sampleSettings();
      const configPath = path.join(tmp.dir, "openclaw.json");
      const approvalsPath = path.join(tmp.dir, "exec-approvals.json");
      fs.writeFileSync(configPath, renderOpenclawConfig(settings.openclaw), { mode: 0o640 });
      fs.writeFileSync(approvalsPath, renderExecApprovals(settings.openclaw));
      fs.mkdirSync(path.join(tmp.dir, "state"), { mode: 0o700 });
      // The environment provision.sh gives the command: no secrets, read-only config.
      const env = {
        PATH: "/usr/bin:/bin",
        HOME: tmp.dir,
        OPENCLAW_STATE_DIR: path.join(tmp.dir, "state"),
        OPENCLAW_CONFIG_PATH: configPath,
        OPENCLAW_CONFIG_READONLY: "1",
        OPENCLAW_NIX_MODE: "1",
      };
      const set = runOpenclaw(["approvals", "set", "--file", approvalsPath], env);
      assert.strictEqual(set.status, 0, set.stderr);
      const get = runOpenclaw(["approvals", "get", "--json"], env);
      const stored = JSON.parse(get.stdout.slice(get.stdout.indexOf("{"))).file.agents.main;
      assert.deepStrictEqual(
        stored.allowlist.map((e: { pattern: string }) => e.pattern),
        ["/usr/bin/date", "/usr/local/bin/report"],
      );
      assert.strictEqual(stored.security, "allowlist");
      assert.strictEqual(stored.ask, "off");
      assert.strictEqual(stored.askFallback, "deny");
    } finally {
      tmp.remove();
    }
  });
});
